// optimize.report(format): the full performance report, as text for psql, markdown, or json.
#include <algorithm>
#include <cstddef>
#include <tuple>

#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/report.hpp"
#include "core/report_html.hpp"
#include "core/top_n.hpp"
#include "health/alerts.hpp"
#include "health/config_advice.hpp"
#include "health/health_data.hpp"
#include "health/metrics.hpp"
#include "health/recommendations.hpp"
#include "health/report_html.hpp"
#include "latency/latency.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "settings.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace pgo::health {
namespace {

using core::Cell;

Cell optional_cell(const std::optional<double> &v) { return v ? Cell(*v) : Cell(); }
Cell optional_cell(const std::optional<std::int64_t> &v) { return v ? Cell(*v) : Cell(); }

// Under a list cut to its first rows for a person to read: how many there are, and the query that lists them all.
void note_cut(core::Section &section, std::size_t total, const char *what, const char *order, const char *query) {
  const std::size_t shown = section.table->rows.size();
  if (total > shown)
    section.note = fmt::format("Showing {} of {} {}: {} (pg_optimize.report_max_rows). All of them: {}", shown, total,
                               what, order, query);
}

// Ranks: (priority, size descending, order found); the last keeps the order fully determined.
using Rank = std::tuple<int, std::int64_t, std::size_t>;

// report()'s share of recommendations(): the most important for its Recommendations section, the biggest tables
// for its section of missing foreign-key indexes, each with the exact count; text is built only for kept rows.
class ReportRecommendations : public RecommendationSink {
public:
  ReportRecommendations(HealthData &data, std::size_t limit) : data_(data), top_(limit), fks_(limit) {}

  bool wants(const RecommendationKey &key) override {
    pending_ = {key.priority, -key.bytes, top_.offered()};
    if (top_.would_keep(pending_))
      return true;
    top_.skip();
    return false;
  }

  void add(const RecommendationKey &, Recommendation &&r) override {
    top_.offer(pending_, {static_cast<std::int64_t>(r.priority), std::move(r.kind), std::move(r.object),
                          r.sql.empty() ? Cell() : Cell(std::move(r.sql))});
  }

  // They come biggest table first: the first ones are the ones shown.
  void missing_fk_index(const MissingFkIndex &m) override {
    fks_.offer_with(fks_.offered(), [&]() -> std::vector<Cell> {
      return {name_of(m.fk->table), m.fk->name, m.table_bytes, m.suggested_index};
    });
  }

  core::TopN<Rank, std::vector<Cell>> &top() { return top_; }
  core::TopN<std::size_t, std::vector<Cell>> &fks() { return fks_; }

private:
  std::string name_of(Oid relid) { return catalog::display_name(data_.classes(), relid); }

