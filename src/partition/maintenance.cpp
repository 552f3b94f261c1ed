#include "partition/maintenance.hpp"

#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/error.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/server_time.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/resowner.h"
}

namespace pgo::partition {
namespace {

constexpr const char *kDefaultLockTimeout = "5s";

struct Outcome {
  bool ok = true;
  std::string sqlstate, message;
  pg::SqlResult result;
};

// Runs f in a subtransaction; an ERROR inside (a pgo::Error, PostgreSQL's caught by guard()) rolls the
// subtransaction back, the way a plpgsql EXCEPTION block does, and comes back as the outcome.
template <typename F> Outcome in_subtransaction(F &&f) {
  const MemoryContext context = CurrentMemoryContext;
  const ResourceOwner owner = CurrentResourceOwner;
  pg::guard([] { BeginInternalSubTransaction(nullptr); });
  Outcome out;
  try {
    f();
    pg::guard([] { ReleaseCurrentSubTransaction(); });
  } catch (const Error &e) {
    pg::guard([] { RollbackAndReleaseCurrentSubTransaction(); });
    out.ok = false;
    out.sqlstate = e.sqlstate();
    out.message = e.message();
  }
  MemoryContextSwitchTo(context);
  CurrentResourceOwner = owner;
  return out;
}

// One statement in a subtransaction with search_path pinned and lock_timeout set (both restored when it ends:
// ending the subtransaction ends the GUC nest level opened inside it).
Outcome run_in_subtransaction(pg::Spi &spi, const std::string &sql) {
  const char *current = GetConfigOption("lock_timeout", false, false);
  const std::string lock_timeout = current == nullptr || std::string(current) == "0" ? kDefaultLockTimeout : current;
  pg::SqlResult result;
  Outcome out = in_subtransaction([&] {
    const char *timeout = lock_timeout.c_str();
    pg::guard([&] {
      NewGUCNestLevel();
      set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                        false);
      set_config_option("lock_timeout", timeout, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    });
    result = spi.run(sql);
  });
  out.result = std::move(result);
  return out;
}

PassRow row(Oid parent, std::string partition, const char *action, std::string status, std::string detail) {
  return PassRow{parent, std::move(partition), action, std::move(status), std::move(detail)};
}

// The status of a statement's outcome: a lock not granted within lock_timeout is a skip, to be retried.
std::pair<std::string, std::string> status_of(const Outcome &o, const std::string &done_detail) {
  if (o.ok)
    return {"done", done_detail};
  if (o.sqlstate == "55P03")
    return {"skipped", o.message + " (lock_timeout: tried again at the next pass)"};
  return {"failed", o.message};
}

std::int64_t epoch_of(pg::Spi &spi, const std::string &sql, const std::vector<pg::SqlValue> &params) {
  return std::stoll(spi.run(sql, params, true).scalar().value_or("0"));
}

// The value the premake window starts from: now for time keys, the largest key value for integer keys (0 for an
// empty table). Reading it may wait for a lock: it runs under the same rules as the DDL.
std::optional<std::int64_t> current_value(pg::Spi &spi, const PartitionedTable &t, std::string &problem) {
  if (t.key_type != core::PartitionKeyType::Integer)
    return static_cast<std::int64_t>(pg::now_epoch());
  const std::string sql = fmt::format("SELECT pg_catalog.max({})::pg_catalog.text FROM {}",
                                      catalog::quote_identifier(t.key_column), t.qualified);
  const Outcome o = run_in_subtransaction(spi, sql);
  if (!o.ok) {
    problem = status_of(o, "").second;
    return std::nullopt;
  }
  return std::stoll(o.result.scalar().value_or("0"));
}

std::optional<std::int64_t> cutoff(pg::Spi &spi, const Registration &g, std::int64_t current) {
  if (g.retention)
    return epoch_of(spi,
                    "SELECT pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now() OPERATOR(pg_catalog.-) "
                    "$1::pg_catalog.interval))::pg_catalog.int8",
                    {*g.retention});
  if (g.retention_values)
    return current - *g.retention_values;
  return std::nullopt;
}

std::vector<PassRow> maintain_table(pg::Spi &spi, const Registration &g) {
  const PartitionedTable t = read_partitioned_table(spi, g.parent);
  if (!owns(t.oid, GetUserId()))
    throw Error("42501", fmt::format("must be owner of table {} to maintain its partitions", t.qualified));
  const core::PartitionStep step = registration_step(spi, t, g);
  std::vector<PassRow> out;
  std::string problem;
  const auto current = current_value(spi, t, problem);
  if (!current)
    return {row(t.oid, t.qualified, "check", "skipped", problem)};
  const core::PartitionPassPlan plan =
      core::plan_partition_pass(step, t.ranges(), *current, g.premake, cutoff(spi, g, *current));
  const std::string schema = catalog::quote_identifier(t.schema);
  for (const core::NewPartition &p : plan.create) {
    const std::string name = schema + "." + catalog::quote_identifier(core::partition_name(t.name, p.suffix));
    const std::string sql = fmt::format("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})", name,
                                        t.qualified, catalog::quote_literal(core::bound_text(t.key_type, p.lower)),
                                        catalog::quote_literal(core::bound_text(t.key_type, p.upper)));
    const auto [status, detail] = status_of(run_in_subtransaction(spi, sql), sql);
    out.push_back(row(t.oid, name, "create", status, detail));
  }
  for (const core::NewPartition &p : plan.overlapping)
    out.push_back(row(t.oid, schema + "." + catalog::quote_identifier(core::partition_name(t.name, p.suffix)),
                      "overlap", "left",
                      fmt::format("a partition with other bounds covers part of [{}, {}): not created",
                                  core::bound_text(t.key_type, p.lower), core::bound_text(t.key_type, p.upper))));
  for (const std::string &old : plan.retire) {
    const Partition *part = nullptr;
    for (const Partition &candidate : t.partitions)
      if (candidate.name == old && !candidate.is_default)
        part = &candidate;
    if (part == nullptr)
      continue;
    const bool detach = g.retention_mode == "detach";
    const std::string sql = detach ? fmt::format("ALTER TABLE {} DETACH PARTITION {}", t.qualified, part->qualified)
                                   : fmt::format("DROP TABLE {}", part->qualified);
    const auto [status, detail] = status_of(run_in_subtransaction(spi, sql), sql);
    out.push_back(row(t.oid, part->qualified, detach ? "detach" : "drop", status, detail));
  }
  return out;
}

std::string summary(const std::vector<PassRow> &rows) {
  int done = 0, skipped = 0, failed = 0;
  std::string first;
  for (const PassRow &r : rows) {
    done += r.status == "done";
    if (r.status == "skipped" || r.status == "failed" || r.status == "error") {
      (r.status == "skipped" ? skipped : failed)++;
      if (first.empty())
        first = fmt::format("; {} {}: {}", r.action, r.partition, r.detail);
    }
  }
  return fmt::format("{} done, {} skipped, {} failed{}", done, skipped, failed, first);
}

} // namespace

core::PartitionStep registration_step(pg::Spi &spi, const PartitionedTable &t, const Registration &g) {
  if (t.key_type == core::PartitionKeyType::Integer) {
    if (g.interval || g.retention)
      throw Error("42804",
                  fmt::format("the partition key \"{}\" of {} is an integer: it takes step and "
                              "retention_values, not an interval",
                              t.key_column, t.qualified),
                  "",
                  "For example optimize.manage_partitions('t', NULL, step => 1000000, retention_values => "
                  "10000000).");
    if (!g.step)
      throw Error("22004", "step must not be NULL for an integer key", "", "For example step => 1000000.");
    return core::integer_step(*g.step);
  }
  if (g.step || g.retention_values)
    throw Error("42804",
                fmt::format("the partition key \"{}\" of {} is a time: it takes an interval and a retention interval, "
                            "not step or retention_values",
                            t.key_column, t.qualified),
                "", "For example optimize.manage_partitions('t', '1 day', retention => '30 days').");
  if (!g.interval)
    throw Error("22004", "interval must not be NULL for a time key", "", "For example '1 day'.");
  const pg::SqlResult r =
      spi.run("SELECT pg_catalog.date_part('month', i)::pg_catalog.int4 OPERATOR(pg_catalog.+) "
              "(12 OPERATOR(pg_catalog.*) pg_catalog.date_part('year', i)::pg_catalog.int4), "
              "pg_catalog.date_part('day', i)::pg_catalog.int4, "
              "(pg_catalog.date_part('epoch', i OPERATOR(pg_catalog.-) pg_catalog.date_trunc('day', i)) "
              "OPERATOR(pg_catalog.*) 1000000)::pg_catalog.int8 "
              "FROM (SELECT $1::pg_catalog.interval AS i) s",
              {*g.interval}, true);
  const pg::SqlRow &row = r.rows.front();
  return core::time_step(t.key_type, std::stoi(row[0].value_or("0")), std::stoi(row[1].value_or("0")),
                         std::stoll(row[2].value_or("0")));
}

std::vector<PassRow> maintain(pg::Spi &spi, const Registration &g) {
  std::vector<PassRow> rows;
  // The whole table in a subtransaction too: a catalog read that fails (the table dropped meanwhile) or one of our
  // checks leaves the caller's transaction usable for the other registrations.
  const Outcome o = in_subtransaction([&] { rows = maintain_table(spi, g); });
  if (!o.ok)
    rows = {row(g.parent, "", "check", "error", o.message)};
  write_config(spi,
               "UPDATE optimize.partition_config SET last_run = pg_catalog.now(), last_result = $2 "
               "WHERE parent::pg_catalog.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
               {std::to_string(g.parent), summary(rows)});
  return rows;
}

} // namespace pgo::partition
