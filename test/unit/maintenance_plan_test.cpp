#include "core/maintenance_plan.hpp"

#include <gtest/gtest.h>

namespace {

using pgo::core::JobKind;
using pgo::core::TableCandidate;

TableCandidate table(std::string name, bool vacuum, bool analyze, double dead_pct = 0, bool freeze = false,
                     std::int64_t xid_age = 0, std::int64_t modified = 0) {
  TableCandidate t;
  t.name = std::move(name);
  t.vacuum_needed = vacuum;
  t.analyze_needed = analyze;
  t.dead_pct = dead_pct;
  t.dead_tuples = static_cast<std::int64_t>(dead_pct * 100);
  t.freeze_due = freeze;
  t.xid_age = xid_age;
  t.modified_since_analyze = modified;
  return t;
}

std::vector<std::string> sql_of(const std::vector<pgo::core::PlannedAction> &actions) {
  std::vector<std::string> out;
  for (const auto &a : actions)
    out.push_back(a.sql);
  return out;
}

TEST(JobKind, NamesRoundTrip) {
  for (const char *name :
       {"vacuum_analyze", "vacuum", "analyze", "refresh_materialized_views", "snapshot", "cleanup"}) {
    const auto kind = pgo::core::parse_job_kind(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_STREQ(pgo::core::job_kind_name(*kind), name);
  }
  EXPECT_FALSE(pgo::core::parse_job_kind("VACUUM").has_value());
  EXPECT_FALSE(pgo::core::parse_job_kind("").has_value());
  EXPECT_EQ(pgo::core::job_kind_names(),
            "vacuum_analyze, vacuum, analyze, refresh_materialized_views, snapshot, cleanup, partition_maintenance");
  EXPECT_TRUE(pgo::core::job_kind_takes_target(JobKind::RefreshMaterializedViews));
  EXPECT_FALSE(pgo::core::job_kind_takes_target(JobKind::Snapshot));
  EXPECT_FALSE(pgo::core::job_kind_takes_target(JobKind::Cleanup));
}

TEST(MaintenanceSql, StatementForms) {
  using pgo::core::maintenance_sql;
  EXPECT_EQ(maintenance_sql(JobKind::VacuumAnalyze, "s.t", true, false), "VACUUM (ANALYZE, SKIP_LOCKED) s.t");
  EXPECT_EQ(maintenance_sql(JobKind::VacuumAnalyze, "s.t", false, true), "VACUUM (ANALYZE, FREEZE) s.t");
  EXPECT_EQ(maintenance_sql(JobKind::Vacuum, "s.t", false, false), "VACUUM s.t");
  EXPECT_EQ(maintenance_sql(JobKind::Vacuum, "\"My T\"", true, true), "VACUUM (FREEZE, SKIP_LOCKED) \"My T\"");
  EXPECT_EQ(maintenance_sql(JobKind::Analyze, "s.t", true, true), "ANALYZE (SKIP_LOCKED) s.t");
  EXPECT_EQ(maintenance_sql(JobKind::Analyze, "s.t", false, false), "ANALYZE s.t");
}

TEST(PlanTableMaintenance, WraparoundFirstThenDeadShareThenAnalyze) {
  const std::vector<TableCandidate> tables = {
      table("a_analyze_small", false, true, 0, false, 0, 10),
      table("b_dead_10", true, true, 10),
      table("c_freeze_young", false, false, 0, true, 300000000),
      table("d_dead_40", true, false, 40),
      table("e_nothing", false, false),
      table("f_freeze_old", true, false, 5, true, 900000000),
      table("g_analyze_big", false, true, 0, false, 0, 5000),
  };
  const auto plan = pgo::core::plan_table_maintenance(JobKind::VacuumAnalyze, tables, {});
  ASSERT_EQ(plan.size(), 6u);
  EXPECT_EQ(plan[0].object, "f_freeze_old");
  EXPECT_EQ(plan[0].sql, "VACUUM (ANALYZE, FREEZE) f_freeze_old");
  EXPECT_TRUE(plan[0].urgent);
  EXPECT_EQ(plan[1].object, "c_freeze_young");
  EXPECT_EQ(plan[2].sql, "VACUUM (ANALYZE, SKIP_LOCKED) d_dead_40");
  EXPECT_FALSE(plan[2].urgent);
  EXPECT_EQ(plan[3].object, "b_dead_10");
  EXPECT_EQ(plan[4].sql, "ANALYZE (SKIP_LOCKED) g_analyze_big");
  EXPECT_EQ(plan[5].object, "a_analyze_small");
}

TEST(PlanTableMaintenance, KindsTakeOnlyWhatTheyDo) {
  const std::vector<TableCandidate> tables = {table("v", true, false, 30), table("a", false, true, 0, false, 0, 9),
                                              table("f", false, false, 0, true, 5)};
  EXPECT_EQ(sql_of(pgo::core::plan_table_maintenance(JobKind::Vacuum, tables, {})),
            (std::vector<std::string>{"VACUUM (FREEZE) f", "VACUUM (SKIP_LOCKED) v"}));
  EXPECT_EQ(sql_of(pgo::core::plan_table_maintenance(JobKind::Analyze, tables, {})),
            (std::vector<std::string>{"ANALYZE (SKIP_LOCKED) a"}));
}

TEST(TableMaintenanceDue, WhatEachKindTakes) {
  const TableCandidate vacuum = table("v", true, false), analyze = table("a", false, true),
                       freeze = table("f", false, false, 0, true, 5), nothing = table("n", false, false);
  for (JobKind kind : {JobKind::VacuumAnalyze, JobKind::Vacuum, JobKind::Analyze})
    EXPECT_FALSE(pgo::core::table_maintenance_due(kind, nothing));
  EXPECT_TRUE(pgo::core::table_maintenance_due(JobKind::VacuumAnalyze, vacuum));
  EXPECT_TRUE(pgo::core::table_maintenance_due(JobKind::VacuumAnalyze, analyze));
  EXPECT_TRUE(pgo::core::table_maintenance_due(JobKind::VacuumAnalyze, freeze));
  EXPECT_TRUE(pgo::core::table_maintenance_due(JobKind::Vacuum, vacuum));
  EXPECT_FALSE(pgo::core::table_maintenance_due(JobKind::Vacuum, analyze));
  EXPECT_TRUE(pgo::core::table_maintenance_due(JobKind::Vacuum, freeze));
  EXPECT_FALSE(pgo::core::table_maintenance_due(JobKind::Analyze, vacuum));
  EXPECT_TRUE(pgo::core::table_maintenance_due(JobKind::Analyze, analyze));
  EXPECT_FALSE(pgo::core::table_maintenance_due(JobKind::Analyze, freeze));
}

TEST(PlanTableMaintenance, OptionsFreezeAndMaxTables) {
  const std::vector<TableCandidate> tables = {table("x", true, false, 30), table("y", true, false, 20),
                                              table("z", true, false, 10)};
  pgo::core::VacuumOptions options;
  options.freeze = true;
  options.max_tables = 2;
  EXPECT_EQ(sql_of(pgo::core::plan_table_maintenance(JobKind::Vacuum, tables, options)),
            (std::vector<std::string>{"VACUUM (FREEZE, SKIP_LOCKED) x", "VACUUM (FREEZE, SKIP_LOCKED) y"}));
  options.max_tables = 0;
  EXPECT_TRUE(pgo::core::plan_table_maintenance(JobKind::Vacuum, tables, options).empty());
}

TEST(PlanTableMaintenance, TiesAreBrokenByName) {
  const std::vector<TableCandidate> tables = {table("b", true, false, 30), table("a", true, false, 30)};
  EXPECT_EQ(sql_of(pgo::core::plan_table_maintenance(JobKind::Vacuum, tables, {})),
            (std::vector<std::string>{"VACUUM (SKIP_LOCKED) a", "VACUUM (SKIP_LOCKED) b"}));
}

TEST(PlanTableMaintenance, ReasonNamesWhatMadeTheTableDue) {
  TableCandidate dead = table("d", true, false, 25);
  TableCandidate inserted = table("i", true, false, 0);
  inserted.inserted_since_vacuum = 5000;
  const auto plan = pgo::core::plan_table_maintenance(JobKind::Vacuum, {dead, inserted}, {});
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].reason, "2500 dead tuples (25.0%), past autovacuum's threshold");
  EXPECT_EQ(plan[1].reason, "5000 rows inserted since the last VACUUM, past autovacuum's insert threshold");
}