  HealthData &data_;
  Rank pending_{};
  core::TopN<Rank, std::vector<Cell>> top_;
  core::TopN<std::size_t, std::vector<Cell>> fks_;
};

// How many tables the lists by dead tuples and by bloat show (and the HTML report draws).
constexpr std::size_t kTableRows = 10;

core::Report build_report(HealthData &data, TableTops &tops) {
  core::Report report;
  report.title = "pg_optimize report: database " + database_name(MyDatabaseId);
  report.generated_at = pg::guard([&] { return timestamptz_to_str(data.now()); });
  auto name_of = [&](Oid relid) { return catalog::display_name(data.classes(), relid); };

  const auto max_rows = static_cast<std::size_t>(settings::report_max_rows);

  // One pass over each check's rows feeds the summary's totals, the lists below and the report's share of the
  // recommendations, in the order recommendations() takes; each check's rows go once passed over.
  RowTotals totals;
  ReportRecommendations advice(data, max_rows);
  RecommendationPasses passes(data, advice);
  passes.missing_fk_indexes();
  // (more first, then the order of table_health: biggest first)
  using TableRank = std::pair<std::int64_t, std::size_t>;
  core::TopN<TableRank, TableHealth> by_dead(kTableRows), by_bloat(kTableRows);
  std::size_t position = 0;
  data.for_each_table([&](const TableHealth &t) {
    totals.add(t);
    passes.table(t);
    if (t.activity.dead_tuples > 0)
      by_dead.offer_with({-t.activity.dead_tuples, position}, [&] { return t; });
    if (t.bloat_bytes.value_or(0) > 0)
      by_bloat.offer_with({-*t.bloat_bytes, position}, [&] { return t; });
    position++;
  });
  data.done_with_tables();
  tops.by_dead = by_dead.take_sorted();
  tops.by_bloat = by_bloat.take_sorted();
  // The findings' texts are built only for rows kept so far, and the rows go once passed over.
  core::TopN<Rank, std::vector<Cell>> findings(max_rows);
  const IndexUsageRows &indexes = data.index_usage();
  for (const IndexUsage &u : indexes) {
    totals.add(u);
    passes.index(u, *indexes.names);
    if (u.has_finding())
      findings.offer_with({priority_of(u), -u.bytes, findings.offered()}, [&]() -> std::vector<Cell> {
        return {name_of(u.details.index), u.bytes, u.activity.scans, u.recommendation(*indexes.names)};
      });
  }
  data.done_with_index_usage();
  passes.rest();

  core::Section summary;
  summary.title = "Summary";
  for (const Metric &m : metrics(data, totals))
    summary.facts.push_back({m.name, optional_cell(m.value),
                             m.unit == "bytes"     ? core::Unit::Bytes
                             : m.unit == "percent" ? core::Unit::Percent
                                                   : core::Unit::None});
  report.sections.push_back(std::move(summary));

  core::Section alerts_section;
  alerts_section.title = "Alerts";
  alerts_section.table = core::Table{{"severity", "kind", "object", "message"}, {}};
  const std::vector<Alert> raised = alerts(data); // critical first
  for (const Alert &a : raised) {
    if (alerts_section.table->rows.size() >= max_rows)
      break;
    alerts_section.table->rows.push_back({a.severity, a.kind, a.object, a.message});
  }
  note_cut(alerts_section, raised.size(), "alerts", "the critical ones first", "SELECT * FROM optimize.alerts;");
  report.sections.push_back(std::move(alerts_section));

  core::Section sessions;
  sessions.title = "Connections";
  const ConnectionCounts c = connection_counts(data);
  sessions.facts = {{"in use", static_cast<std::int64_t>(c.total)},
                    {"usable slots", static_cast<std::int64_t>(c.usable_slots)},
                    {"active", static_cast<std::int64_t>(c.active)},
                    {"idle", static_cast<std::int64_t>(c.idle)},
                    {"idle in transaction", static_cast<std::int64_t>(c.idle_in_transaction)},
                    {"waiting on locks", static_cast<std::int64_t>(c.waiting_on_locks)}};
  report.sections.push_back(std::move(sessions));
  latency::add_report_sections(report);

  core::Section dead;
  dead.title = "Tables by dead tuples";
  dead.table = core::Table{{"table", "dead tuples", "dead %", "last vacuum", "status"},
                           {},
                           {core::Unit::None, core::Unit::None, core::Unit::Percent}};
  for (const TableHealth &t : tops.by_dead) {
    const auto last =
        t.activity.last_vacuum > t.activity.last_autovacuum ? t.activity.last_vacuum : t.activity.last_autovacuum;
    dead.table->rows.push_back({name_of(t.table), t.activity.dead_tuples, t.dead_pct,
                                last ? Cell(std::string(pg::guard([&] { return timestamptz_to_str(*last); }))) : Cell(),
                                t.status});
  }
  report.sections.push_back(std::move(dead));

  core::Section bloat;
  bloat.title = "Tables by estimated bloat";
  bloat.note = "Heap bloat estimated from planner statistics (run ANALYZE for fresh figures).";
  bloat.table = core::Table{{"table", "bytes", "bloat bytes", "bloat %"},
                            {},
                            {core::Unit::None, core::Unit::Bytes, core::Unit::Bytes, core::Unit::Percent}};
  for (const TableHealth &t : tops.by_bloat)
    bloat.table->rows.push_back({name_of(t.table), t.bytes, optional_cell(t.bloat_bytes), optional_cell(t.bloat_pct)});
  report.sections.push_back(std::move(bloat));

  core::Section index_section;
  index_section.title = "Index findings";
  index_section.table = core::Table{{"index", "bytes", "scans", "finding"}, {}, {core::Unit::None, core::Unit::Bytes}};
  index_section.table->rows = findings.take_sorted();
  note_cut(index_section, findings.offered(), "index findings", "the most important, by priority, then size",
           "SELECT * FROM optimize.index_usage WHERE recommendation IS NOT NULL;");
  report.sections.push_back(std::move(index_section));

  core::Section fk;
  fk.title = "Foreign keys without an index";
  fk.table =
      core::Table{{"table", "constraint", "bytes", "fix"}, {}, {core::Unit::None, core::Unit::None, core::Unit::Bytes}};
  fk.table->rows = advice.fks().take_sorted();
  note_cut(fk, advice.fks().offered(), "foreign keys without an index", "those of the biggest tables",
           "SELECT * FROM optimize.missing_fk_indexes();");
  report.sections.push_back(std::move(fk));

  core::Section todo;
  todo.title = "Recommendations";
  todo.table = core::Table{{"priority", "kind", "object", "sql"}, {}};
  todo.table->rows = advice.top().take_sorted();
  note_cut(todo, advice.top().offered(), "recommendations",
           "the most important, by priority, then the size of what they concern",
           "SELECT * FROM optimize.recommendations;");
  report.sections.push_back(std::move(todo));

  core::Section config;
  config.title = "Configuration advice";
  config.note = "For this machine's memory, assuming SSD storage; see optimize.config_recommendations() for others.";
  config.table = core::Table{{"setting", "current", "recommended", "restart"}, {}};
  for (const ConfigAdvice &a : config_advice(std::nullopt, "ssd", std::nullopt))
    if (a.current_value != a.recommendation.value)
      config.table->rows.push_back(
          {a.recommendation.setting, a.current_value, a.recommendation.value, a.needs_restart});
  report.sections.push_back(std::move(config));
  return report;
}

} // namespace
} // namespace pgo::health

PGO_FUNCTION(pgo_report) {
  using namespace pgo;
  if (PG_ARGISNULL(0))
    throw Error(sqlstate::kNullValueNotAllowed, "format must not be null", "",
                "format must be one of: text, markdown, json, html");
  const std::string name = pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  // before gathering anything; nullopt: html
  const std::optional<core::ReportFormat> format = core::parse_report_format_or_html(name);
  // Each check's rows go once passed over: the report keeps only the rows it shows.
  health::HealthData data(health::HealthData::Catalog::Full, health::HealthData::Rows::Dropped);
  health::TableTops tops;
  const core::Report report = health::build_report(data, tops);
  const std::string text = format ? core::render_report(report, *format) : health::html_report(report, tops, data);
  PG_RETURN_TEXT_P(pg::guard([&] { return cstring_to_text_with_len(text.data(), static_cast<int>(text.size())); }));
}
