#include "core/partition_plan.hpp"

#include "core/error.hpp"
#include "core/schedule.hpp"

#include <gtest/gtest.h>

#include "utc.hpp"

#include <algorithm>

namespace {

using namespace pgo::core;

using pgo::test::utc;

// Quotes like quote_ident() for the names used here: only names with upper case or a space.
std::string quote(const std::string &s) {
  const bool plain = std::all_of(s.begin(), s.end(),
                                 [](char c) { return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9'); });
  return plain ? s : "\"" + s + "\"";
}

PlanInput events() {
  PlanInput in;
  in.schema = "app";
  in.name = "events";
  in.owner = "alice";
  in.key = "created_at";
  in.key_type = PartitionKeyType::Timestamptz;
  in.key_sql_type = "pg_catalog.timestamptz";
  in.step = {StepUnit::Days, 1};
  in.step_sql = "'1 day'";
  in.current = utc(2026, 11, 30, 10);
  in.premake = 2;
  PlanColumn id;
  id.name = "id";
  id.type = "bigint";
  id.not_null = true;
  id.identity = 'a';
  id.identity_sequence_schema = "app";
  id.identity_sequence_name = "events_id_seq";
  id.identity_options = "INCREMENT BY 1";
  PlanColumn at;
  at.name = "created_at";
  at.type = "timestamp with time zone";
  at.not_null = true;
  at.default_expr = "now()";
  in.columns = {id, at};
  in.indexes = {{"events_pkey", "PRIMARY KEY (id, created_at)", true},
                {"events_at", "CREATE INDEX events_at ON app.events USING btree (created_at)", false}};
  in.foreign_keys = {{"events_user_fkey", "FOREIGN KEY (user_id) REFERENCES app.users(id)"}};
  in.referencing = {
      {"app.notes", "notes_event_fkey", "FOREIGN KEY (e, t) REFERENCES app.events(id, created_at)", false}};
  in.grants = {{"SELECT", "PUBLIC", false}};
  return in;
}

std::vector<std::string> statements(const std::vector<PlanStep> &plan) {
  std::vector<std::string> out;
  for (const PlanStep &s : plan)
    out.push_back(s.statement);
  return out;
}

std::size_t position(const std::vector<std::string> &all, const std::string &statement) {
  const auto it = std::find(all.begin(), all.end(), statement);
  EXPECT_NE(it, all.end()) << statement;
  return static_cast<std::size_t>(it - all.begin());
}

TEST(LegacyUpperBound, EndOfTheCurrentSlotUnlessItIsClose) {
  const PartitionStep day{StepUnit::Days, 1};
  EXPECT_EQ(legacy_upper_bound(day, utc(2026, 11, 30, 10)), utc(2026, 12, 1));
  EXPECT_EQ(legacy_upper_bound(day, utc(2026, 11, 30, 18)), utc(2026, 12, 1)); // 6 h left: a quarter exactly
  EXPECT_EQ(legacy_upper_bound(day, utc(2026, 11, 30, 19)), utc(2026, 12, 2));
  const PartitionStep month{StepUnit::Months, 1};
  EXPECT_EQ(legacy_upper_bound(month, utc(2026, 11, 2)), utc(2026, 12, 1));
  EXPECT_EQ(legacy_upper_bound(month, utc(2026, 11, 28)), utc(2027, 1, 1));
  const PartitionStep ints{StepUnit::Integer, 1000};
  EXPECT_EQ(legacy_upper_bound(ints, 2500), 3000);
  EXPECT_EQ(legacy_upper_bound(ints, 2800), 4000);
  EXPECT_EQ(legacy_upper_bound(ints, 0), 1000);
}

TEST(RetargetIndex, MovesTheDefinitionToTheParent) {
  EXPECT_EQ(
      retarget_index_definition("CREATE INDEX i ON s.t USING btree (a) WHERE (b > 0)", "i", "i_p", "s.t", "s.t_p"),
      "CREATE INDEX i_p ON s.t_p USING btree (a) WHERE (b > 0)");
  EXPECT_EQ(retarget_index_definition("CREATE UNIQUE INDEX \"I\" ON s.t USING btree (a, k)", "\"I\"", "\"I_p\"", "s.t",
                                      "s.t_p"),
            "CREATE UNIQUE INDEX \"I_p\" ON s.t_p USING btree (a, k)");
  // A name that only starts like the table is not the table.
  EXPECT_THROW(retarget_index_definition("CREATE INDEX i ON s.tt USING btree (a)", "i", "i_p", "s.t", "s.t_p"),
               pgo::Error);
}

TEST(MigrationPlan, PhasesInOrderWithTheBoundOnEveryStep) {
  const std::vector<PlanStep> plan = migration_plan(events(), quote);
  const std::vector<std::string> all = statements(plan);
  for (std::size_t i = 0; i < plan.size(); i++)
    EXPECT_EQ(plan[i].step, static_cast<int>(i) + 1);
  EXPECT_EQ(all[0], "SET search_path = pg_catalog, pg_temp");
  EXPECT_EQ(all[1], "ALTER TABLE app.events ADD CONSTRAINT events_partition_bound CHECK (created_at IS NOT NULL AND "
                    "created_at OPERATOR(pg_catalog.<) '2026-12-01 00:00:00+00'::pg_catalog.timestamptz) NOT VALID");
  EXPECT_EQ(all[2], "ALTER TABLE app.events VALIDATE CONSTRAINT events_partition_bound");
  EXPECT_NE(plan[2].lock.find("SHARE UPDATE EXCLUSIVE"), std::string::npos);
  // The parent: identity with its own sequence, the default, the key.
  EXPECT_EQ(all[3],
            "CREATE TABLE app.events_partitioned (\n  id bigint NOT NULL GENERATED ALWAYS AS IDENTITY (SEQUENCE "
            "NAME app.events_id_seq_partitioned INCREMENT BY 1),\n  created_at timestamp with time zone NOT "
            "NULL DEFAULT now()\n) PARTITION BY RANGE (created_at)");
  const std::size_t owner = position(all, "ALTER TABLE app.events_partitioned OWNER TO alice");
  const std::size_t grant = position(all, "GRANT SELECT ON TABLE app.events_partitioned TO PUBLIC");
  const std::size_t pkey =
      position(all, "ALTER TABLE app.events_partitioned ADD CONSTRAINT events_pkey_partitioned PRIMARY KEY (id, "
                    "created_at)");
  position(all, "CREATE INDEX events_at_partitioned ON app.events_partitioned USING btree (created_at)");
  position(all, "ALTER TABLE app.events_partitioned ADD CONSTRAINT events_user_fkey FOREIGN KEY (user_id) REFERENCES "
                "app.users(id)");
  const std::size_t first = position(all, "CREATE TABLE app.events_p20261201 PARTITION OF app.events_partitioned FOR "
                                          "VALUES FROM ('2026-12-01 00:00:00+00') TO ('2026-12-02 00:00:00+00')");
  position(all, "CREATE TABLE app.events_p20261202 PARTITION OF app.events_partitioned FOR VALUES FROM ('2026-12-02 "
                "00:00:00+00') TO ('2026-12-03 00:00:00+00')");
  EXPECT_LT(owner, grant);
  EXPECT_LT(pkey, first); // indexes before partitions: the partitions get them as they are made
  // The switch: lock, foreign keys in dropped, identity carried over, renames, attach, foreign keys in back.
  const std::size_t begin = position(all, "BEGIN");
  const std::size_t lock = position(all, "LOCK TABLE app.events IN ACCESS EXCLUSIVE MODE");
  const std::size_t drop_fk = position(all, "ALTER TABLE app.notes DROP CONSTRAINT notes_event_fkey");
  const std::size_t setval =
      position(all, "SELECT pg_catalog.setval('app.events_id_seq_partitioned'::pg_catalog.regclass, s.last_value, "
                    "s.is_called) FROM app.events_id_seq AS s");
  const std::size_t drop_identity = position(all, "ALTER TABLE app.events ALTER COLUMN id DROP IDENTITY");
  const std::size_t rename_old = position(all, "ALTER TABLE app.events RENAME TO events_legacy");
  const std::size_t rename_new = position(all, "ALTER TABLE app.events_partitioned RENAME TO events");
  const std::size_t index_old = position(all, "ALTER INDEX app.events_pkey RENAME TO events_pkey_legacy");
  const std::size_t index_new = position(all, "ALTER INDEX app.events_pkey_partitioned RENAME TO events_pkey");
  const std::size_t sequence = position(all, "ALTER SEQUENCE app.events_id_seq_partitioned RENAME TO events_id_seq");
  const std::size_t attach = position(all, "ALTER TABLE app.events ATTACH PARTITION app.events_legacy FOR VALUES FROM "
                                           "(MINVALUE) TO ('2026-12-01 00:00:00+00')");
  const std::size_t add_fk = position(all, "ALTER TABLE app.notes ADD CONSTRAINT notes_event_fkey FOREIGN KEY (e, t) "
                                           "REFERENCES app.events(id, created_at) NOT VALID");
  const std::size_t commit = position(all, "COMMIT");
  const std::size_t validate = position(all, "ALTER TABLE app.notes VALIDATE CONSTRAINT notes_event_fkey");
  EXPECT_EQ(all[begin + 1], "SET LOCAL lock_timeout = '5s'");
  EXPECT_EQ(all[begin + 2], "SET LOCAL search_path = pg_catalog, pg_temp");
  EXPECT_EQ(lock, begin + 3);
  EXPECT_LT(lock, drop_fk);
  EXPECT_LT(drop_fk, attach); // PostgreSQL refuses to attach a table that foreign keys reference
  EXPECT_LT(setval, drop_identity);
  EXPECT_LT(index_old, index_new);
  EXPECT_LT(rename_old, rename_new);
  EXPECT_LT(drop_identity, sequence);
  EXPECT_LT(rename_new, attach);
  EXPECT_LT(attach, add_fk);
  EXPECT_LT(add_fk, commit);
  EXPECT_LT(commit, validate);
  for (std::size_t i = lock + 1; i < commit; i++)
    EXPECT_EQ(plan[i].phase, "switch");
  EXPECT_EQ(all.back(), "SELECT * FROM optimize.manage_partitions('app.events'::pg_catalog.regclass, '1 day', premake "
                        "=> 2)");
}

TEST(MigrationPlan, IntegerKeyAndQuotedNames) {
  PlanInput in = events();
  in.name = "Big Table";
  in.key = "ID";
  in.key_type = PartitionKeyType::Integer;
  in.key_sql_type = "pg_catalog.int8";
  in.step = {StepUnit::Integer, 1000};
  in.step_sql = "step => 1000";
  in.current = 2500;
  in.indexes.clear();
  in.referencing.clear();
  in.premake = 1;
  const std::vector<std::string> all = statements(migration_plan(in, quote));
  EXPECT_EQ(all[1], "ALTER TABLE app.\"Big Table\" ADD CONSTRAINT \"Big Table_partition_bound\" CHECK (\"ID\" IS NOT "
                    "NULL AND \"ID\" OPERATOR(pg_catalog.<) '3000'::pg_catalog.int8) NOT VALID");
  position(all, "CREATE TABLE app.\"Big Table_p3000\" PARTITION OF app.\"Big Table_partitioned\" FOR VALUES FROM "
                "('3000') TO ('4000')");
  position(all, "ALTER TABLE app.\"Big Table\" ATTACH PARTITION app.\"Big Table_legacy\" FOR VALUES FROM (MINVALUE) TO "
                "('3000')");
  EXPECT_EQ(all.back(), "SELECT * FROM optimize.manage_partitions('app.\"Big Table\"'::pg_catalog.regclass, NULL, "
                        "premake => 1, step => 1000)");
}

TEST(MigrationPlan, QuotesInNamesStayInsideLiterals) {
  PlanInput in = events();
  in.columns[0].identity_sequence_schema = "\"it's\"";
  const std::vector<std::string> all = statements(migration_plan(in, quote));
  position(all, "SELECT pg_catalog.setval('\"it''s\".events_id_seq_partitioned'::pg_catalog.regclass, s.last_value, "
                "s.is_called) FROM \"it's\".events_id_seq AS s");
}

TEST(MigrationPlan, SerialSequenceFollowsTheParent) {
  PlanInput in = events();
  in.columns[0].identity = '\0';
  in.columns[0].default_expr = "nextval('app.events_id_seq'::regclass)";
  in.columns[0].owned_sequence = "app.events_id_seq";
  const std::vector<std::string> all = statements(migration_plan(in, quote));
  EXPECT_NE(all[3].find("id bigint NOT NULL DEFAULT nextval('app.events_id_seq'::regclass)"), std::string::npos);
  position(all, "ALTER SEQUENCE app.events_id_seq OWNED BY app.events.id");
  EXPECT_EQ(
      std::count_if(all.begin(), all.end(), [](const std::string &s) { return s.find("setval") != std::string::npos; }),
      0);
}

TEST(IntervalAdvice, CoarsestIntervalUnderTheLimit) {
  const std::int64_t gb = 1024LL * 1024 * 1024, year = 365 * 86400;
  IntervalAdvice a = time_interval_advice(12 * gb, year);
  EXPECT_EQ(a.interval, "1 month");
  EXPECT_EQ(a.partitions, 12);
  EXPECT_EQ(a.bytes_per_partition, gb);
  a = time_interval_advice(100 * gb, year);
  EXPECT_EQ(a.interval, "1 week");
  EXPECT_EQ(a.partitions, 53);
  a = time_interval_advice(2000 * gb, year);
  EXPECT_EQ(a.interval, "1 day");
  EXPECT_EQ(a.partitions, 365);
  a = time_interval_advice(20 * gb, 0); // all rows at one instant
  EXPECT_EQ(a.interval, "1 day");
  EXPECT_EQ(a.partitions, 1);
}

TEST(IntervalAdvice, IntegerStepsAreRound) {
  const std::int64_t gb = 1024LL * 1024 * 1024;
  IntervalAdvice a = integer_step_advice(20 * gb, 100000000);
  EXPECT_EQ(a.interval, "10000000");
  EXPECT_EQ(a.partitions, 10);
  a = integer_step_advice(7 * gb, 1000000);
  EXPECT_EQ(a.interval, "200000"); // 4 partitions would be 250000: rounded down to 2 x 10^5
  EXPECT_EQ(a.partitions, 5);
  a = integer_step_advice(gb, 0);
  EXPECT_EQ(a.interval, "1");
  EXPECT_EQ(a.partitions, 1);
}

TEST(ChoosePartitionKey, TimeFirstThenNotNullThenCorrelation) {
  EXPECT_FALSE(choose_partition_key({}));
  EXPECT_FALSE(choose_partition_key({{true, true, 0.3}, {false, true, 0.9}}));
  EXPECT_EQ(choose_partition_key({{false, true, 1.0}, {true, false, 0.6}}), 1u);
  EXPECT_EQ(choose_partition_key({{true, false, 0.99}, {true, true, 0.7}}), 1u);
  EXPECT_EQ(choose_partition_key({{true, true, 0.7}, {true, true, 0.99}}), 1u);
  EXPECT_EQ(choose_partition_key({{false, true, 0.96}, {false, true, 0.99}}), 1u);
  EXPECT_EQ(choose_partition_key({{true, true, -0.99}}), std::nullopt); // shrinking with the physical order
}

} // namespace
