#include "core/maintenance_math.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

namespace {

using pgo::core::AnalyzeInputs;
using pgo::core::VacuumInputs;

VacuumInputs table(double reltuples, std::int64_t dead, std::int64_t inserts = 0) {
  VacuumInputs in;
  in.reltuples = reltuples;
  in.dead_tuples = dead;
  in.inserts_since_vacuum = inserts;
  return in;
}

AnalyzeInputs modified(double reltuples, std::int64_t mod_since_analyze) {
  AnalyzeInputs in;
  in.reltuples = reltuples;
  in.mod_since_analyze = mod_since_analyze;
  return in;
}

// Defaults on 1000 rows: 50 + 0.2 * 1000 = 250 dead tuples; autovacuum wants strictly more.
TEST(VacuumNeeded, DeadTuplesAroundTheThreshold) {
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(table(1000, 0)).dead_tuples, 250);
  EXPECT_FALSE(pgo::core::vacuum_needed(table(1000, 249)));
  EXPECT_FALSE(pgo::core::vacuum_needed(table(1000, 250)));
  EXPECT_TRUE(pgo::core::vacuum_needed(table(1000, 251)));
}

// Inserts on 1000 rows: 1000 + 0.2 * 1000 = 1200.
TEST(VacuumNeeded, InsertsAroundTheThreshold) {
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(table(1000, 0)).inserts.value_or(-1), 1200);
  EXPECT_FALSE(pgo::core::vacuum_needed(table(1000, 0, 1200)));
  EXPECT_TRUE(pgo::core::vacuum_needed(table(1000, 0, 1201)));
  EXPECT_FALSE(pgo::core::vacuum_needed(table(1000, 250, 1200))); // neither crosses, so no vacuum
}

// insert_threshold -1 turns insert-driven vacuum off however many rows arrive.
TEST(VacuumNeeded, InsertVacuumDisabled) {
  VacuumInputs in = table(1000, 0, 1000000000);
  in.insert_threshold = -1;
  EXPECT_FALSE(pgo::core::vacuum_thresholds(in).inserts.has_value());
  EXPECT_FALSE(pgo::core::vacuum_needed(in));
  in.dead_tuples = 251; // dead tuples still count
  EXPECT_TRUE(pgo::core::vacuum_needed(in));
}

// Never vacuumed or analyzed (reltuples -1) counts as 0 rows: thresholds 50 dead and 1000 inserts.
TEST(VacuumNeeded, UnknownReltuplesCountAsZero) {
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(table(-1, 0)).dead_tuples, 50);
  EXPECT_FALSE(pgo::core::vacuum_needed(table(-1, 50)));
  EXPECT_TRUE(pgo::core::vacuum_needed(table(-1, 51)));
  EXPECT_FALSE(pgo::core::vacuum_needed(table(-1, 0, 1000)));
  EXPECT_TRUE(pgo::core::vacuum_needed(table(-1, 0, 1001)));
  EXPECT_FALSE(pgo::core::vacuum_needed(table(0, 50, 1000))); // an empty table: the same thresholds
  EXPECT_FALSE(pgo::core::vacuum_needed(table(-1, 0, 0)));
}

// Threshold 0 and scale 0: any dead tuple at all.
TEST(VacuumNeeded, ZeroThreshold) {
  VacuumInputs in = table(1000000, 0);
  in.vacuum_threshold = 0;
  in.vacuum_scale_factor = 0;
  EXPECT_FALSE(pgo::core::vacuum_needed(in));
  in.dead_tuples = 1;
  EXPECT_TRUE(pgo::core::vacuum_needed(in));
}

// PostgreSQL 18 caps vacthresh at autovacuum_vacuum_max_threshold. 1e9 rows: 50 + 0.2 * 1e9 = 200,000,050, which
// float4 holds as 200,000,048; capped at 100,000,000. Near 1e8 float4 steps by 8: 100,000,004 rounds (to even) down to
// 100,000,000, not above it; 100,000,005 rounds up to 100,000,008.
TEST(VacuumNeeded, MaxThresholdCaps) {
  VacuumInputs in = table(1e9, 0);
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).dead_tuples, 200000048);
  in.vacuum_max_threshold = 100000000;
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).dead_tuples, 100000000);
  in.dead_tuples = 100000000;
  EXPECT_FALSE(pgo::core::vacuum_needed(in));
  in.dead_tuples = 100000004;
  EXPECT_FALSE(pgo::core::vacuum_needed(in));
  in.dead_tuples = 100000005;
  EXPECT_TRUE(pgo::core::vacuum_needed(in));
}

