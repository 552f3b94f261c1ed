#include "health/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/chart.hpp"
#include "core/report_html.hpp"
#include "core/units.hpp"
#include "latency/shared.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"

namespace pgo::health {
namespace {

namespace chart = core::chart;
using core::Cell;

constexpr const char *kLatencySection = "Query latency";
constexpr const char *kTrendsSection = "Trends";
constexpr const char *kJobsSection = "Job runs";

// The metrics drawn over time, with their unit; the first gets the latency target as a reference line.
constexpr struct {
  const char *metric, *title, *unit;
} kTrends[] = {{"latency_p95_ms", "p95 latency", "ms"},
               {"connections_used_pct", "Connection slots in use", "%"},
               {"dead_tuple_pct", "Dead tuples", "%"},
               {"cache_hit_pct", "Cache hit", "%"},
               {"blocked_queries", "Blocked queries", "sessions"}};

double to_double(const pg::SqlValue &v) { return v ? std::stod(*v) : std::nan(""); }

std::vector<core::Figure> latency_figures() {
  if (!latency::shared_memory_ready())
    return {};
  const latency::Snapshot snap = latency::snapshot(latency::Queries::None);
  for (const latency::DatabaseRow &row : snap.databases) {
    if (row.database != MyDatabaseId || row.calls == 0)
      continue;
    std::vector<chart::Bin> fine;
    for (const core::BucketRow &b : core::nonempty_buckets<core::FineLatencyScale>(row.buckets.data()))
      fine.push_back(chart::Bin{static_cast<double>(b.lower) / 1000, static_cast<double>(b.upper + 1) / 1000, b.count});
    const double max = static_cast<double>(row.max_us);
    const auto pct = [&](double q) {
      return core::percentile_of<core::FineLatencyScale>(row.buckets.data(), q, max) / 1000;
    };
    const double target = static_cast<double>(snap.target_us) / 1000;
    chart::HistogramChart h{
        fmt::format("Statement latency ({} statements)", row.calls),
        "ms",
        chart::coarsen(fine, 10),
        {{"p50", pct(0.50), false}, {"p95", pct(0.95), false}, {"p99", pct(0.99), false}, {"target", target, true}}};
    return {{kLatencySection, chart::svg(h)}};
  }
  return {};
}

// Line charts of the metrics with snapshots in the last 7 days (none: no chart).
std::vector<core::Figure> trend_figures(pg::Spi &spi) {
  std::optional<double> target_ms;
  if (latency::shared_memory_ready())
    target_ms = static_cast<double>(latency::snapshot(latency::Queries::None).target_us) / 1000;
  std::vector<core::Figure> out;
  for (const auto &t : kTrends) {
    chart::Series series{t.metric, {}};
    for (const pg::SqlRow &r :
         spi.run("SELECT pg_catalog.date_part('epoch', taken_at), value FROM optimize.snapshots "
                 "WHERE metric OPERATOR(pg_catalog.=) $1 AND taken_at OPERATOR(pg_catalog.>=) (pg_catalog.now() "
                 "OPERATOR(pg_catalog.-) '7 days'::pg_catalog.interval) ORDER BY taken_at",
                 {std::string(t.metric)}, true)
             .rows)
      series.points.push_back({to_double(r[0]), to_double(r[1])});
    if (series.points.empty())
      continue;
    chart::LineChart c{std::string(t.title) + " (last 7 days)", t.unit, true, {series}, std::nullopt, ""};
    if (std::string_view(t.metric) == "latency_p95_ms" && target_ms) {
      c.reference = *target_ms;
      c.reference_label = fmt::format("target {} ms", *target_ms);
    }
    out.push_back({kTrendsSection, chart::svg(c)});
  }
  return out;
}

std::vector<core::Figure> table_figures(const TableTops &tables, HealthData &data) {
  const auto name_of = [&](const TableHealth &t) { return catalog::display_name(data.classes(), t.table); };
  chart::BarChart dead{"Dead tuples", "", {}};
  // The tables the report lists, as many (report.cpp's kTableRows).
  for (const TableHealth &t : tables.by_dead)
    dead.bars.push_back({name_of(t), static_cast<double>(t.activity.dead_tuples),
                         fmt::format("{} ({:.1f}%)", t.activity.dead_tuples, t.dead_pct)});
  chart::BarChart bloat{"Estimated bloat", "bytes", {}};
  for (const TableHealth &t : tables.by_bloat)
    bloat.bars.push_back(
        {name_of(t), static_cast<double>(*t.bloat_bytes),
         core::pretty_bytes(*t.bloat_bytes) + (t.bloat_pct ? fmt::format(" ({:.1f}%)", *t.bloat_pct) : std::string())});
  // no chart for an empty list: the section's table says "none"
  std::vector<core::Figure> out;
  if (!dead.bars.empty())
    out.push_back({"Tables by dead tuples", chart::svg(dead)});
  if (!bloat.bars.empty())
    out.push_back({"Tables by estimated bloat", chart::svg(bloat)});
  return out;
}

// The job runs of the last 7 days as a timeline, and the last ones as a table.
std::pair<core::Figure, core::ExtraSection> job_runs(pg::Spi &spi) {
  chart::Timeline timeline{"Job runs (last 7 days)", {}};
  core::Section section;
  section.title = kJobsSection;
  section.note = "From optimize.job_runs; each bar is a run, coloured by its outcome.";
  section.table = core::Table{{"job", "status", "started", "seconds", "message"}, {}};
  const pg::SqlResult runs =
      spi.run("SELECT job, status, pg_catalog.date_part('epoch', started_at), "
              "pg_catalog.date_part('epoch', COALESCE(finished_at, pg_catalog.clock_timestamp())), "
              "pg_catalog.to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'), "
              "pg_catalog.round(pg_catalog.date_part('epoch', (finished_at OPERATOR(pg_catalog.-) started_at))"
              "::pg_catalog.numeric, 1), message FROM optimize.job_runs "
              "WHERE started_at OPERATOR(pg_catalog.>=) (pg_catalog.now() OPERATOR(pg_catalog.-) '7 "
              "days'::pg_catalog.interval) "
              "ORDER BY started_at DESC, id DESC LIMIT 1000",
              {}, true);
  for (auto it = runs.rows.rbegin(); it != runs.rows.rend(); ++it) {
    const pg::SqlRow &r = *it;
    timeline.spans.push_back(
        {r[0].value_or(""), to_double(r[2]), to_double(r[3]), r[1].value_or(""), r[6].value_or("")});
  }
  for (const pg::SqlRow &r : runs.rows) {
    if (section.table->rows.size() >= 10)
      break;
    section.table->rows.push_back({r[0].value_or(""), r[1].value_or(""), r[4].value_or(""),
                                   r[5] ? Cell(std::stod(*r[5])) : Cell(),
                                   r[6] ? Cell(catalog::one_line(*r[6], 120)) : Cell()});
  }
  return {{kJobsSection, chart::svg(timeline)}, {section, "Recommendations"}};
}

// optimize.index_advice, built by another part of pg_optimize, when it is installed and the caller may read it:
// every column as text, in the view's order.
std::optional<core::ExtraSection> index_advice(pg::Spi &spi) {
  const pg::SqlValue oid = spi.run("SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                                   "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
                                   "WHERE n.nspname OPERATOR(pg_catalog.=) 'optimize' "
                                   "AND c.relname OPERATOR(pg_catalog.=) 'index_advice' "
                                   "AND c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m,r}'::pg_catalog.\"char\"[]) "
                                   "AND pg_catalog.has_table_privilege(c.oid, 'SELECT')",
                                   {}, true)
                               .scalar();
  if (!oid)
    return std::nullopt;
  core::Section section;
  section.title = "Index advice";
  section.note = "From optimize.index_advice.";
  section.table = core::Table{};
  for (const pg::SqlRow &r : spi.run("SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid "
                                     "OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND attnum OPERATOR(pg_catalog.>) 0 "
                                     "AND NOT attisdropped ORDER BY attnum",
                                     {oid}, true)
                                 .rows)
    section.table->columns.push_back(r[0].value_or(""));
  for (const pg::SqlRow &r : spi.run("SELECT * FROM optimize.index_advice LIMIT 50", {}, true).rows) {
    std::vector<Cell> row;
    for (std::size_t c = 0; c < section.table->columns.size(); c++)
      row.push_back(c < r.size() && r[c] ? Cell(*r[c]) : Cell());
    section.table->rows.push_back(std::move(row));
  }
  return core::ExtraSection{section, "Foreign keys without an index"};
}

} // namespace

std::string html_report(const core::Report &report, const TableTops &tables, HealthData &data) {
  std::vector<core::Figure> figures = latency_figures();
  std::vector<core::ExtraSection> extra;
  {
    pg::Spi spi;
    core::Section trends;
    trends.title = kTrendsSection;
    std::vector<core::Figure> trend = trend_figures(spi);
    trends.note = trend.empty() ? "No metric snapshots in the last 7 days: a snapshot job records them (optimize.jobs)."
                                : "Metrics recorded by the snapshot jobs in optimize.snapshots (see optimize.trend()).";
    extra.push_back({trends, "Connections"});
    for (core::Figure &f : trend)
      figures.push_back(std::move(f));
    auto [timeline, jobs] = job_runs(spi);
    figures.push_back(std::move(timeline));
    extra.push_back(std::move(jobs));
    if (auto advice = index_advice(spi))
      extra.push_back(std::move(*advice));
  }
  for (core::Figure &f : table_figures(tables, data))
    figures.push_back(std::move(f));
  return core::render_html(report, figures, extra);
}

} // namespace pgo::health
