#include "core/top_n.hpp"

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

using pgo::core::TopN;

TEST(TopN, KeepsTheSmallestKeysInOrderAndCountsEveryOffer) {
  TopN<int, std::string> top(3);
  for (int k : {7, 3, 9, 1, 8, 2, 6})
    top.offer(k, std::to_string(k));
  EXPECT_EQ(top.offered(), 7u);
  EXPECT_EQ(top.take_sorted(), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(top.offered(), 7u);
}

TEST(TopN, FewerOffersThanTheLimitKeepsThemAll) {
  TopN<int, int> top(50);
  top.offer(2, 20);
  top.offer(1, 10);
  EXPECT_EQ(top.take_sorted(), (std::vector<int>{10, 20}));
  EXPECT_EQ(top.offered(), 2u);
}

TEST(TopN, BuildsValuesOnlyForKeysThatAreKept) {
  TopN<int, int> top(2);
  int built = 0;
  // Ascending keys: after the first two, none beats the largest kept, so none is built.
  for (int k = 0; k < 1000; k++)
    top.offer_with(k, [&] { return ++built, k; });
  EXPECT_EQ(built, 2);
  EXPECT_EQ(top.offered(), 1000u);
  EXPECT_EQ(top.take_sorted(), (std::vector<int>{0, 1}));
}

TEST(TopN, WouldKeepAndSkipAgreeWithOffer) {
  TopN<int, int> top(1);
  EXPECT_TRUE(top.would_keep(5));
  top.offer(5, 5);
  EXPECT_FALSE(top.would_keep(6));
  EXPECT_FALSE(top.would_keep(5)); // an equal key does not displace the one found first
  top.skip();
  EXPECT_TRUE(top.would_keep(4));
  EXPECT_EQ(top.offered(), 2u);
}

TEST(TopN, ZeroLimitKeepsNothingButCounts) {
  TopN<int, int> top(0);
  top.offer(1, 1);
  EXPECT_FALSE(top.would_keep(0));
  EXPECT_TRUE(top.take_sorted().empty());
  EXPECT_EQ(top.offered(), 1u);
}

// The report's ranking: (priority, size descending, order found), against sorting everything.
TEST(TopN, MatchesAFullSortOnRandomRanks) {
  using Rank = std::tuple<int, long long, std::size_t>;
  std::mt19937 random(16);
  std::vector<Rank> all;
  TopN<Rank, Rank> top(50);
  for (std::size_t i = 0; i < 20000; i++) {
    const Rank r{static_cast<int>(random() % 3) + 1, -static_cast<long long>(random() % 100), i};
    all.push_back(r);
    top.offer(r, r);
  }
  std::sort(all.begin(), all.end());
  all.resize(50);
  EXPECT_EQ(top.take_sorted(), all);
}
