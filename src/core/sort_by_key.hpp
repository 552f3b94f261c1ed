// Sorts a large array by a 32-bit key (an OID, a file node) in linear time: a least-significant-digit radix sort of
// (key, position) pairs, then one pass that moves every element to its place along the permutation's cycles. Equal
// keys keep their order (stable).
//
// Comparison sorts of pg_class in heap order (OID order with many rows moved a little or far) fell back to heap sort
// and cost a twentieth of a check at 100,000 tables. This one costs 16 bytes an element while it runs (the pairs and
// a second buffer for them), never a copy of the elements.
#pragma once

#include "core/postgres_free.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace pgo::core {

// `items`: random access by index, with size(); key_of(item) gives its 32-bit key.
template <typename Items, typename KeyOf> void sort_by_key(Items &items, KeyOf key_of) {
  const std::size_t n = items.size();
  if (n < 2)
    return;
  if (n > UINT32_MAX) { // positions no longer fit beside the keys
    std::stable_sort(items.begin(), items.end(), [&](const auto &a, const auto &b) { return key_of(a) < key_of(b); });
    return;
  }
  std::vector<std::uint64_t> pairs(n);
  bool sorted = true;
  for (std::size_t i = 0; i < n; i++) {
    pairs[i] = static_cast<std::uint64_t>(key_of(items[i])) << 32 | i;
    sorted = sorted && (i == 0 || pairs[i] >= pairs[i - 1]);
  }
  if (sorted)
    return;
  {
    std::vector<std::uint64_t> other(n);
    static constexpr unsigned kDigitBits[] = {11, 11, 10};
    unsigned shift = 32;
    for (unsigned bits : kDigitBits) {
      const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
      std::vector<std::size_t> start(std::size_t{1} << bits, 0);
      for (std::uint64_t p : pairs)
        start[(p >> shift) & mask]++;
      if (std::find(start.begin(), start.end(), n) == start.end()) { // else every key has this digit: nothing to do
        std::size_t at = 0;
        for (std::size_t &s : start)
          at += std::exchange(s, at);
        for (std::uint64_t p : pairs)
          other[start[(p >> shift) & mask]++] = p;
        pairs.swap(other);
      }
      shift += bits;
    }
  }
  // pairs[i] names the position whose element belongs at i. Each cycle of that permutation is walked once, one
  // element held aside; a position done is marked by pointing at itself.
  auto from = [&](std::size_t i) { return static_cast<std::size_t>(pairs[i] & UINT32_MAX); };
  for (std::size_t start = 0; start < n; start++) {
    if (from(start) == start)
      continue;
    auto held = std::move(items[start]);
    std::size_t at = start;
    for (;;) {
      const std::size_t next = from(at);
      pairs[at] = at;
      if (next == start) {
        items[at] = std::move(held);
        break;
      }
      items[at] = std::move(items[next]);
      at = next;
    }
  }
}

} // namespace pgo::core
