#include "core/chunked_array.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

using pgo::core::ChunkedArray;

TEST(ChunkedArray, GrowsAcrossChunksKeepingEveryElement) {
  ChunkedArray<std::pair<std::uint32_t, int>, 3> a; // chunks of 8
  EXPECT_TRUE(a.empty());
  for (int i = 0; i < 100; i++)
    a.emplace_back(static_cast<std::uint32_t>(i * 7), -i);
  ASSERT_EQ(a.size(), 100u);
  EXPECT_EQ(a.front().second, 0);
  EXPECT_EQ(a.back().first, 99u * 7);
  for (int i = 0; i < 100; i++)
    EXPECT_EQ(a[static_cast<std::size_t>(i)].second, -i);
  int seen = 0;
  for (const auto &[key, value] : a) {
    EXPECT_EQ(key, static_cast<std::uint32_t>(seen) * 7);
    EXPECT_EQ(value, -seen);
    seen++;
  }
  EXPECT_EQ(seen, 100);
  EXPECT_EQ(a.end() - a.begin(), 100);
}

TEST(ChunkedArray, SortsAndSearchesLikeAVector) {
  std::mt19937 random(7);
  ChunkedArray<std::uint32_t, 4> a;
  std::vector<std::uint32_t> v;
  for (int i = 0; i < 5000; i++) {
    const auto x = static_cast<std::uint32_t>(random() % 3000); // repeats too
    a.push_back(x);
    v.push_back(x);
  }
  std::sort(a.begin(), a.end());
  std::sort(v.begin(), v.end());
  ASSERT_TRUE(std::equal(a.begin(), a.end(), v.begin(), v.end()));
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  for (std::uint32_t key : {0u, 1u, 1500u, 2999u, 3000u}) {
    const auto [first, last] = std::equal_range(a.begin(), a.end(), key);
    const auto [vfirst, vlast] = std::equal_range(v.begin(), v.end(), key);
    EXPECT_EQ(first - a.begin(), vfirst - v.begin());
    EXPECT_EQ(last - a.begin(), vlast - v.begin());
  }
  const ChunkedArray<std::uint32_t, 4> &c = a;
  EXPECT_EQ(*(c.begin() + 10), v[10]);
  EXPECT_EQ(c.begin()[4999], v[4999]);
  auto it = c.end();
  --it;
  EXPECT_EQ(*it, v.back());
}
