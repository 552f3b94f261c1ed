#include "core/sort_by_key.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "core/chunked_array.hpp"

using pgo::core::sort_by_key;

namespace {

using Item = std::pair<std::uint32_t, std::uint32_t>; // key, original position

template <typename Items> void expect_sorted_stably(const std::vector<Item> &input, Items &items) {
  sort_by_key(items, [](const Item &i) { return i.first; });
  std::vector<Item> expected = input;
  std::stable_sort(expected.begin(), expected.end(), [](const Item &a, const Item &b) { return a.first < b.first; });
  ASSERT_EQ(items.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); i++)
    ASSERT_EQ(items[i], expected[i]) << "at " << i;
}

std::vector<Item> keyed(const std::vector<std::uint32_t> &keys) {
  std::vector<Item> items;
  for (std::uint32_t k : keys)
    items.emplace_back(k, static_cast<std::uint32_t>(items.size()));
  return items;
}

} // namespace

TEST(SortByKey, SmallAndSortedInputs) {
  for (const std::vector<std::uint32_t> &keys : std::vector<std::vector<std::uint32_t>>{
           {}, {7}, {2, 1}, {1, 2, 3}, {3, 3, 3}, {5, 4, 3, 2, 1}, {0, UINT32_MAX, 0, UINT32_MAX}}) {
    std::vector<Item> input = keyed(keys), items = input;
    expect_sorted_stably(input, items);
  }
}

TEST(SortByKey, CatalogLikeOrderWithRepeatsIsSortedStably) {
  // OID order with neighbours swapped, rows moved far (space reused), repeats (files of one file node) and keys
  // across the whole 32-bit range.
  std::mt19937 random(15);
  std::vector<std::uint32_t> keys;
  for (std::uint32_t oid = 16384; keys.size() < 50000; oid += 2)
    keys.push_back(oid);
  for (std::size_t i = 0; i + 1 < keys.size(); i += 3)
    std::swap(keys[i], keys[i + 1]);
  for (int i = 0; i < 2000; i++)
    std::swap(keys[random() % keys.size()], keys[random() % keys.size()]);
  for (int i = 0; i < 3000; i++)
    keys.push_back(keys[random() % keys.size()]);
  for (int i = 0; i < 3000; i++)
    keys.push_back(static_cast<std::uint32_t>(random()));
  const std::vector<Item> input = keyed(keys);

  std::vector<Item> vector = input;
  expect_sorted_stably(input, vector);
  pgo::core::ChunkedArray<Item, 6> chunked;
  for (const Item &i : input)
    chunked.push_back(i);
  expect_sorted_stably(input, chunked);
}