TEST(VacuumNeeded, MaxThresholdDisabledOrAbove) {
  VacuumInputs in = table(1e9, 0);
  in.vacuum_max_threshold = -1;
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).dead_tuples, 200000048);
  in = table(1000, 251);
  in.vacuum_max_threshold = 100000000; // far above 250: no effect
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).dead_tuples, 250);
  EXPECT_TRUE(pgo::core::vacuum_needed(in));
  in.vacuum_max_threshold = 0; // a cap of 0: any dead tuple
  in.dead_tuples = 1;
  EXPECT_TRUE(pgo::core::vacuum_needed(in));
  in.dead_tuples = 0;
  EXPECT_FALSE(pgo::core::vacuum_needed(in));
}

// The comparison is in float4, as in autovacuum: near 2e8 float4 steps by 16, so 200,000,055 dead tuples read as
// 200,000,048 and do not cross the 200,000,048 threshold although above 200,000,050; 200,000,057 reads as 200,000,064.
TEST(VacuumNeeded, ComparedInFloat4) {
  EXPECT_FALSE(pgo::core::vacuum_needed(table(1e9, 200000055)));
  EXPECT_TRUE(pgo::core::vacuum_needed(table(1e9, 200000057)));
}

// PostgreSQL 18: 1,000,000 rows on 10,000 pages of which 9,000 all-frozen: inserts count against the unfrozen 10%,
// 1000 + 0.2 * 1,000,000 * 0.1 = 21,000 (float4: 21,000.004). Without relallfrozen: 1000 + 200,000 = 201,000. The dead
// tuple threshold is not scaled: 50 + 200,000 = 200,050.
TEST(VacuumNeeded, UnfrozenShareScalesTheInsertThreshold) {
  VacuumInputs in = table(1e6, 0, 21000);
  in.relpages = 10000;
  in.relallfrozen = 9000;
  EXPECT_NEAR(pgo::core::vacuum_thresholds(in).inserts.value_or(-1), 21000, 0.01);
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).dead_tuples, 200050);
  EXPECT_FALSE(pgo::core::vacuum_needed(in));
  in.inserts_since_vacuum = 21001;
  EXPECT_TRUE(pgo::core::vacuum_needed(in));

  in.relallfrozen.reset();
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).inserts.value_or(-1), 201000);
  EXPECT_FALSE(pgo::core::vacuum_needed(in));
}

// relallfrozen above relpages (stats set by hand) is clamped: all frozen, the insert threshold is the base 1000. No
// pages or no frozen pages: the share is 1.
TEST(VacuumNeeded, UnfrozenShareEdges) {
  VacuumInputs in = table(1e6, 0);
  in.relpages = 10000;
  in.relallfrozen = 20000;
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).inserts.value_or(-1), 1000);
  in.inserts_since_vacuum = 1001;
  EXPECT_TRUE(pgo::core::vacuum_needed(in));
  in.relpages = 0;
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).inserts.value_or(-1), 201000);
  in.relpages = 10000;
  in.relallfrozen = 0;
  EXPECT_DOUBLE_EQ(pgo::core::vacuum_thresholds(in).inserts.value_or(-1), 201000);
}

// Defaults on 1000 rows: 50 + 0.1 * 1000 = 150 modified rows; strictly more.
TEST(AnalyzeNeeded, AroundTheThreshold) {
  EXPECT_DOUBLE_EQ(pgo::core::analyze_threshold(modified(1000, 0)), 150);
  EXPECT_FALSE(pgo::core::analyze_needed(modified(1000, 150)));
  EXPECT_TRUE(pgo::core::analyze_needed(modified(1000, 151)));
}

