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

TEST(FkCoverage, PartialCoversOnlyWhenTheLookupImpliesItsPredicate) {
  IndexShape partial = btree({2, 3});
  partial.partial = true;
  partial.index_oid = 4242;
  EXPECT_EQ(pgo::core::fk_coverage(partial, {3, 2}), pgo::core::FkCoverage::CoversIfPredicateImplied);
  EXPECT_EQ(pgo::core::fk_coverage(partial, {2}), pgo::core::FkCoverage::CoversIfPredicateImplied);
  EXPECT_EQ(pgo::core::fk_coverage(partial, {4}), pgo::core::FkCoverage::None);
  EXPECT_EQ(pgo::core::fk_coverage(btree({2}), {2}), pgo::core::FkCoverage::Covers);
  // Without a prover a partial index never covers; the prover is asked only about partial indexes.
  int asked = 0;
  auto proves = [&](const IndexShape &index) {
    asked++;
    return index.index_oid == 4242;
  };
  auto refutes = [](const IndexShape &) { return false; };
  EXPECT_TRUE(index_covers_foreign_key(partial, {2}, proves));
  EXPECT_FALSE(index_covers_foreign_key(partial, {2}, refutes));
  EXPECT_TRUE(index_covers_foreign_key(btree({2}), {2}, refutes));
  EXPECT_FALSE(index_covers_foreign_key(partial, {4}, proves));
  EXPECT_EQ(asked, 1);
  EXPECT_TRUE(any_index_covers({btree({1}), partial}, {2}, proves));
  EXPECT_FALSE(any_index_covers({btree({1}), partial}, {2}));
}

namespace {

using pgo::core::FkCoverage;

TEST(FkCoverage, CompactFormAgreesWithShapes) {
  const pgo::core::AttrNumber keys[] = {3, 2, 7};
  EXPECT_EQ(pgo::core::fk_coverage(AccessMethod::Btree, true, true, false, keys, 3, {2, 3}), FkCoverage::Covers);
  EXPECT_EQ(pgo::core::fk_coverage(AccessMethod::Btree, true, true, true, keys, 3, {2, 3}),
            FkCoverage::CoversIfPredicateImplied);
  EXPECT_EQ(pgo::core::fk_coverage(AccessMethod::Btree, true, true, false, keys, 1, {2, 3}), FkCoverage::None);
  EXPECT_EQ(pgo::core::fk_coverage(AccessMethod::Hash, true, true, false, keys, 3, {2, 3}), FkCoverage::None);
  EXPECT_EQ(pgo::core::fk_coverage(AccessMethod::Hash, true, true, false, keys, 3, {3}), FkCoverage::Covers);
  EXPECT_EQ(pgo::core::fk_coverage(AccessMethod::Btree, false, true, false, keys, 3, {3}), FkCoverage::None);
  EXPECT_EQ(pgo::core::fk_coverage(AccessMethod::Other, true, true, false, keys, 3, {3}), FkCoverage::None);
}

TEST(FkCoverage, MoreColumnsThanTheInlineBuffer) {
  std::vector<pgo::core::AttrNumber> fk, index;
  for (pgo::core::AttrNumber c = 1; c <= 40; c++) {
    fk.push_back(c);
    index.insert(index.begin(), c);
  }
  EXPECT_TRUE(index_covers_foreign_key(btree(index), fk));
  index[0] = 99;
  EXPECT_FALSE(index_covers_foreign_key(btree(index), fk));
}

} // namespace
