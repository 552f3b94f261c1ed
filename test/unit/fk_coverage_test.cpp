#include "core/fk_coverage.hpp"

#include <gtest/gtest.h>

namespace {

using pgo::core::AccessMethod;
using pgo::core::any_index_covers;
using pgo::core::index_covers_foreign_key;
using pgo::core::IndexShape;

IndexShape btree(std::vector<pgo::core::AttrNumber> keys) {
  IndexShape s;
  s.am = AccessMethod::Btree;
  s.valid = s.ready = true;
  s.key_columns = std::move(keys);
  return s;
}

TEST(FkCoverage, ExactSingleColumn) { EXPECT_TRUE(index_covers_foreign_key(btree({2}), {2})); }

TEST(FkCoverage, LeadingColumnOfComposite) { EXPECT_TRUE(index_covers_foreign_key(btree({2, 5}), {2})); }

TEST(FkCoverage, TrailingColumnDoesNotCover) { EXPECT_FALSE(index_covers_foreign_key(btree({5, 2}), {2})); }

TEST(FkCoverage, MultiColumnAnyOrder) {
  EXPECT_TRUE(index_covers_foreign_key(btree({3, 2}), {2, 3}));
  EXPECT_TRUE(index_covers_foreign_key(btree({3, 2, 7}), {2, 3}));
}

TEST(FkCoverage, OneOfTwoColumnsDoesNotCover) {
  EXPECT_FALSE(index_covers_foreign_key(btree({2}), {2, 3}));
  EXPECT_FALSE(index_covers_foreign_key(btree({2, 7, 3}), {2, 3}));
}

TEST(FkCoverage, ExpressionColumnNeverMatches) { EXPECT_FALSE(index_covers_foreign_key(btree({0}), {2})); }

TEST(FkCoverage, PartialInvalidOrNotReadyDoesNotCover) {
  IndexShape partial = btree({2});
  partial.partial = true;
  IndexShape invalid = btree({2});
  invalid.valid = false;
  IndexShape not_ready = btree({2});
  not_ready.ready = false;
  EXPECT_FALSE(index_covers_foreign_key(partial, {2}));
  EXPECT_FALSE(index_covers_foreign_key(invalid, {2}));
  EXPECT_FALSE(index_covers_foreign_key(not_ready, {2}));
}

TEST(FkCoverage, HashOnlyForOneColumn) {
  IndexShape hash = btree({2});
  hash.am = AccessMethod::Hash;
  EXPECT_TRUE(index_covers_foreign_key(hash, {2}));
  IndexShape hash2 = btree({2, 3});
  hash2.am = AccessMethod::Hash;
  EXPECT_FALSE(index_covers_foreign_key(hash2, {2, 3}));
}

TEST(FkCoverage, OtherAccessMethodsDoNotCover) {
  IndexShape gin = btree({2});
  gin.am = AccessMethod::Other;
  EXPECT_FALSE(index_covers_foreign_key(gin, {2}));
}

TEST(FkCoverage, EmptyForeignKeyIsNeverCovered) { EXPECT_FALSE(index_covers_foreign_key(btree({2}), {})); }

TEST(FkCoverage, DuplicateIndexColumnsDoNotFakeASet) { EXPECT_FALSE(index_covers_foreign_key(btree({2, 2}), {2, 3})); }

TEST(FkCoverage, AnyOfSeveral) {
  EXPECT_FALSE(any_index_covers({}, {2}));
  EXPECT_FALSE(any_index_covers({btree({1}), btree({3})}, {1, 3})); // two single-column indexes are not one
  EXPECT_TRUE(any_index_covers({btree({1}), btree({3, 1})}, {1, 3}));
}

} // namespace
