// TopN: the `limit` smallest keys of a stream, with a value each, in memory bounded by the limit rather than by the
// length of the stream; and how many were offered in all.
//
// Used where a report shows a person the most important rows of a long list: offer_with(key, build) (or would_keep)
// builds the value (names, text) only when it would be kept, so a list of 100,000 findings costs 100,000
// comparisons of numbers and at most `limit` values at a time. Keys must be distinct (append a sequence number to
// break ties) for the order of the result to be fully determined.
//
// PostgreSQL-free.
#pragma once

#include "core/postgres_free.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace pgo::core {

template <typename Key, typename Value> class TopN {
public:
  explicit TopN(std::size_t limit) : limit_(limit) {}

  // True when a value with this key would be kept now (the caller then builds it and offers it; otherwise skip()).
  bool would_keep(const Key &key) const { return limit_ > 0 && (heap_.size() < limit_ || key < heap_.front().first); }

  // Counts the offer and keeps the value if its key is among the `limit` smallest so far.
  void offer(const Key &key, Value value) {
    offer_with(key, [&] { return std::move(value); });
  }

  // The same, but build() makes the value only when it is kept.
  template <typename Build> void offer_with(const Key &key, Build build) {
    offered_++;
    if (!would_keep(key))
      return;
    if (heap_.size() == limit_) {
      std::pop_heap(heap_.begin(), heap_.end(), by_key);
      heap_.pop_back();
    }
    heap_.emplace_back(key, build());
    std::push_heap(heap_.begin(), heap_.end(), by_key);
  }

  // Counts an offer whose value the caller did not build because would_keep() said no.
  void skip() { offered_++; }

  std::size_t offered() const { return offered_; }
  std::size_t limit() const { return limit_; }

  // The kept values, smallest key first; the TopN is empty afterwards (offered() stays).
  std::vector<Value> take_sorted() {
    std::sort_heap(heap_.begin(), heap_.end(), by_key);
    std::vector<Value> out;
    out.reserve(heap_.size());
    for (auto &entry : heap_)
      out.push_back(std::move(entry.second));
    heap_.clear();
    return out;
  }

private:
  // A max-heap on the key: the front is the largest kept key, the first to go.
  static bool by_key(const std::pair<Key, Value> &a, const std::pair<Key, Value> &b) { return a.first < b.first; }

  std::size_t limit_;
  std::size_t offered_ = 0;
  std::vector<std::pair<Key, Value>> heap_;
};

} // namespace pgo::core