TEST(AnalyzeNeeded, UnknownReltuplesCountAsZero) {
  EXPECT_DOUBLE_EQ(pgo::core::analyze_threshold(modified(-1, 0)), 50);
  EXPECT_FALSE(pgo::core::analyze_needed(modified(-1, 50)));
  EXPECT_TRUE(pgo::core::analyze_needed(modified(-1, 51)));
}

// Threshold 0 and scale 0.05 on 1,000,000 rows: 50,000.
TEST(AnalyzeNeeded, OwnSettings) {
  AnalyzeInputs in = modified(1e6, 50000);
  in.threshold = 0;
  in.scale_factor = 0.05;
  EXPECT_DOUBLE_EQ(pgo::core::analyze_threshold(in), 50000);
  EXPECT_FALSE(pgo::core::analyze_needed(in));
  in.mod_since_analyze = 50001;
  EXPECT_TRUE(pgo::core::analyze_needed(in));
}

// 2^31 - 1 - 3,000,000 = 2,144,483,647. The default autovacuum_freeze_max_age, 200,000,000, is 9.3263% of it.
TEST(XidAge, ShareOfTheUsableSpan) {
  EXPECT_EQ(pgo::core::kXidStopAge, 2144483647);
  EXPECT_DOUBLE_EQ(pgo::core::xid_age_pct(pgo::core::kXidStopAge), 100);
  EXPECT_NEAR(pgo::core::xid_age_pct(pgo::core::kDefaultFreezeMaxAge), 9.3263, 0.0001);
  EXPECT_DOUBLE_EQ(pgo::core::xid_age_pct(0), 0);
  EXPECT_DOUBLE_EQ(pgo::core::xid_age_pct(-5), 0);
  EXPECT_NEAR(pgo::core::xid_age_pct(2147483647), 100.1399, 0.0001); // past the stop limit: above 100
}

// 150,000,000 of the way to autovacuum_freeze_max_age 200,000,000: 75%; 300,000,000 (autovacuum behind): 150%.
TEST(XidAge, ShareOfFreezeMaxAge) {
  EXPECT_DOUBLE_EQ(pgo::core::xid_age_pct(150000000, 200000000), 75);
  EXPECT_DOUBLE_EQ(pgo::core::xid_age_pct(300000000, 200000000), 150);
  EXPECT_THROW(pgo::core::xid_age_pct(1, 0), pgo::Error);
  EXPECT_THROW(pgo::core::xid_age_pct(1, -1), pgo::Error);
}

// relfrozenxid must precede next xid - freeze_max_age: an age of exactly freeze_max_age is not yet forced.
TEST(XidAge, ForcedVacuumStrictlyAboveFreezeMaxAge) {
  EXPECT_FALSE(pgo::core::exceeds_freeze_max_age(199999999, pgo::core::kDefaultFreezeMaxAge));
  EXPECT_FALSE(pgo::core::exceeds_freeze_max_age(200000000, pgo::core::kDefaultFreezeMaxAge));
  EXPECT_TRUE(pgo::core::exceeds_freeze_max_age(200000001, pgo::core::kDefaultFreezeMaxAge));
  // The same for mxid_age(relminmxid) against autovacuum_multixact_freeze_max_age (default 400,000,000).
  EXPECT_FALSE(pgo::core::exceeds_freeze_max_age(400000000, 400000000));
  EXPECT_TRUE(pgo::core::exceeds_freeze_max_age(400000001, 400000000));
}

TEST(DeadPct, Shares) {
  EXPECT_DOUBLE_EQ(pgo::core::dead_pct(0, 0), 0);
  EXPECT_DOUBLE_EQ(pgo::core::dead_pct(900, 100), 10);
  EXPECT_DOUBLE_EQ(pgo::core::dead_pct(3, 1), 25);
  EXPECT_DOUBLE_EQ(pgo::core::dead_pct(0, 5), 100);
  EXPECT_DOUBLE_EQ(pgo::core::dead_pct(5, 0), 0);
  EXPECT_DOUBLE_EQ(pgo::core::dead_pct(-3, 1), 100); // a negative count reads as 0
  EXPECT_DOUBLE_EQ(pgo::core::dead_pct(1, -3), 0);
}

} // namespace
