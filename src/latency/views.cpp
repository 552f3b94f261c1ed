// SQL functions of latency tracking: optimize.latency, optimize.slow_queries, optimize.n_plus_one,
// optimize.latency_histogram(), optimize.reset_latency().
#include <algorithm>
#include <tuple>

#include "core/latency_histogram.hpp"
#include "health/activity.hpp"
#include "latency/latency_settings.hpp"
#include "latency/summary.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "commands/dbcommands.h"
#include "utils/acl.h"
#include "utils/builtins.h"
}

namespace pgo::latency {
namespace {

using Fine = core::FineLatencyScale;
using Coarse = core::CoarseLatencyScale;

double ms(double us) { return us / 1000.0; }

} // namespace

bool notice_if_inactive() {
  if (shared_memory_ready())
    return false;
  pg::guard([] {
    ereport(NOTICE, (errmsg("pg_optimize is not tracking query latency"),
                     errhint("Add pg_optimize to shared_preload_libraries and restart the server.")));
  });
  return true;
}

std::vector<DatabaseSummary> database_summaries(const Snapshot &snap) {
  std::vector<DatabaseSummary> out;
  for (const DatabaseRow &row : snap.databases) {
    const char *name = pg::guard([&] { return get_database_name(row.database); });
    if (name == nullptr) { // dropped since (by a session that had not loaded pg_optimize): free its accumulator
      pg::guard([&] { forget_database(row.database); });
      continue;
    }
    DatabaseSummary s;
    s.database = row.database;
    s.name = name;
    s.calls = row.calls;
    const double max = static_cast<double>(row.max_us);
    s.p50_ms = ms(core::percentile_of<Fine>(row.buckets.data(), 0.50, max));
    s.p90_ms = ms(core::percentile_of<Fine>(row.buckets.data(), 0.90, max));
    s.p95_ms = ms(core::percentile_of<Fine>(row.buckets.data(), 0.95, max));
    s.p99_ms = ms(core::percentile_of<Fine>(row.buckets.data(), 0.99, max));
    s.max_ms = ms(max);
    s.mean_ms = ms(static_cast<double>(row.total_us) / static_cast<double>(row.calls));
    s.target_ms = ms(static_cast<double>(snap.target_us));
    s.pct_within_target = 100.0 * static_cast<double>(row.within_target) / static_cast<double>(row.calls);
    s.meets_target = s.pct_within_target >= settings::latency_target_pct;
    s.since = snap.since;
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
  return out;
}

std::vector<QuerySummary> query_summaries(const Snapshot &snap) {
  const Oid me = GetUserId();
  const bool sees_all = pg::guard([&] { return has_privs_of_role(me, ROLE_PG_READ_ALL_STATS); });
  std::vector<QuerySummary> out;
  for (const QueryRow &row : snap.queries) {
    const QueryTotals &t = row.totals;
    if (t.calls == 0)
      continue;
    QuerySummary s;
    s.query_id = static_cast<std::int64_t>(row.key.query_id);
    s.database = row.key.database;
    s.database_name = health::database_name(row.key.database);
    s.role_name = health::role_name(row.key.role);
    const bool visible = sees_all || pg::guard([&] { return has_privs_of_role(me, row.key.role); });
    s.query = visible ? row.text : "<insufficient privilege>";
    s.calls = t.calls;
    s.slow_calls = t.slow_calls;
    s.total_ms = ms(static_cast<double>(t.total_us));
    s.mean_ms = s.total_ms / static_cast<double>(t.calls);
    s.p95_ms = ms(core::percentile_of<Coarse>(t.buckets, 0.95, static_cast<double>(t.max_us)));
    s.max_ms = ms(static_cast<double>(t.max_us));
    s.first_seen = static_cast<TimestampTz>(t.first_seen);
    s.last_seen = static_cast<TimestampTz>(t.last_seen);
    s.n1_events = t.n1_events;
    s.n1_largest_run = t.n1_largest_run;
    s.n1_calls = t.n1_calls;
    s.n1_total_ms = ms(static_cast<double>(t.n1_time_us));
    s.n1_last_seen = static_cast<TimestampTz>(t.n1_last_seen);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const QuerySummary &a, const QuerySummary &b) {
    return std::make_tuple(-a.total_ms, a.query_id, a.database_name, a.role_name) <
           std::make_tuple(-b.total_ms, b.query_id, b.database_name, b.role_name);
  });
  return out;
}

} // namespace pgo::latency

