// optimize.openmetrics(): the health data in the Prometheus text exposition format (0.0.4), for a scrape through
// postgres_exporter, a textfile collector or any HTTP wrapper. Label cardinality stays bounded: per-table series only
// for the pg_optimize.openmetrics_max_tables worst tables of each kind. Never a query text.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "catalog/names.hpp"
#include "core/openmetrics.hpp"
#include "core/top_n.hpp"
#include "health/activity.hpp"
#include "health/alerts.hpp"
#include "health/health_data.hpp"
#include "health/metrics.hpp"
#include "latency/shared.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "settings.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "commands/dbcommands.h"
#include "utils/builtins.h"
}

namespace pgo::health {
namespace {

namespace om = core::openmetrics;
using om::Family;
using om::Type;

// The histogram's `le` bounds, in microseconds (the log-linear buckets' unit); shown in seconds.
constexpr std::uint64_t kBoundsUs[] = {500,    1000,   2500,    5000,    10000,   25000,    50000,    100000,
                                       250000, 500000, 1000000, 2500000, 5000000, 10000000, 30000000, 60000000};
constexpr double kXidSpace = 2147483648.0; // 2^31: how far an XID age may go before wraparound

std::vector<Family> connection_families(HealthData &data, const std::string &database) {
  const ConnectionCounts c = connection_counts(data);
  Family by_state{"pg_optimize_connections", Type::Gauge, "Client connections to the cluster by state.", {}};
  by_state.add({{"state", "active"}}, c.active);
  by_state.add({{"state", "idle"}}, c.idle);
  by_state.add({{"state", "idle_in_transaction"}}, c.idle_in_transaction);
  by_state.add({{"state", "other"}}, c.total - c.active - c.idle - c.idle_in_transaction);
  Family in_use{"pg_optimize_connections_in_use", Type::Gauge, "Client connections to the cluster.", {}};
  in_use.add({}, c.total);
  Family slots{"pg_optimize_connection_slots",
               Type::Gauge,
               "Connection slots usable by ordinary roles (max_connections minus the reserved ones).",
               {}};
  slots.add({}, c.usable_slots);
  Family usage{
      "pg_optimize_connection_usage_ratio", Type::Gauge, "Share of the usable connection slots in use (0 to 1).", {}};
  usage.add({}, c.used_pct / 100.0);
  Family waiting{"pg_optimize_connections_waiting_on_locks", Type::Gauge, "Connections waiting for a lock.", {}};
  waiting.add({}, c.waiting_on_locks);
  Family blocked{"pg_optimize_blocked_queries",
                 Type::Gauge,
                 "Sessions waiting for a heavyweight lock held by another session.",
                 {}};
  blocked.add({{"database", database}}, static_cast<double>(data.blocked().size()));
  return {by_state, in_use, slots, usage, waiting, blocked};
}

// What a per-table series needs of a table_health row: rows are not kept, only the worst few of each kind.
struct TableFigures {
  Oid table;
  std::int64_t dead_tuples, bytes, xid_age, mxid_age;
  double dead_pct;
};

// The `limit` tables with the highest value (only those above zero), worst first, ties by OID.
using Worst = core::TopN<std::pair<std::int64_t, Oid>, TableFigures>;
void offer(Worst &worst, std::int64_t value, const TableFigures &t) {
  if (value > 0)
    worst.offer({-value, t.table}, t);
}

// `statistics_untouched`: statistics_untouched_in_transaction() as the call began (before its own reads of the
// databases' statistics).
std::vector<Family> table_families(HealthData &data, const std::string &database, bool statistics_untouched) {
  const auto limit = static_cast<std::size_t>(settings::openmetrics_max_tables);
  const auto name_of = [&](const TableFigures &t) { return catalog::display_name(data.classes(), t.table); };
  Worst by_dead(limit), by_xid(limit), by_mxid(limit);
  const catalog::ClassCatalog &classes = data.classes();
  const catalog::Inheritance &inheritance = data.inheritance();
  {
    // The figures are autovacuum's verdicts (no sizes, no column statistics), table by table, only the worst tables'
    // kept. A partitioned table's are its partitions' summed, as in table_health: those of the partitions of some
    // partitioned table are kept until then.
    const catalog::RelationStatistics stats =
        catalog::RelationStatistics::read(statistics_untouched, table_health_statistics_filter(classes));
    std::unordered_map<Oid, MaintenanceVerdict> partitions;
    for (const auto &[oid, row] : classes.rows())
      if (!row.excluded && row.relkind == RELKIND_PARTITIONED_TABLE)
        for (Oid leaf : inheritance.leaves_of(oid))
          partitions.emplace(leaf, MaintenanceVerdict{});
    auto offer_all = [&](const TableFigures &t) {
      offer(by_dead, t.dead_tuples, t);
      offer(by_xid, t.xid_age, t);
      offer(by_mxid, t.mxid_age, t);
    };
    for_each_maintenance_verdict(classes, stats, [&](Oid table, const MaintenanceVerdict &v) {
      offer_all(
          TableFigures{table, v.activity.dead_tuples, 0, v.xid_age.value_or(0), v.mxid_age.value_or(0), v.dead_pct});
      if (const auto found = partitions.find(table); found != partitions.end())
        found->second = v;
    });
    for (const auto &[oid, row] : classes.rows()) {
      if (row.excluded || row.relkind != RELKIND_PARTITIONED_TABLE)
        continue;
      MaintenanceVerdict summed;
      for (Oid leaf : inheritance.leaves_of(oid))
        add_partition(summed, partitions.at(leaf)); // a leaf without a verdict adds nothing: all zero, no age
      offer_all(TableFigures{oid, summed.activity.dead_tuples, 0, summed.xid_age.value_or(0),
                             summed.mxid_age.value_or(0), summed.dead_pct});
    }
  }
  // Sizes for the tables shown only: a few dozen, each measured file by file, not a stat() of every file.
  std::vector<TableFigures> worst_dead = by_dead.take_sorted();
  if (!worst_dead.empty()) {
    const catalog::IndexCatalog indexes = catalog::IndexCatalog::read();
    catalog::RelationSizer sizer(classes, indexes, /*wait_for_locks=*/false, catalog::RelationSizer::Listing::None);
    for (TableFigures &t : worst_dead) {
      const catalog::ClassRow *row = classes.find(t.table);
      if (row == nullptr || row->relkind != RELKIND_PARTITIONED_TABLE) {
        t.bytes = sizer.unlocked_total_bytes(t.table);
        continue;
      }
      for (Oid leaf : inheritance.leaves_of(t.table)) { // its partitions that have rows of their own
        const catalog::ClassRow *partition = classes.find(leaf);
        if (partition != nullptr && is_health_table(*partition))
          t.bytes += sizer.unlocked_total_bytes(leaf);
      }
    }
  }
  Family dead{"pg_optimize_table_dead_tuples",
              Type::Gauge,
              "Dead tuples of the tables with the most (pg_optimize.openmetrics_max_tables of them).",
              {}};
  Family dead_ratio{"pg_optimize_table_dead_tuples_ratio",
                    Type::Gauge,
                    "Dead tuples over live plus dead tuples (0 to 1), for the same tables.",
                    {}};
  Family bytes{"pg_optimize_table_size_bytes", Type::Gauge, "Size of the same tables (heap, TOAST, indexes).", {}};
  for (const TableFigures &t : worst_dead) {
    const om::Labels labels{{"database", database}, {"table", name_of(t)}};
    dead.add(labels, static_cast<double>(t.dead_tuples));
    dead_ratio.add(labels, t.dead_pct / 100.0);
    bytes.add(labels, static_cast<double>(t.bytes));
  }
  Family xid{"pg_optimize_table_xid_age",
             Type::Gauge,
             "Age in transactions of the oldest unfrozen XID of the tables with the oldest.",
             {}};
  for (const TableFigures &t : by_xid.take_sorted())
    xid.add({{"database", database}, {"table", name_of(t)}}, static_cast<double>(t.xid_age));
  Family mxid{"pg_optimize_table_mxid_age",
              Type::Gauge,
              "Age in multixacts of the oldest unfrozen multixact ID of the tables with the oldest.",
              {}};
  for (const TableFigures &t : by_mxid.take_sorted())
    mxid.add({{"database", database}, {"table", name_of(t)}}, static_cast<double>(t.mxid_age));

  Family db_xid{"pg_optimize_database_xid_age", Type::Gauge, "Age of the database's datfrozenxid.", {}};
  Family db_mxid{"pg_optimize_database_mxid_age", Type::Gauge, "Age of the database's datminmxid.", {}};
  Family wrap{"pg_optimize_database_xid_wraparound_ratio",
              Type::Gauge,
              "The database's XID age over the 2^31 transactions at which wraparound stops writes (0 to 1).",
              {}};
  for (const catalog::DatabaseAge &d : data.databases()) {
    if (d.xid_age) {
      db_xid.add({{"database", d.name}}, static_cast<double>(*d.xid_age));
      wrap.add({{"database", d.name}}, static_cast<double>(*d.xid_age) / kXidSpace);
    }
    if (d.mxid_age)
      db_mxid.add({{"database", d.name}}, static_cast<double>(*d.mxid_age));
  }
  return {dead, dead_ratio, bytes, xid, mxid, db_xid, db_mxid, wrap};
}

std::vector<Family> alert_families(HealthData &data, const std::string &database) {
  Family active{"pg_optimize_alert_active",
                Type::Gauge,
                "Alerts of optimize.alerts, one series per kind, severity and object (1 while raised).",
                {}};
  Family value{"pg_optimize_alert_value", Type::Gauge, "The measured value of each alert, in its own unit.", {}};
  std::vector<std::vector<std::string>> seen;
  for (const Alert &a : alerts(data)) {
    std::vector<std::string> key{a.kind, a.severity, a.object};
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      continue; // two sessions idle in one database, say: one series
    seen.push_back(key);
    const om::Labels labels{{"database", database}, {"kind", a.kind}, {"severity", a.severity}, {"object", a.object}};
    active.add(labels, 1);
    value.add(labels, a.value);
  }
  return {active, value};
}

std::vector<Family> job_families(const std::string &database) {
  Family runs{"pg_optimize_job_runs_total",
              Type::Counter,
              "Runs of each job by outcome, as kept in optimize.job_runs (pg_optimize.history_retention).",
              {}};
  Family last_success{"pg_optimize_job_last_success_timestamp_seconds",
                      Type::Gauge,
                      "End of each job's last successful run, in seconds since 1970.",
                      {}};
  Family failures{"pg_optimize_job_consecutive_failures",
                  Type::Gauge,
                  "Failed runs of each enabled job since its last success.",
                  {}};
  pg::Spi spi;
  for (const pg::SqlRow &r : spi.run("SELECT job, status, pg_catalog.count(*) FROM optimize.job_runs "
                                     "GROUP BY job, status ORDER BY job, status",
                                     {}, true)
                                 .rows)
    runs.add({{"database", database}, {"job", r[0].value_or("")}, {"status", r[1].value_or("")}},
             std::stod(r[2].value_or("0")));
  for (const pg::SqlRow &r :
       spi.run("SELECT job, pg_catalog.date_part('epoch', pg_catalog.max(finished_at)) FROM optimize.job_runs "
               "WHERE status OPERATOR(pg_catalog.=) 'succeeded' AND finished_at IS NOT NULL GROUP BY job ORDER BY job",
               {}, true)
           .rows)
    last_success.add({{"database", database}, {"job", r[0].value_or("")}}, std::stod(r[1].value_or("0")));
  for (const pg::SqlRow &r :
       spi.run("SELECT name, consecutive_failures FROM optimize.jobs WHERE enabled ORDER BY name", {}, true).rows)
    failures.add({{"database", database}, {"job", r[0].value_or("")}}, std::stod(r[1].value_or("0")));
  return {runs, last_success, failures};
}

std::vector<Family> latency_families() {
  Family enabled{"pg_optimize_latency_tracking_enabled",
                 Type::Gauge,
                 "1 when statement latency is tracked (pg_optimize in shared_preload_libraries).",
                 {}};
  Family histogram{"pg_optimize_statement_duration_seconds",
                   Type::Histogram,
                   "Statement durations per database since start or optimize.reset_latency(); a bucket never "
                   "overstates and may miss at most 1/64 of its bound.",
                   {}};
  Family target{"pg_optimize_statement_duration_target_seconds",
                Type::Gauge,
                "The latency target (pg_optimize.slow_query_ms when latency was last reset).",
                {}};
  Family within{"pg_optimize_statements_within_target_ratio",
                Type::Gauge,
                "Exact share of the database's statements that finished within the target (0 to 1).",
                {}};
  Family percentiles{"pg_optimize_statement_duration_percentile_seconds",
                     Type::Gauge,
                     "Statement duration percentiles per database, within 0.8% (log-linear histogram).",
                     {}};
  const bool active = latency::shared_memory_ready();
  enabled.add({}, active ? 1 : 0);
  if (active) {
    const latency::Snapshot snap = latency::snapshot(latency::Queries::None);
    target.add({}, static_cast<double>(snap.target_us) / 1e6);
    std::vector<double> bounds_us, bounds_s;
    for (std::uint64_t b : kBoundsUs) {
      bounds_us.push_back(static_cast<double>(b));
      bounds_s.push_back(static_cast<double>(b) / 1e6);
    }
    for (const latency::DatabaseRow &row : snap.databases) {
      const char *name = pg::guard([&] { return get_database_name(row.database); });
      if (name == nullptr || row.calls == 0)
        continue;
      const om::Labels labels{{"database", name}};
      const auto rows = core::nonempty_buckets<core::FineLatencyScale>(row.buckets.data());
      om::add_histogram(histogram, labels, bounds_s, om::cumulative_counts(rows, bounds_us),
                        static_cast<double>(row.total_us) / 1e6);
      within.add(labels, static_cast<double>(row.within_target) / static_cast<double>(row.calls));
      const double max = static_cast<double>(row.max_us);
      for (const auto &[label, q] : {std::pair{"50", 0.50}, {"95", 0.95}, {"99", 0.99}})
        percentiles.add({{"database", name}, {"percentile", label}},
                        core::percentile_of<core::FineLatencyScale>(row.buckets.data(), q, max) / 1e6);
    }
  }
  return {enabled, histogram, target, within, percentiles};
}

std::string openmetrics_text() {
  const bool statistics_untouched = catalog::statistics_untouched_in_transaction();
  // It names a few dozen tables at most: their names come from the system caches, not a copy of every name.
  HealthData data(HealthData::Catalog::Full, HealthData::Rows::Kept, catalog::ClassCatalog::Names::Skip);
  const std::string database = database_name(MyDatabaseId);
  std::vector<Family> all;
  for (auto part : {connection_families(data, database), table_families(data, database, statistics_untouched),
                    alert_families(data, database), job_families(database), latency_families()})
    for (Family &f : part)
      all.push_back(std::move(f));
  return om::render(all);
}

} // namespace
} // namespace pgo::health

PGO_FUNCTION(pgo_openmetrics) {
  using namespace pgo;
  const std::string text = health::openmetrics_text();
  PG_RETURN_TEXT_P(pg::guard([&] { return cstring_to_text_with_len(text.data(), static_cast<int>(text.size())); }));
}
