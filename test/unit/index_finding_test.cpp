#include "core/index_finding.hpp"

#include <gtest/gtest.h>

using pgo::core::IndexFinding;
using pgo::core::IndexFindingInput;
using pgo::core::KeptReason;

namespace {

IndexFindingInput finding(IndexFinding f, bool partitioned = false) {
  IndexFindingInput in;
  in.finding = f;
  in.index = "app.\"Orders idx\"";
  in.partitioned = partitioned;
  in.bytes = 90112;
  in.bloat_bytes = 5LL * 1024 * 1024 * 1024 + 512LL * 1024 * 1024;
  in.replacement = "app.orders_customer_created";
  return in;
}

} // namespace

TEST(IndexFinding, NothingToDoHasNoTexts) {
  EXPECT_EQ(pgo::core::index_finding_sql(finding(IndexFinding::None)), "");
  EXPECT_EQ(pgo::core::index_finding_recommendation(finding(IndexFinding::None)), "");
}

TEST(IndexFinding, DropsAreConcurrentExceptForAPartitionedIndex) {
  for (IndexFinding f : {IndexFinding::DropInvalid, IndexFinding::DropDuplicate, IndexFinding::DropRedundant,
                         IndexFinding::DropUnused}) {
    EXPECT_EQ(pgo::core::index_finding_sql(finding(f)), "DROP INDEX CONCURRENTLY app.\"Orders idx\";");
    EXPECT_EQ(pgo::core::index_finding_sql(finding(f, true)), "DROP INDEX app.\"Orders idx\";");
  }
}

TEST(IndexFinding, EachDropNamesItsReasonAndStatement) {
  EXPECT_EQ(pgo::core::index_finding_recommendation(finding(IndexFinding::DropDuplicate)),
            "duplicate of app.orders_customer_created: DROP INDEX CONCURRENTLY app.\"Orders idx\";");
  EXPECT_EQ(pgo::core::index_finding_recommendation(finding(IndexFinding::DropRedundant)),
            "its columns lead app.orders_customer_created, which serves the same lookups: DROP INDEX CONCURRENTLY "
            "app.\"Orders idx\";");
  EXPECT_EQ(pgo::core::index_finding_recommendation(finding(IndexFinding::DropUnused)),
            "never scanned since the statistics were reset (88 kB to maintain on every write): DROP INDEX "
            "CONCURRENTLY app.\"Orders idx\";");
  EXPECT_EQ(pgo::core::index_finding_recommendation(finding(IndexFinding::DropInvalid)),
            "invalid: left by a failed CREATE INDEX or REINDEX CONCURRENTLY, maintained on every write and never used; "
            "remove it with DROP INDEX CONCURRENTLY app.\"Orders idx\"; and build it again once the cause (duplicate "
            "keys, a cancelled build) is fixed");
}

TEST(IndexFinding, APartitionedDropSaysItTakesThePartitionsAlong) {
  EXPECT_EQ(pgo::core::index_finding_recommendation(finding(IndexFinding::DropUnused, true)),
            "never scanned since the statistics were reset (88 kB to maintain on every write): DROP INDEX "
            "app.\"Orders idx\"; (a partitioned index: the drop removes its partitions' indexes too and locks the "
            "tables briefly)");
}

TEST(IndexFinding, ReindexNamesTheBloat) {
  EXPECT_EQ(pgo::core::index_finding_sql(finding(IndexFinding::Reindex)),
            "REINDEX INDEX CONCURRENTLY app.\"Orders idx\";");
  EXPECT_EQ(pgo::core::index_finding_recommendation(finding(IndexFinding::Reindex)),
            "about 5.5 GB of bloat: REINDEX INDEX CONCURRENTLY app.\"Orders idx\";");
}

TEST(IndexFinding, KeptReasonsNameWhatHoldsTheIndex) {
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::None), "");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::OnlyIndexLeftForForeignKey, "orders_customer_fkey"),
            "the only index left for foreign key orders_customer_fkey");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::AttachedToPartitioned, "app.events_at_idx"),
            "attached to partitioned index app.events_at_idx (advice goes to that one)");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::ConstraintNeedsIt, "orders_code_key", 'u'),
            "constraint orders_code_key needs it");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::ConstraintNeedsIt, "lines_order_fkey", 'f'),
            "foreign key lines_order_fkey needs it");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::ConstraintNeedsIt, "no_overlap", 'x'),
            "exclusion constraint no_overlap needs it");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::PrimaryKey), "primary key");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::ReplacementsDropped),
            "the indexes that would serve its lookups instead are advised for dropping");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::ExclusionConstraint), "exclusion constraint");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::ReplicaIdentity), "replica identity");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::EnforcesUniqueness), "enforces uniqueness");
  EXPECT_EQ(pgo::core::kept_reason_text(KeptReason::OnlyIndexOfForeignKey), "the only index of a foreign key");
}