PGO_FUNCTION(pgo_latency) {
  using namespace pgo;
  pg::ResultSet out(fcinfo);
  if (latency::notice_if_inactive())
    return out.done();
  for (const latency::DatabaseSummary &s : latency::database_summaries(latency::snapshot(latency::Queries::None))) {
    out.begin_row();
    out.add_name(s.name);
    out.add_int64(static_cast<std::int64_t>(s.calls));
    out.add_float8(s.p50_ms);
    out.add_float8(s.p90_ms);
    out.add_float8(s.p95_ms);
    out.add_float8(s.p99_ms);
    out.add_float8(s.max_ms);
    out.add_float8(s.mean_ms);
    out.add_float8(s.target_ms);
    out.add_float8(s.pct_within_target);
    out.add_bool(s.meets_target);
    out.add_timestamp(s.since);
    out.end_row();
  }
  return out.done();
}

PGO_FUNCTION(pgo_latency_histogram) {
  using namespace pgo;
  if (PG_ARGISNULL(0))
    throw Error(sqlstate::kNullValueNotAllowed, "database must not be null", "",
                "Leave the argument out for the current database.");
  const std::string name = pg::guard([&] { return NameStr(*PG_GETARG_NAME(0)); });
  const Oid database = pg::guard([&] { return get_database_oid(name.c_str(), true); });
  if (!OidIsValid(database))
    throw Error("3D000", "database \"" + name + "\" does not exist", "",
                "SELECT datname FROM pg_database lists the databases.");
  pg::ResultSet out(fcinfo);
  if (latency::notice_if_inactive())
    return out.done();
  const latency::Snapshot snap = latency::snapshot(latency::Queries::None);
  for (const latency::DatabaseRow &row : snap.databases) {
    if (row.database != database)
      continue;
    for (const core::BucketRow &b : core::nonempty_buckets<core::FineLatencyScale>(row.buckets.data())) {
      out.begin_row();
      out.add_float8(static_cast<double>(b.lower) / 1000.0);
      // the upper bound of a bucket is exclusive here: the next bucket's lower bound
      out.add_float8(static_cast<double>(b.upper + 1) / 1000.0);
      out.add_int64(static_cast<std::int64_t>(b.count));
      out.end_row();
    }
  }
  return out.done();
}

PGO_FUNCTION(pgo_slow_queries) {
  using namespace pgo;
  pg::ResultSet out(fcinfo);
  if (latency::notice_if_inactive())
    return out.done();
  for (const latency::QuerySummary &s : latency::query_summaries(latency::snapshot(latency::Queries::All))) {
    out.begin_row();
    out.add_int64(s.query_id);
    out.add_name(s.database_name);
    out.add_name(s.role_name);
    out.add_text(s.query);
    out.add_int64(static_cast<std::int64_t>(s.calls));
    out.add_int64(static_cast<std::int64_t>(s.slow_calls));
    out.add_float8(s.mean_ms);
    out.add_float8(s.p95_ms);
    out.add_float8(s.max_ms);
    out.add_float8(s.total_ms);
    out.add_timestamp(s.first_seen);
    out.add_timestamp(s.last_seen);
    out.end_row();
  }
  return out.done();
}

PGO_FUNCTION(pgo_n_plus_one) {
  using namespace pgo;
  pg::ResultSet out(fcinfo);
  if (latency::notice_if_inactive())
    return out.done();
  std::vector<latency::QuerySummary> rows = latency::query_summaries(latency::snapshot(latency::Queries::NPlusOneOnly));
  std::stable_sort(rows.begin(), rows.end(), [](const latency::QuerySummary &a, const latency::QuerySummary &b) {
    return a.n1_total_ms > b.n1_total_ms;
  });
  for (const latency::QuerySummary &s : rows) {
    if (s.n1_events == 0)
      continue;
    out.begin_row();
    out.add_int64(s.query_id);
    out.add_name(s.database_name);
    out.add_name(s.role_name);
    out.add_text(s.query);
    out.add_int64(static_cast<std::int64_t>(s.n1_events));
    out.add_int64(static_cast<std::int64_t>(s.n1_largest_run));
    out.add_float8(static_cast<double>(s.n1_calls) / static_cast<double>(s.n1_events));
    out.add_float8(s.n1_total_ms);
    out.add_timestamp(s.n1_last_seen);
    out.end_row();
  }
  return out.done();
}

PGO_FUNCTION(pgo_reset_latency) {
  using namespace pgo;
  if (!latency::notice_if_inactive())
    latency::reset();
  PG_RETURN_VOID();
}
