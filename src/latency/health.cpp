// Latency in the health functions: metrics() rows, the latency_target and n_plus_one alerts, and the report's
// latency sections.
#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/report.hpp"
#include "health/alerts.hpp"
#include "health/metrics.hpp"
#include "latency/latency.hpp"
#include "latency/latency_settings.hpp"
#include "latency/summary.hpp"
#include "pg/guard.hpp"
#include "settings.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace pgo::latency {
namespace {

// A database's latency is judged only once it has run this many statements (a fresh one is all CREATE and COPY).
constexpr std::uint64_t kMinStatementsForAlert = 100;

const DatabaseSummary *this_database(const std::vector<DatabaseSummary> &all) {
  for (const DatabaseSummary &s : all)
    if (s.database == MyDatabaseId)
      return &s;
  return nullptr;
}

} // namespace

void add_metrics(std::vector<health::Metric> &metrics) {
  std::optional<double> p95, within;
  if (shared_memory_ready()) {
    const std::vector<DatabaseSummary> all = database_summaries(snapshot(Queries::None));
    if (const DatabaseSummary *s = this_database(all)) {
      p95 = s->p95_ms;
      within = s->pct_within_target;
    }
  }
  metrics.push_back(health::Metric{"latency_p95_ms", p95, "milliseconds",
                                   "95th percentile of statement latency in this database (NULL: not tracked)"});
  metrics.push_back(health::Metric{"latency_within_target_pct", within, "percent",
                                   "share of this database's statements finished within pg_optimize.slow_query_ms"});
}

void add_alerts(std::vector<health::Alert> &alerts) {
  if (!shared_memory_ready())
    return;
  const Snapshot snap = snapshot(Queries::NPlusOneOnly);
  // Only this database's: alerts are a per-database view (another database's query texts are not its business).
  for (const DatabaseSummary &s : database_summaries(snap)) {
    if (s.database != MyDatabaseId || s.meets_target || s.calls < kMinStatementsForAlert)
      continue;
    alerts.push_back(health::Alert{
        s.p95_ms >= pgo::settings::slow_query_critical_ms ? "critical" : "warning", "latency_target", s.name,
        s.pct_within_target, settings::latency_target_pct,
        fmt::format("{:.1f}% of {} statements finished within {:g} ms (target {:g}%); p95 is {:.1f} ms",
                    s.pct_within_target, s.calls, s.target_ms, settings::latency_target_pct, s.p95_ms),
        "optimize.slow_queries lists the statements that take the time; look at their plans with EXPLAIN (ANALYZE, "
        "BUFFERS)."});
  }
  for (const QuerySummary &q : query_summaries(snap)) {
    if (q.n1_events == 0 || q.database != MyDatabaseId)
      continue;
    alerts.push_back(health::Alert{
        "warning", "n_plus_one", fmt::format("{}: query {}", q.database_name, q.query_id),
        static_cast<double>(q.n1_largest_run), static_cast<double>(settings::n_plus_one_threshold),
        fmt::format("N+1 pattern by {}: {} burst{}, up to {} executions in a row, {:.1f} ms in them: {}", q.role_name,
                    q.n1_events, q.n1_events == 1 ? "" : "s", q.n1_largest_run, q.n1_total_ms,
                    catalog::one_line(q.query, 100)),
        "Fetch the rows in one statement (a join, or WHERE id = ANY($1)) instead of one statement per row; ORMs call "
        "it eager loading."});
  }
}

void add_report_sections(core::Report &report) {
  core::Section latency;
  latency.title = "Query latency";
  core::Section n1;
  n1.title = "N+1 query patterns";
  if (!shared_memory_ready()) {
    latency.note = "Not tracked: add pg_optimize to shared_preload_libraries and restart the server.";
    n1.note = latency.note;
    report.sections.push_back(std::move(latency));
    report.sections.push_back(std::move(n1));
    return;
  }
  const Snapshot snap = snapshot(Queries::All);
  const std::vector<DatabaseSummary> all = database_summaries(snap);
  if (const DatabaseSummary *s = this_database(all)) {
    const std::string since = pg::guard([&] { return timestamptz_to_str(s->since); });
    latency.facts = {{"statements", static_cast<std::int64_t>(s->calls)},
                     {"p50 ms", s->p50_ms},
                     {"p95 ms", s->p95_ms},
                     {"p99 ms", s->p99_ms},
                     {"max ms", s->max_ms},
                     {"target ms", s->target_ms},
                     {"% within target", s->pct_within_target},
                     {"meets target", s->meets_target},
                     {"since", since}};
  } else {
    latency.note = "No statement has been timed in this database yet.";
  }
  latency.table = core::Table{{"query id", "calls", "slow calls", "mean ms", "p95 ms", "total ms", "query"}, {}};
  n1.table = core::Table{{"query id", "events", "largest run", "total ms", "query"}, {}};
  for (const QuerySummary &q : query_summaries(snap)) {
    if (q.database != MyDatabaseId)
      continue;
    if (latency.table->rows.size() < 10)
      latency.table->rows.push_back({q.query_id, static_cast<std::int64_t>(q.calls),
                                     static_cast<std::int64_t>(q.slow_calls), q.mean_ms, q.p95_ms, q.total_ms,
                                     catalog::one_line(q.query, 80)});
    if (q.n1_events > 0 && n1.table->rows.size() < 10)
      n1.table->rows.push_back({q.query_id, static_cast<std::int64_t>(q.n1_events),
                                static_cast<std::int64_t>(q.n1_largest_run), q.n1_total_ms,
                                catalog::one_line(q.query, 80)});
  }
  report.sections.push_back(std::move(latency));
  report.sections.push_back(std::move(n1));
}

} // namespace pgo::latency
