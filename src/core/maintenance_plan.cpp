#include "core/maintenance_plan.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include <fmt/format.h>

namespace pgo::core {
namespace {

constexpr std::array<std::pair<JobKind, const char *>, 7> kKinds{{
    {JobKind::VacuumAnalyze, "vacuum_analyze"},
    {JobKind::Vacuum, "vacuum"},
    {JobKind::Analyze, "analyze"},
    {JobKind::RefreshMaterializedViews, "refresh_materialized_views"},
    {JobKind::Snapshot, "snapshot"},
    {JobKind::Cleanup, "cleanup"},
    {JobKind::PartitionMaintenance, "partition_maintenance"},
}};

} // namespace

std::optional<JobKind> parse_job_kind(std::string_view name) {
  for (const auto &[kind, text] : kKinds)
    if (name == text)
      return kind;
  return std::nullopt;
}

const char *job_kind_name(JobKind kind) {
  for (const auto &[k, text] : kKinds)
    if (k == kind)
      return text;
  return "unknown";
}

std::string job_kind_names() {
  std::string out;
  for (const auto &entry : kKinds)
    out += (out.empty() ? "" : ", ") + std::string(entry.second);
  return out;
}

bool job_kind_takes_target(JobKind kind) {
  return kind == JobKind::VacuumAnalyze || kind == JobKind::Vacuum || kind == JobKind::Analyze ||
         kind == JobKind::RefreshMaterializedViews || kind == JobKind::PartitionMaintenance;
}

std::string maintenance_sql(JobKind kind, const std::string &name, bool skip_locked, bool freeze) {
  std::vector<std::string> options;
  const bool analyze_only = kind == JobKind::Analyze;
  if (kind == JobKind::VacuumAnalyze)
    options.emplace_back("ANALYZE");
  if (freeze && !analyze_only)
    options.emplace_back("FREEZE");
  if (skip_locked)
    options.emplace_back("SKIP_LOCKED");
  std::string text = analyze_only ? "ANALYZE" : "VACUUM";
  if (!options.empty()) {
    text += " (";
    for (std::size_t i = 0; i < options.size(); i++)
      text += (i ? ", " : "") + options[i];
    text += ")";
  }
  return text + " " + name;
}

bool table_maintenance_due(JobKind kind, const TableCandidate &t) {
  const bool vacuums = kind == JobKind::VacuumAnalyze || kind == JobKind::Vacuum;
  const bool analyzes = kind == JobKind::VacuumAnalyze || kind == JobKind::Analyze;
  return (vacuums && (t.vacuum_needed || t.freeze_due)) || (analyzes && t.analyze_needed);
}

std::vector<PlannedAction> plan_table_maintenance(JobKind kind, const std::vector<TableCandidate> &tables,
                                                  const VacuumOptions &options) {
  const bool vacuums = kind == JobKind::VacuumAnalyze || kind == JobKind::Vacuum;
  const bool analyzes = kind == JobKind::VacuumAnalyze || kind == JobKind::Analyze;
  std::vector<const TableCandidate *> chosen;
  for (const TableCandidate &t : tables)
    if (table_maintenance_due(kind, t))
      chosen.push_back(&t);
  // Group 0: freeze due, 1: vacuum due, 2: only analyze due; within a group the most pressing first.
  auto group = [&](const TableCandidate &t) {
    return vacuums && t.freeze_due ? 0 : vacuums && t.vacuum_needed ? 1 : 2;
  };
  std::stable_sort(chosen.begin(), chosen.end(), [&](const TableCandidate *a, const TableCandidate *b) {
    const int ga = group(*a), gb = group(*b);
    if (ga != gb)
      return ga < gb;
    if (ga == 0)
      return std::tie(b->xid_age, a->name) < std::tie(a->xid_age, b->name);
    if (ga == 1)
      return std::tie(b->dead_pct, b->dead_tuples, a->name) < std::tie(a->dead_pct, a->dead_tuples, b->name);
    return std::tie(b->modified_since_analyze, a->name) < std::tie(a->modified_since_analyze, b->name);
  });

  std::vector<PlannedAction> out;
  for (const TableCandidate *t : chosen) {
    if (options.max_tables && static_cast<int>(out.size()) >= *options.max_tables)
      break;
    PlannedAction a;
    a.object = t->name;
    switch (group(*t)) {
    case 0:
      a.action = "vacuum_freeze";
      a.urgent = true;
      a.reason = fmt::format("transaction ID age {} is past autovacuum_freeze_max_age", t->xid_age);
      a.sql = maintenance_sql(analyzes ? JobKind::VacuumAnalyze : JobKind::Vacuum, t->name, false, true);
      break;
    case 1: {
      const bool with_analyze = analyzes && kind == JobKind::VacuumAnalyze;
      a.action = with_analyze ? "vacuum_analyze" : "vacuum";
      // A table is due for its dead tuples or, since PostgreSQL 13, for rows inserted since its last VACUUM.
      a.reason = t->dead_tuples > 0 || t->inserted_since_vacuum == 0
                     ? fmt::format("{} dead tuples ({:.1f}%), past autovacuum's threshold", t->dead_tuples, t->dead_pct)
                     : fmt::format("{} rows inserted since the last VACUUM, past autovacuum's insert threshold",
                                   t->inserted_since_vacuum);
      a.sql = maintenance_sql(with_analyze ? JobKind::VacuumAnalyze : JobKind::Vacuum, t->name, true, options.freeze);
      break;
    }
    default:
      a.action = "analyze";
      a.reason =
          fmt::format("{} rows changed since the last ANALYZE, past autovacuum's threshold", t->modified_since_analyze);
      a.sql = maintenance_sql(JobKind::Analyze, t->name, true, false);
      break;
    }
    out.push_back(std::move(a));
  }
  return out;
}

PlannedAction targeted_action(JobKind kind, const std::string &name, const VacuumOptions &options) {
  PlannedAction a;
  a.object = name;
  a.action = kind == JobKind::VacuumAnalyze ? "vacuum_analyze" : kind == JobKind::Vacuum ? "vacuum" : "analyze";
  a.reason = "scheduled for this table";
  a.sql = maintenance_sql(kind, name, false, options.freeze);
  return a;
}

PlannedAction refresh_action(const std::string &name, bool populated, bool has_unique_plain_index) {
  PlannedAction a;
  a.object = name;
  a.action = "refresh";
  const bool concurrently = populated && has_unique_plain_index;
  a.reason = concurrently ? "refreshed concurrently: readers are not blocked"
             : populated  ? "refreshed with an exclusive lock: no unique index allows CONCURRENTLY"
                          : "never populated";
  a.sql = std::string("REFRESH MATERIALIZED VIEW ") + (concurrently ? "CONCURRENTLY " : "") + name;
  return a;
}

std::int64_t retry_delay_seconds(int failures, std::int64_t base_seconds, std::int64_t cap_seconds) {
  if (failures <= 0 || base_seconds <= 0)
    return 0;
  std::int64_t delay = base_seconds;
  for (int i = 1; i < failures && delay < cap_seconds; i++)
    delay *= 2;
  return std::min(delay, cap_seconds);
}

} // namespace pgo::core
