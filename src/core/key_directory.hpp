// A directory over a sorted array of 32-bit keys (OIDs, file nodes) that narrows a lookup to the few positions whose
// keys fall in the key's bucket, in one step instead of the twenty of a bisection over half a million keys.
//
// The key range from the smallest to the largest key is cut into equal buckets, about one for every four keys, and
// the directory holds each bucket's first position (4 bytes a bucket). OIDs and file nodes are handed out in order,
// so buckets hold a few keys each; keys bunched in a narrow range (OIDs that wrapped around) make some buckets long,
// and the caller's bisection inside a bucket then costs what a bisection of the whole array did, never more.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pgo::core {

class KeyDirectory {
public:
  // Positions [first, last) of the array: the key, if present, is among them.
  struct Range {
    std::size_t first = 0;
    std::size_t last = 0;
  };

  KeyDirectory() = default;

  // `count` keys in ascending order (repeats allowed), key_at(i) giving the key at position i.
  template <typename KeyAt> static KeyDirectory build(std::size_t count, KeyAt key_at) {
    KeyDirectory d;
    if (count == 0)
      return d;
    d.min_ = key_at(0);
    d.shift_ = shift_for(static_cast<std::uint64_t>(key_at(count - 1)) - d.min_, count);
    const std::size_t buckets = bucket_count(static_cast<std::uint64_t>(key_at(count - 1)) - d.min_, d.shift_);
    d.starts_.resize(buckets + 1);
    std::size_t bucket = 0;
    for (std::size_t i = 0; i < count; i++) {
      const std::size_t of_key = (static_cast<std::uint64_t>(key_at(i)) - d.min_) >> d.shift_;
      while (bucket <= of_key)
        d.starts_[bucket++] = static_cast<std::uint32_t>(i);
    }
    while (bucket <= buckets)
      d.starts_[bucket++] = static_cast<std::uint32_t>(count);
    return d;
  }

  Range candidates(std::uint32_t key) const {
    if (starts_.empty() || key < min_)
      return {};
    const std::uint64_t bucket = (static_cast<std::uint64_t>(key) - min_) >> shift_;
    if (bucket + 1 >= starts_.size())
      return {};
    return {starts_[bucket], starts_[bucket + 1]};
  }

  std::size_t bytes() const { return starts_.capacity() * sizeof(std::uint32_t); }

private:
  // The smallest shift that makes the buckets no more than a quarter of the keys (at least one).
  static unsigned shift_for(std::uint64_t span, std::size_t count);
  static std::size_t bucket_count(std::uint64_t span, unsigned shift) {
    return static_cast<std::size_t>(span >> shift) + 1;
  }

  std::uint32_t min_ = 0;
  unsigned shift_ = 0;
  std::vector<std::uint32_t> starts_; // bucket b's first position, then one past the last position
};

} // namespace pgo::core
