#include "health/metrics.hpp"
#include "latency/latency.hpp"

#include <algorithm>

#include "core/maintenance_math.hpp"
#include "pg/barrier.hpp"
#include "pg/srf.hpp"
#include "settings.hpp"

namespace pgo::health {

ConnectionCounts connection_counts(HealthData &data) {
  ConnectionCounts c;
  for (const catalog::Backend &b : data.backends()) {
    if (!b.is_client())
      continue;
    c.total++;
    if (b.state == "active")
      c.active++;
    else if (b.state == "idle")
      c.idle++;
    else if (b.state.rfind("idle in transaction", 0) == 0)
      c.idle_in_transaction++;
    if (b.waiting_on_lock())
      c.waiting_on_locks++;
  }
  c.usable_slots = std::max(1, pg::compat::usable_connection_slots());
  c.used_pct = 100.0 * c.total / c.usable_slots;
  return c;
}

void RowTotals::add(const TableHealth &t) {
  if (t.partitioned)
    return; // its partitions are counted
  live += t.activity.live_tuples;
  dead += t.activity.dead_tuples;
  bloat += t.bloat_bytes.value_or(0);
  need_vacuum += t.vacuum_needed ? 1 : 0;
  need_analyze += t.analyze_needed ? 1 : 0;
}

void RowTotals::add(const IndexUsage &u) {
  if (!u.details.partitioned) { // a partitioned index's row sums its partitions' indexes, which have rows too
    index_hit += u.activity.blocks_hit;
    index_read += u.activity.blocks_read;
  }
  if (u.unused)
    unused_bytes += u.bytes;
  if (!u.details.valid)
    invalid++;
}

std::vector<Metric> metrics(HealthData &data) {
  RowTotals totals;
  data.for_each_table([&](const TableHealth &t) { totals.add(t); });
  data.done_with_tables();
  for (const IndexUsage &u : data.index_usage())
    totals.add(u);
  data.done_with_index_usage();
  return metrics(data, totals);
}

std::vector<Metric> metrics(HealthData &data, const RowTotals &totals) {
  std::vector<Metric> m;
  auto add = [&](const char *name, std::optional<double> value, const char *unit, const char *description) {
    m.push_back(Metric{name, value, unit, description});
  };
  const ConnectionCounts c = connection_counts(data);
  add("connections_total", c.total, "connections", "client connections to the cluster");
  add("connections_max", c.usable_slots, "connections",
      "connection slots usable by ordinary roles (max_connections minus the reserved ones)");
  add("connections_used_pct", c.used_pct, "percent", "share of the usable connection slots in use");
  add("connections_active", c.active, "connections", "connections running a statement");
  add("connections_idle", c.idle, "connections", "connections waiting for the client");
  add("connections_idle_in_transaction", c.idle_in_transaction, "connections",
      "connections idle inside an open transaction (holding locks and snapshots)");
  add("connections_waiting_on_locks", c.waiting_on_locks, "connections", "connections waiting for a lock");
  add("blocked_queries", static_cast<double>(data.blocked().size()), "queries",
      "sessions waiting for a heavyweight lock");

  double longest_query = 0, longest_xact = 0;
  for (const catalog::Backend &b : data.backends()) {
    if (!b.is_client() || b.pid == MyProcPid)
      continue;
    if (b.state == "active")
      longest_query = std::max(longest_query, seconds_since(b.query_start, data.now()));
    longest_xact = std::max(longest_xact, seconds_since(b.xact_start, data.now()));
  }
  add("longest_query_seconds", longest_query, "seconds", "age of the oldest running statement (other sessions)");
  add("longest_transaction_seconds", longest_xact, "seconds", "age of the oldest open transaction (other sessions)");

  const catalog::DatabaseActivity &db = data.database_activity();
  const auto ratio = [](std::int64_t hit, std::int64_t read) -> std::optional<double> {
    if (hit + read == 0)
      return std::nullopt;
    return 100.0 * static_cast<double>(hit) / static_cast<double>(hit + read);
  };
  add("cache_hit_pct", ratio(db.blocks_hit, db.blocks_read), "percent",
      "share of this database's block reads served from shared buffers");
  add("index_hit_pct", ratio(totals.index_hit, totals.index_read), "percent",
      "share of index block reads served from shared buffers");
  add("xact_commit", static_cast<double>(db.xact_commit), "transactions", "transactions committed in this database");
  add("xact_rollback", static_cast<double>(db.xact_rollback), "transactions",
      "transactions rolled back in this database");
  add("deadlocks", static_cast<double>(db.deadlocks), "deadlocks", "deadlocks detected in this database");
  add("temp_bytes", static_cast<double>(db.temp_bytes), "bytes", "bytes written to temporary files by queries");
  add("stats_reset_age_seconds",
      db.stats_reset ? std::optional<double>(seconds_since(db.stats_reset, data.now())) : std::nullopt, "seconds",
      "time since this database's statistics were reset (NULL: never)");
  add("database_bytes", static_cast<double>(data.sizer().database_bytes(settings::measure_thread_count())), "bytes",
      "size of this database");

  add("dead_tuple_pct", core::dead_pct(totals.live, totals.dead), "percent",
      "dead tuples among all tuples of this database's tables");
  add("tables_needing_vacuum", totals.need_vacuum, "tables", "tables past autovacuum's VACUUM threshold");
  add("tables_needing_analyze", totals.need_analyze, "tables", "tables past autovacuum's ANALYZE threshold");
  add("estimated_bloat_bytes", static_cast<double>(totals.bloat), "bytes", "estimated heap bloat of all tables");
  add("unused_index_bytes", static_cast<double>(totals.unused_bytes), "bytes", "size of indexes never scanned");
  add("invalid_indexes", totals.invalid, "indexes", "indexes left invalid by a failed concurrent build");
  add("missing_fk_indexes", static_cast<double>(data.missing_fk_index_count()), "foreign keys",
      "foreign keys without an index on the referencing columns");

  std::optional<double> xid_max, mxid_max;
  for (const catalog::DatabaseAge &d : data.databases()) {
    if (d.xid_age)
      xid_max = std::max(xid_max.value_or(0), static_cast<double>(*d.xid_age));
    if (d.mxid_age)
      mxid_max = std::max(mxid_max.value_or(0), static_cast<double>(*d.mxid_age));
  }
  add("xid_age_max", xid_max, "transactions", "age of the oldest unfrozen transaction ID of any database");
  add("xid_wraparound_pct",
      xid_max ? std::optional<double>(core::xid_age_pct(static_cast<std::int64_t>(*xid_max))) : std::nullopt, "percent",
      "share of the transaction ID space used before the server stops to prevent wraparound");
  add("mxid_age_max", mxid_max, "multixacts", "age of the oldest multixact ID of any database");
  int near_exhaustion = 0;
  for (const SequenceHealth &s : data.sequences())
    if (s.pct_used && *s.pct_used >= settings::alert_sequence_pct)
      near_exhaustion++;
  add("sequences_near_exhaustion", near_exhaustion, "sequences",
      "sequences past pg_optimize.alert_sequence_pct of their range");
  int inactive = 0;
  std::int64_t retained = 0;
  for (const catalog::ReplicationSlotFacts &s : data.slots()) {
    inactive += s.active ? 0 : 1;
    retained += s.retained_bytes;
  }
  add("inactive_replication_slots", inactive, "slots", "replication slots no client is using (they keep WAL)");
  add("replication_slot_retained_bytes", static_cast<double>(retained), "bytes", "WAL kept for replication slots");
  latency::add_metrics(m);
  return m;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_metrics) {
  using namespace pgo;
  // Only totals: the rows of each check go once summed, and no relation is named (the catalog keeps no names).
  health::HealthData data(health::HealthData::Catalog::Full, health::HealthData::Rows::Dropped,
                          catalog::ClassCatalog::Names::Skip);
  const std::vector<health::Metric> rows = health::metrics(data);
  pg::ResultSet out(fcinfo);
  for (const health::Metric &m : rows) {
    out.begin_row();
    out.add_text(m.name);
    out.add_optional(m.value, &pg::ResultSet::add_float8);
    out.add_text(m.unit);
    out.add_text(m.description);
    out.end_row();
  }
  return out.done();
}
