#include "core/index_advice.hpp"

#include <gtest/gtest.h>

namespace {

using namespace pgo::core;

using Keys = std::vector<std::vector<std::string>>;

TEST(BtreeKeyOrders, EqualityColumnsLeadMostDistinctFirst) {
  EXPECT_EQ(
      btree_key_orders({{"status", ColumnUse::Equality, false, 3}, {"user_id", ColumnUse::Equality, false, 5000}}, 3),
      (Keys{{"user_id", "status"}}));
}

TEST(BtreeKeyOrders, RangeColumnFollowsEqualityAndDuplicatesGo) {
  EXPECT_EQ(btree_key_orders({{"user_id", ColumnUse::Equality, false, 0},
                              {"service_date", ColumnUse::Range, false, 0},
                              {"user_id", ColumnUse::Equality, false, 0},
                              {"price", ColumnUse::Range, false, 0}},
                             3),
            (Keys{{"user_id", "service_date"}, {"user_id", "service_date", "price"}}));
}

TEST(BtreeKeyOrders, FurtherRangeColumnsGiveASecondChoice) {
  EXPECT_EQ(btree_key_orders({{"latitude", ColumnUse::Range, false, 0}, {"longitude", ColumnUse::Range, false, 0}}, 3),
            (Keys{{"latitude"}, {"latitude", "longitude"}}));
  // max_columns cuts the longer list down to the shorter one: one choice
  EXPECT_EQ(btree_key_orders({{"user_id", ColumnUse::Equality, false, 0},
                              {"latitude", ColumnUse::Range, false, 0},
                              {"longitude", ColumnUse::Range, false, 0}},
                             2),
            (Keys{{"user_id", "latitude"}}));
}

TEST(BtreeKeyOrders, OrderByAfterEqualityKeepsDirection) {
  EXPECT_EQ(
      btree_key_orders({{"user_id", ColumnUse::Equality, false, 0}, {"created_at", ColumnUse::OrderBy, true, 0}}, 3),
      (Keys{{"user_id", "created_at DESC"}}));
}

TEST(BtreeKeyOrders, RangeAndDifferentOrderGiveTwoChoices) {
  EXPECT_EQ(btree_key_orders({{"user_id", ColumnUse::Equality, false, 0},
                              {"price", ColumnUse::Range, false, 0},
                              {"created_at", ColumnUse::OrderBy, false, 0}},
                             3),
            (Keys{{"user_id", "price"}, {"user_id", "created_at"}}));
}

TEST(BtreeKeyOrders, OrderStartingWithTheRangeColumnIsOneIndex) {
  EXPECT_EQ(btree_key_orders({{"lat", ColumnUse::Range, false, 0}, {"lat", ColumnUse::OrderBy, false, 0}}, 3),
            (Keys{{"lat"}}));
}

TEST(BtreeKeyOrders, OrderByAnEqualityColumnIsIgnoredAndMaxColumnsCuts) {
  EXPECT_EQ(btree_key_orders({{"a", ColumnUse::Equality, false, 0},
                              {"b", ColumnUse::Equality, false, 0},
                              {"a", ColumnUse::OrderBy, false, 0},
                              {"c", ColumnUse::OrderBy, false, 0}},
                             2),
            (Keys{{"a", "b"}}));
}

TEST(BtreeKeyOrders, NothingIndexableIsEmpty) { EXPECT_TRUE(btree_key_orders({}, 3).empty()); }

TEST(CoveredBy, PrefixOfAnExistingIndexIsCovered) {
  const IndexKeyShape existing{"btree", {"user_id", "created_at"}, ""};
  EXPECT_TRUE(covered_by({"btree", {"user_id"}, ""}, existing));
  EXPECT_TRUE(covered_by({"btree", {"user_id", "created_at DESC"}, ""}, existing));
  EXPECT_FALSE(covered_by({"btree", {"created_at"}, ""}, existing));
  EXPECT_FALSE(covered_by({"btree", {"user_id", "created_at", "id"}, ""}, existing));
}

TEST(CoveredBy, PredicateAndAccessMethodMustMatch) {
  EXPECT_FALSE(covered_by({"btree", {"user_id"}, "is_favorite"}, {"btree", {"user_id"}, ""}));
  EXPECT_TRUE(covered_by({"btree", {"user_id"}, "is_favorite"}, {"btree", {"user_id"}, "is_favorite"}));
  EXPECT_FALSE(covered_by({"gin", {"metadata"}, ""}, {"btree", {"metadata"}, ""}));
}

TEST(CoveredBy, GinKeysInAnyOrder) {
  EXPECT_TRUE(covered_by({"gin", {"tags"}, ""}, {"gin", {"metadata", "tags"}, ""}));
  EXPECT_FALSE(covered_by({"gin", {"tags"}, ""}, {"gin", {"metadata"}, ""}));
}

TEST(IndexSize, SmallBtreeIsARootLeafAndAMetapage) {
  const IndexSize s = estimate_btree_size(100, 4);
  EXPECT_EQ(s.pages, 2);
  EXPECT_EQ(s.tree_height, 0);
  EXPECT_EQ(s.bytes(), 2 * 8192);
}

TEST(IndexSize, MillionIntegerKeysMatchWhatABuildWrites) {
  // A fresh btree on one int4 column of a million rows is 2745 pages (22 MB) in PostgreSQL 15: 16-byte entries plus
  // a line pointer, 90% full leaves. The estimate lands within a few percent and two levels high.
  const IndexSize s = estimate_btree_size(1e6, 4);
  EXPECT_NEAR(s.pages, 2745, 2745 * 0.05);
  EXPECT_EQ(s.tree_height, 2);
}

TEST(CallsPerDay, ABurstCountsOverAtLeastAnHour) {
  EXPECT_DOUBLE_EQ(calls_per_day(30, 60), 30 * 24); // 30 calls in the first minute: not 43,200 a day
  EXPECT_DOUBLE_EQ(calls_per_day(30, 3600), 30 * 24);
  EXPECT_DOUBLE_EQ(calls_per_day(100, 2 * 86400), 50); // two days observed
  EXPECT_DOUBLE_EQ(calls_per_day(-1, 10), 0);
}

TEST(ChooseIndexes, OneIndexServingManyStatementsWins) {
  // Three statements on one table; candidate 0 serves statement 0 a lot, candidate 1 serves all three well.
  const std::vector<AdviceStatement> statements{{100, 1000, 10}, {100, 1000, 10}, {100, 1000, 10}};
  const std::vector<AdviceCandidate> candidates{{{1, 90, 90}, 0}, {{5, 5, 5}, 0}};
  const std::vector<AdviceChoice> chosen = choose_indexes(statements, candidates, 20);
  ASSERT_EQ(chosen.size(), 1u); // candidate 0 no longer saves 20% of anything once candidate 1 is taken
  EXPECT_EQ(chosen[0].candidate, 1);
  EXPECT_EQ(chosen[0].statements, (std::vector<int>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(chosen[0].cost_before, 300);
  EXPECT_DOUBLE_EQ(chosen[0].cost_after, 15);
  EXPECT_DOUBLE_EQ(chosen[0].saved_ms_per_day, 3 * 1000 * 10 * 0.95);
}

TEST(ChooseIndexes, SecondChoiceCountsOnlyWhatItAddsAndSmallSavingsAreDropped) {
  const std::vector<AdviceStatement> statements{{100, 10, 1}, {100, 10, 1}};
  const std::vector<AdviceCandidate> candidates{{{10, -1}, 0}, {{-1, 10}, 0}, {{95, 95}, 0}};
  const std::vector<AdviceChoice> chosen = choose_indexes(statements, candidates, 20);
  ASSERT_EQ(chosen.size(), 2u);
  EXPECT_EQ(chosen[0].statements, (std::vector<int>{0}));
  EXPECT_EQ(chosen[1].statements, (std::vector<int>{1}));
}

TEST(ChooseIndexes, WriteCostAboveTheSavingVetoes) {
  const std::vector<AdviceStatement> statements{{100, 10, 1}};
  EXPECT_TRUE(choose_indexes(statements, {{{10}, 100}}, 20).empty());
  EXPECT_EQ(choose_indexes(statements, {{{10}, 1}}, 20).size(), 1u);
}

// Replacement: an existing (user_id) btree and candidates built from it.
KeyColumn int_key(int column, bool descending = false) {
  return {column, 1976, 23, 0, descending, descending}; // integer_ops, int4, no collation
}

ReplaceableIndex btree(std::vector<KeyColumn> keys) {
  ReplaceableIndex i;
  i.access_method = "btree";
  i.keys = std::move(keys);
  return i;
}

TEST(MayExtend, ALongerIndexWithTheSameLeadingKeysReplacesAPlainOne) {
  const ReplaceableIndex existing = btree({int_key(2)});
  EXPECT_TRUE(may_extend(existing, btree({int_key(2), int_key(4, true)})));
  // not a strict prefix: the same keys, other keys first, or nothing shared
  EXPECT_FALSE(may_extend(existing, btree({int_key(2)})));
  EXPECT_FALSE(may_extend(existing, btree({int_key(4), int_key(2)})));
  EXPECT_FALSE(may_extend(btree({int_key(2), int_key(4)}), btree({int_key(2), int_key(5), int_key(4)})));
}

TEST(MayExtend, IndexesThatEnforceSomethingStay) {
  const ReplaceableIndex candidate = btree({int_key(2), int_key(4)});
  for (bool ReplaceableIndex::*flag :
       {&ReplaceableIndex::unique, &ReplaceableIndex::primary, &ReplaceableIndex::exclusion,
        &ReplaceableIndex::replica_identity, &ReplaceableIndex::constraint_backed, &ReplaceableIndex::attached,
        &ReplaceableIndex::partial}) {
    ReplaceableIndex existing = btree({int_key(2)});
    existing.*flag = true;
    EXPECT_FALSE(may_extend(existing, candidate));
  }
  ReplaceableIndex invalid = btree({int_key(2)});
  invalid.valid = false;
  EXPECT_FALSE(may_extend(invalid, candidate));
  ReplaceableIndex hash = btree({int_key(2)});
  hash.access_method = "hash";
  EXPECT_FALSE(may_extend(hash, candidate));
}

TEST(MayExtend, TheSharedKeysMustBeTheSameKeys) {
  const ReplaceableIndex existing = btree({int_key(2)});
  KeyColumn other = int_key(2);
  other.descending = true; // another order
  EXPECT_FALSE(may_extend(existing, btree({other, int_key(4)})));
  other = int_key(2);
  other.nulls_first = true;
  EXPECT_FALSE(may_extend(existing, btree({other, int_key(4)})));
  other = int_key(2);
  other.opfamily = 9999; // another operator class
  EXPECT_FALSE(may_extend(existing, btree({other, int_key(4)})));
  other = int_key(2);
  other.collation = 950; // another collation
  EXPECT_FALSE(may_extend(existing, btree({other, int_key(4)})));
  // an expression key is never extended
  EXPECT_FALSE(may_extend(btree({int_key(0)}), btree({int_key(0), int_key(4)})));
}

TEST(MayExtend, TheCandidateMustBeAValidFullIndexStoringEveryColumn) {
  ReplaceableIndex existing = btree({int_key(2)});
  ReplaceableIndex candidate = btree({int_key(2), int_key(4)});
  candidate.partial = true;
  EXPECT_FALSE(may_extend(existing, candidate));
  candidate.partial = false;
  candidate.valid = false;
  EXPECT_FALSE(may_extend(existing, candidate));
  candidate.valid = true;
  // INCLUDE (id): the candidate must store id too, as a key or an INCLUDE column
  existing.include_columns = {1};
  EXPECT_FALSE(may_extend(existing, candidate));
  EXPECT_TRUE(may_extend(existing, btree({int_key(2), int_key(1)})));
  candidate.include_columns = {1};
  EXPECT_TRUE(may_extend(existing, candidate));
}

TEST(IndexToExtend, TheLongestReplaceablePrefixWins) {
  ReplaceableIndex unique = btree({int_key(2), int_key(3)});
  unique.unique = true;
  const std::vector<ReplaceableIndex> existing{btree({int_key(2)}), btree({int_key(2), int_key(3)}), unique,
                                               btree({int_key(5)})};
  EXPECT_EQ(index_to_extend(existing, btree({int_key(2), int_key(3), int_key(4)})), 1);
  EXPECT_EQ(index_to_extend(existing, btree({int_key(2), int_key(4)})), 0);
  EXPECT_EQ(index_to_extend(existing, btree({int_key(4), int_key(2)})), -1);
  EXPECT_EQ(index_to_extend({}, btree({int_key(2), int_key(4)})), -1);
}

TEST(NoStatementWorse, WithinTheToleranceOnly) {
  EXPECT_TRUE(no_statement_worse({100, 50, 7}, {10, 50 * (1 + kReplaceTolerance), -1}));
  EXPECT_FALSE(no_statement_worse({100, 50}, {10, 50 * (1 + kReplaceTolerance) + 0.01}));
  EXPECT_TRUE(no_statement_worse({100}, {-1}));
}

TEST(ReplacementWriteShare, OnlyTheExtraBytes) {
  EXPECT_DOUBLE_EQ(replacement_write_share(4, 12), 8.0 / (8 + 4 + 12));
  EXPECT_DOUBLE_EQ(replacement_write_share(12, 12), 0);
  EXPECT_DOUBLE_EQ(replacement_write_share(12, 4), 0);
  EXPECT_LT(replacement_write_share(4, 12), 1);
}

TEST(ChooseIndexes, AReplacementIsPreferredToTheSameIndexAdded) {
  const std::vector<AdviceStatement> statements{{100, 10, 1}};
  // candidate 0 adds the index, candidate 1 is the same index replacing existing index 42
  std::vector<AdviceCandidate> candidates{{{10}, 0, 0, 0}, {{10}, 0, 0, 42}};
  std::vector<AdviceChoice> chosen = choose_indexes(statements, candidates, 20);
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0].candidate, 1);
  // even when the replacement saves a little less (the dropped index served its statement slightly better)
  candidates[1].cost_after = {10.5};
  chosen = choose_indexes(statements, candidates, 20);
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0].candidate, 1);
  // a replacement that saves nothing leaves the way to the index added
  candidates[1].cost_after = {95};
  chosen = choose_indexes(statements, candidates, 20);
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0].candidate, 0);
}

TEST(ChooseIndexes, OneExistingIndexIsReplacedOnce) {
  // Two statements, two extensions of the same existing index 42, each also possible as an added index.
  const std::vector<AdviceStatement> statements{{100, 10, 1}, {100, 10, 1}};
  const std::vector<AdviceCandidate> candidates{
      {{10, -1}, 0, 0, 0}, {{10, -1}, 0, 0, 42}, {{-1, 20}, 0, 1, 0}, {{-1, 20}, 0, 1, 42}};
  const std::vector<AdviceChoice> chosen = choose_indexes(statements, candidates, 20);
  ASSERT_EQ(chosen.size(), 2u);
  EXPECT_EQ(chosen[0].candidate, 1); // the larger saving replaces index 42
  EXPECT_EQ(chosen[1].candidate, 2); // the other is added beside it
}

} // namespace
