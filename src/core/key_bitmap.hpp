// A set of 32-bit keys (OIDs) as one bit for each key of their range. A membership test reads one bit of a small
// array, where a search of a sorted array or a hash of hundreds of thousands of keys misses the cache on most tests
// made in random order (as a walk over the shared statistics makes them): 100,000 tables span about a million OIDs,
// 128 kB of bits. Keys spread over a wide range (OIDs that wrapped around) need a bitmap as wide: the caller gives the
// most it will spend and does without one beyond that.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace pgo::core {

class KeyBitmap {
public:
  // An empty set able to hold the keys first..last (inclusive), or std::nullopt when its bits would take more than
  // max_bytes (or last < first).
  static std::optional<KeyBitmap> for_range(std::uint32_t first, std::uint32_t last, std::size_t max_bytes);

  // `key` must lie in the range.
  void insert(std::uint32_t key) {
    const std::uint64_t bit = static_cast<std::uint64_t>(key) - first_;
    words_[bit >> 6] |= std::uint64_t{1} << (bit & 63);
  }
  // Any key: false outside the range.
  bool contains(std::uint32_t key) const {
    if (key < first_)
      return false;
    const std::uint64_t bit = static_cast<std::uint64_t>(key) - first_;
    return bit < span_ && (words_[bit >> 6] >> (bit & 63) & 1) != 0;
  }
  std::size_t bytes() const { return words_.size() * sizeof(std::uint64_t); }

private:
  std::uint32_t first_ = 0;
  std::uint64_t span_ = 0; // keys first_ .. first_ + span_ - 1
  std::vector<std::uint64_t> words_;
};

} // namespace pgo::core