TEST(TargetedAction, WaitsForItsLock) {
  const auto a = pgo::core::targeted_action(JobKind::VacuumAnalyze, "public.\"Order Items\"", {});
  EXPECT_EQ(a.sql, "VACUUM (ANALYZE) public.\"Order Items\"");
  EXPECT_EQ(pgo::core::targeted_action(JobKind::Analyze, "t", {}).sql, "ANALYZE t");
}

TEST(RefreshAction, ConcurrentlyOnlyWhenPossible) {
  EXPECT_EQ(pgo::core::refresh_action("m", true, true).sql, "REFRESH MATERIALIZED VIEW CONCURRENTLY m");
  EXPECT_EQ(pgo::core::refresh_action("m", true, false).sql, "REFRESH MATERIALIZED VIEW m");
  EXPECT_EQ(pgo::core::refresh_action("m", false, true).sql, "REFRESH MATERIALIZED VIEW m");
  EXPECT_EQ(pgo::core::refresh_action("m", false, true).reason, "never populated");
}

TEST(RetryDelay, DoublesUpToTheCap) {
  using pgo::core::retry_delay_seconds;
  EXPECT_EQ(retry_delay_seconds(0, 30, 3600), 0);
  EXPECT_EQ(retry_delay_seconds(1, 30, 3600), 30);
  EXPECT_EQ(retry_delay_seconds(2, 30, 3600), 60);
  EXPECT_EQ(retry_delay_seconds(5, 30, 3600), 480);
  EXPECT_EQ(retry_delay_seconds(8, 30, 3600), 3600);
  EXPECT_EQ(retry_delay_seconds(1000, 30, 3600), 3600);
  EXPECT_EQ(retry_delay_seconds(3, 30, 45), 45);
}

} // namespace
