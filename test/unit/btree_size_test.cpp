#include "core/index_advice.hpp"

#include <gtest/gtest.h>

using pgo::core::estimate_btree_size;
using pgo::core::IndexSize;

// Deduplication (PostgreSQL 13 and later): the rows of one key share a posting list tuple.
TEST(BtreeSize, DeduplicatedKeysMatchWhatABuildWrites) {
  // CREATE INDEX on an int4 column of 30000 rows, 500 values of 60 rows each: 27 pages in PostgreSQL 15
  // (sql/hypothetical_estimates.sql builds it); without deduplication it would be 84.
  const IndexSize dedup = estimate_btree_size(30000, 4, 90, 8192, 60);
  EXPECT_NEAR(dedup.pages, 27, 2);
  EXPECT_EQ(dedup.tree_height, 1);
  EXPECT_NEAR(estimate_btree_size(30000, 4).pages, 84, 2);
}

TEST(BtreeSize, FewerThanTwoRowsAKeyIsNotDeduplicated) {
  EXPECT_EQ(estimate_btree_size(1e6, 8, 90, 8192, 1.5).pages, estimate_btree_size(1e6, 8).pages);
}

TEST(BtreeSize, LongPostingListsCostAboutSixBytesARow) {
  // A posting list tuple holds at most a few hundred row pointers: a key of 100000 rows is several tuples.
  const IndexSize s = estimate_btree_size(1e6, 4, 100, 8192, 1e5);
  const double leaf_bytes = (s.pages - 2) * (8192 - 40);
  EXPECT_GT(leaf_bytes / 1e6, 6.0);
  EXPECT_LT(leaf_bytes / 1e6, 6.3);
}
