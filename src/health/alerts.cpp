#include "health/alerts.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "catalog/index_details.hpp"
#include "catalog/names.hpp"
#include "catalog/table_stats.hpp"
#include "core/maintenance_math.hpp"
#include "health/metrics.hpp"
#include "health/thresholds.hpp"
#include "latency/latency.hpp"
#include "partition/alerts.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"
#include "scheduler/job_alerts.hpp"
#include "settings.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "postmaster/autovacuum.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
}

namespace pgo::health {
namespace {

// What to change for a sequence running out: the column when its type ends first (ALTER SEQUENCE ... AS bigint would
// not help: the column overflows), the sequence's type when that is narrower, else the limit it moves towards
// (MINVALUE for a descending sequence).
std::string sequence_advice(const SequenceHealth &s, const std::string &name) {
  std::vector<std::string> steps;
  const bool column_narrow = s.column_type == "integer" || s.column_type == "smallint";
  if (column_narrow && !s.owner_table.empty())
    steps.push_back(fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE bigint;", s.owner_table, s.owner_column));
  if (s.sequence_type != "bigint" && (!s.column_is_limit || !s.owner_table.empty()))
    steps.push_back(fmt::format("ALTER SEQUENCE {} AS bigint;", name));
  if (!s.column_is_limit && s.sequence_type == "bigint")
    steps.push_back(s.increment > 0 ? fmt::format("ALTER SEQUENCE {} MAXVALUE <a higher limit>;", name)
                                    : fmt::format("ALTER SEQUENCE {} MINVALUE <a lower limit>;", name));
  std::string advice = s.column_is_limit
                           ? fmt::format("The column {} ({}) runs out before the sequence: ",
                                         s.owned_by.empty() ? "it feeds" : s.owned_by, s.column_type)
                           : std::string(s.increment > 0 ? "The sequence nears its MAXVALUE: "
                                                         : "The sequence descends towards its MINVALUE: ");
  for (std::size_t i = 0; i < steps.size(); i++)
    advice += (i == 0 ? "" : " then ") + steps[i];
  if (s.cycles)
    advice += " It cycles: past its limit it starts again and repeats values a unique column may still hold.";
  return advice;
}

// The severity a value earns, or "" (no alert) when below both thresholds.
const char *severity(double value, double warning, double critical) {
  return severity_of(value, warning, critical, "");
}

std::string relation(HealthData &data, Oid relid) { return catalog::display_name(data.classes(), relid); }

} // namespace

std::vector<Alert> alerts(HealthData &data) {
  std::vector<Alert> out;
  auto add = [&](const char *sev, std::string kind, std::string object, double value, double threshold,
                 std::string message, std::string recommendation) {
    if (*sev != '\0')
      out.push_back(Alert{sev, std::move(kind), std::move(object), value, threshold, std::move(message),
                          std::move(recommendation)});
  };
  auto threshold_of = [](const char *sev, double warning, double critical) {
    return std::string(sev) == "critical" ? std::max(warning, critical) : warning;
  };

  const ConnectionCounts c = connection_counts(data);
  {
    const char *sev = severity(c.used_pct, settings::alert_connection_pct, settings::alert_connection_critical_pct);
    add(sev, "connection_usage", "cluster", c.used_pct,
        threshold_of(sev, settings::alert_connection_pct, settings::alert_connection_critical_pct),
        fmt::format("{} of {} usable connection slots in use ({:.0f}%), {} of them idle in transaction", c.total,
                    c.usable_slots, c.used_pct, c.idle_in_transaction),
        "Put a connection pooler (PgBouncer in transaction mode) in front, shrink application pools, end idle "
        "sessions (idle_session_timeout, idle_in_transaction_session_timeout), or raise max_connections.");
  }

  for (const catalog::Backend *b : long_running(data.backends(), data.now(), settings::slow_query_ms)) {
    const double ms = seconds_since(b->query_start, data.now()) * 1000.0;
    const char *sev = severity(ms, settings::slow_query_ms, settings::slow_query_critical_ms);
    add(sev, "slow_query", fmt::format("pid {}", b->pid), ms,
        threshold_of(sev, settings::slow_query_ms, settings::slow_query_critical_ms),
        fmt::format("query running for {:.0f} ms in {}: {}", ms, database_name(b->database),
                    catalog::one_line(b->query, 120)),
        fmt::format("Look at its plan with EXPLAIN (ANALYZE, BUFFERS); to stop it: SELECT pg_cancel_backend({});",
                    b->pid));
  }

  for (const BlockedQuery &q : data.blocked()) {
    const double ms = q.waiting_seconds * 1000.0;
    const char *sev = severity(ms, settings::alert_lock_wait_ms, settings::alert_lock_wait_critical_ms);
    std::string blockers;
    for (int pid : q.blocking_pids)
      blockers += (blockers.empty() ? "" : ", ") + std::to_string(pid);
    add(sev, "blocked_query", fmt::format("pid {}", q.backend->pid), ms,
        threshold_of(sev, settings::alert_lock_wait_ms, settings::alert_lock_wait_critical_ms),
        fmt::format("waiting {:.0f} ms for {} on {}, blocked by pid {}", ms, q.wait.mode,
                    OidIsValid(q.wait.relation) ? relation(data, q.wait.relation)
                    : OidIsValid(q.wait.relation_database)
                        ? "a relation in database " + database_name(q.wait.relation_database)
                        : q.wait.lock_type,
                    blockers.empty() ? "?" : blockers),
        q.blocking_pids.empty()
            ? std::string("See optimize.blocked_queries.")
            : fmt::format("See optimize.blocked_queries; to end the first blocker: SELECT pg_terminate_backend({});",
                          q.blocking_pids.front()));
  }

  for (const catalog::Backend &b : data.backends()) {
    if (!b.is_client() || b.state.rfind("idle in transaction", 0) != 0)
      continue;
    const double s = seconds_since(b.state_change, data.now());
    const char *sev =
        severity(s, settings::alert_idle_in_transaction_s, settings::alert_idle_in_transaction_critical_s);
    add(sev, "idle_in_transaction", fmt::format("pid {}", b.pid), s,
        threshold_of(sev, settings::alert_idle_in_transaction_s, settings::alert_idle_in_transaction_critical_s),
        fmt::format("session of {} idle in transaction for {:.0f} s (application \"{}\")", role_name(b.role), s,
                    b.application),
        fmt::format("It holds locks and keeps VACUUM from cleaning up. Fix the application, set "
                    "idle_in_transaction_session_timeout, or end it: SELECT pg_terminate_backend({});",
                    b.pid));
  }

  // Dead tuples need only two statistics per table, not the whole table health (sizes, bloat, scans), and only for
  // the tables with enough dead tuples to matter: read in one pass over the shared statistics.
  const auto dead_tuples =
      catalog::relations_with_dead_tuples(std::max<std::int64_t>(1, settings::alert_dead_tuple_min_rows));
  for (const auto &[oid, counts] : dead_tuples) {
    const catalog::ClassRow *row = data.classes().find(oid);
    if (row == nullptr || row->excluded || (row->relkind != RELKIND_RELATION && row->relkind != RELKIND_MATVIEW))
      continue;
    const double pct = core::dead_pct(counts.live, counts.dead);
    const char *sev = severity(pct, settings::alert_dead_tuple_pct, settings::alert_dead_tuple_critical_pct);
    const std::string name = relation(data, oid);
    const bool autovacuum = data.classes().options_of(oid).autovacuum_enabled && autovacuum_start_daemon;
    add(sev, "dead_tuples", name, pct,
        threshold_of(sev, settings::alert_dead_tuple_pct, settings::alert_dead_tuple_critical_pct),
        fmt::format("{} dead tuples, {:.1f}% of the table{}", counts.dead, pct,
                    autovacuum ? "" : " (autovacuum is off for it)"),
        fmt::format("VACUUM (ANALYZE) {};", name));
  }

  for (const catalog::DatabaseAge &d : data.databases()) {
    if (!d.xid_age)
      continue;
    const double pct = core::xid_age_pct(*d.xid_age);
    const char *sev = severity(pct, settings::alert_xid_age_pct, settings::alert_xid_age_critical_pct);
    add(sev, "xid_wraparound", d.name, pct,
        threshold_of(sev, settings::alert_xid_age_pct, settings::alert_xid_age_critical_pct),
        fmt::format("oldest unfrozen transaction ID is {} transactions old, {:.1f}% of the way to the wraparound "
                    "stop",
                    *d.xid_age, pct),
        "VACUUM (FREEZE) the oldest tables (optimize.table_health ordered by xid_age) and end long transactions and "
        "stale replication slots or prepared transactions that hold the horizon back.");
  }

  for (Oid index : catalog::invalid_indexes(data.classes())) {
    const std::string name = relation(data, index);
    // PostgreSQL refuses DROP INDEX CONCURRENTLY for a partitioned index (one that is invalid lacks a partition's
    // index: optimize.missing_fk_indexes() finishes the ones its suggestions left).
    const bool partitioned = pg::guard([&] { return get_rel_relkind(index) == RELKIND_PARTITIONED_INDEX; });
    add("warning", "invalid_index", name, 1, 1, "index is invalid: it is maintained on every write but never used",
        partitioned ? fmt::format("A partitioned index some partition has no index attached to: attach one "
                                  "(ALTER INDEX {} ATTACH PARTITION ...), or remove it with DROP INDEX {};",
                                  name, name)
                    : fmt::format("Left by a failed CREATE INDEX or REINDEX CONCURRENTLY: remove it with DROP INDEX "
                                  "CONCURRENTLY {}; and build it again once the cause is fixed.",
                                  name));
  }

  for (const SequenceHealth &s : data.sequences()) {
    if (!s.pct_used)
      continue;
    const char *sev = severity(*s.pct_used, settings::alert_sequence_pct, settings::alert_sequence_critical_pct);
    const std::string name = relation(data, s.sequence);
    add(sev, "sequence_exhaustion", name, *s.pct_used,
        threshold_of(sev, settings::alert_sequence_pct, settings::alert_sequence_critical_pct),
        fmt::format("{:.1f}% of its range used{}", *s.pct_used,
                    s.owned_by.empty() ? std::string() : fmt::format(" (feeds {} {})", s.owned_by, s.column_type)),
        sequence_advice(s, name));
  }

  for (const catalog::ReplicationSlotFacts &s : data.slots()) {
    if (s.active)
      continue;
    const double mb = static_cast<double>(s.retained_bytes) / (1024.0 * 1024.0);
    const char *sev = severity(mb, settings::alert_slot_retained_mb, settings::alert_slot_retained_critical_mb);
    add(sev, "inactive_replication_slot", s.name, mb,
        threshold_of(sev, settings::alert_slot_retained_mb, settings::alert_slot_retained_critical_mb),
        fmt::format("{} replication slot has no client and keeps {:.0f} MB of WAL", s.logical ? "logical" : "physical",
                    mb),
        fmt::format("Reconnect its consumer, or drop it if it is gone: SELECT pg_drop_replication_slot('{}');",
                    s.name));
  }

  for (const scheduler::JobProblem &p : scheduler::job_problems()) {
    const std::string quoted = catalog::quote_literal(p.name);
    add(p.disabled ? "critical" : "warning", "failed_job", "job " + p.name, p.failures,
        p.disabled ? p.max_retries + 1 : 1,
        p.disabled ? fmt::format("job is disabled: {}", p.message)
                   : fmt::format("last run {} ({} in a row): {}", p.status, p.failures, p.message),
        fmt::format("See SELECT * FROM optimize.job_runs WHERE job = {} ORDER BY id DESC LIMIT 5;{}", quoted,
                    p.disabled
                        ? fmt::format(" fix the cause, then SELECT optimize.alter_job({}, enabled => true);", quoted)
                        : " it is retried with a growing delay and disabled after max_retries failures."));
  }

  latency::add_alerts(out);
  partition::add_alerts(out);

  std::stable_sort(out.begin(), out.end(), [](const Alert &a, const Alert &b) {
    return std::make_tuple(a.severity != "critical", a.kind, a.object) <
           std::make_tuple(b.severity != "critical", b.kind, b.object);
  });
  return out;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_alerts) {
  using namespace pgo;
  health::HealthData data(health::HealthData::Catalog::TablesAndSequences);
  const std::vector<health::Alert> rows = health::alerts(data);
  pg::ResultSet out(fcinfo);
  for (const health::Alert &a : rows) {
    out.begin_row();
    out.add_text(a.severity);
    out.add_text(a.kind);
    out.add_text(a.object);
    out.add_float8(a.value);
    out.add_float8(a.threshold);
    out.add_text(a.message);
    out.add_text(a.recommendation);
    out.end_row();
  }
  return out.done();
}
