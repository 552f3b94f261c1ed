// optimize.recommendations: what to do, most important first, each with a statement that runs as it is.
#include <algorithm>
#include <tuple>
#include <unordered_set>

#include <fmt/format.h>

#include "advisor/advisor.hpp"
#include "catalog/names.hpp"
#include "core/units.hpp"
#include "health/config_advice.hpp"
#include "health/health_data.hpp"
#include "health/recommendations.hpp"
#include "pg/barrier.hpp"
#include "pg/srf.hpp"
#include "settings.hpp"

extern "C" {
#include "catalog/pg_class.h"
}

namespace pgo::health {

std::vector<Recommendation> recommendations(HealthData &data) {
  std::vector<Recommendation> out;
  auto name_of = [&](Oid relid) {
    return catalog::qualified_name(data.classes(), relid).value_or(std::to_string(relid));
  };

  for (const MissingFkIndex &m : data.missing_fk_indexes()) {
    std::string columns;
    for (const std::string &c : m.columns)
      columns += (columns.empty() ? "" : ", ") + c;
    out.push_back(
        {m.table_bytes >= 10 * 1024 * 1024 ? 1 : 2, "missing_fk_index", name_of(m.fk->table),
         fmt::format("foreign key {} ({}) has no index: every DELETE or key UPDATE on {} scans {} ({})", m.fk->name,
                     columns, name_of(m.fk->referenced_table), name_of(m.fk->table), core::pretty_bytes(m.table_bytes)),
         m.suggested_index});
  }
  for (const TableHealth &t : data.tables()) {
    if (t.partitioned)
      continue; // its partitions have rows of their own; partitioning advice would be absurd
    // The tables optimize.partition_advice looks at: plain tables (not partitions) past its size setting.
    const bool partitioning = t.bytes >= static_cast<std::int64_t>(settings::partition_advice_min_kb) * 1024 &&
                              data.inheritance().parent_of(t.table) == InvalidOid;
    if (!t.freeze_due && !t.vacuum_needed && !t.analyze_needed && !partitioning)
      continue; // most tables: nothing to advise, and no name to look up
    const std::string name = name_of(t.table);
    if (t.freeze_due)
      out.push_back(
          {1, "vacuum_freeze", name,
           t.multixact_freeze_due
               ? fmt::format("multixact ID age {} is past autovacuum_multixact_freeze_max_age", t.mxid_age.value_or(0))
               : fmt::format("transaction ID age {} is past autovacuum_freeze_max_age", t.xid_age.value_or(0)),
           fmt::format("VACUUM (FREEZE, ANALYZE) {};", name)});
    else if (t.vacuum_needed)
      out.push_back({t.dead_pct >= 20 ? 1 : 2, "vacuum", name,
                     fmt::format("{} dead tuples ({:.1f}%), past autovacuum's threshold{}{}", t.activity.dead_tuples,
                                 t.dead_pct, t.toast_vacuum_needed ? " (its TOAST table's)" : "",
                                 t.autovacuum_enabled ? "" : "; autovacuum is off for this table"),
                     fmt::format("VACUUM (ANALYZE) {};", name)});
    else if (t.analyze_needed)
      out.push_back({2, "analyze", name,
                     fmt::format("{} rows changed since the last ANALYZE", t.activity.mod_since_analyze),
                     fmt::format("ANALYZE {};", name)});
    if (partitioning)
      out.push_back({3, "partitioning", name,
                     fmt::format("{} in one table: partitioning by time or key keeps VACUUM, index builds and "
                                 "retention (DROP of a partition) proportional to a partition; the advice view "
                                 "suggests a key and an interval, and partition_plan() the migration",
                                 core::pretty_bytes(t.bytes)),
                     fmt::format("SELECT * FROM optimize.partition_advice WHERE \"table\" = {};",
                                 catalog::quote_literal(name) + "::pg_catalog.regclass")});
  }
  data.done_with_tables();
  // An invalid partitioned index that a missing-index suggestion finishes is not to be dropped first.
  std::unordered_set<Oid> completed;
  for (const MissingFkIndex &m : data.missing_fk_indexes())
    completed.insert(m.completes.begin(), m.completes.end());
  for (const IndexUsage &u : data.index_usage()) {
    if (!u.has_finding() || completed.count(u.details.index) != 0)
      continue;
    const std::string name = name_of(u.details.index);
    const char *kind = !u.details.valid               ? "drop_invalid_index"
                       : OidIsValid(u.duplicate_of)   ? "drop_duplicate_index"
                       : OidIsValid(u.redundant_with) ? "drop_redundant_index"
                       : u.unused                     ? "drop_unused_index"
                                                      : "reindex_bloated_index";
    out.push_back({!u.details.valid ? 1 : (u.unused ? 3 : 2), kind, name, u.recommendation(), u.sql()});
  }
  data.done_with_index_usage();
  for (const auto &[oid, row] : data.classes().rows()) {
    if (row.excluded || row.relkind != RELKIND_MATVIEW)
      continue;
    if (!row.populated)
      out.push_back({2, "refresh_materialized_view", name_of(oid), "materialized view has never been populated",
                     fmt::format("REFRESH MATERIALIZED VIEW {};", name_of(oid))});
  }
  for (const ConfigAdvice &a : config_advice(std::nullopt, "ssd", std::nullopt)) {
    const core::Recommendation &r = a.recommendation;
    // Storage-dependent advice needs the DBA's word on the storage; leave it to config_recommendations().
    if (a.current_value == r.value || r.setting == "random_page_cost" || r.setting == "effective_io_concurrency")
      continue;
    out.push_back({3, "setting", r.setting,
                   fmt::format("{} is {}, {} is advised: {}{}", r.setting, a.current_value, r.value, r.reason,
                               a.needs_restart ? " (takes effect after a restart)" : " (takes effect on reload)"),
                   a.sql});
  }
  advisor::add_recommendations(out);
  std::stable_sort(out.begin(), out.end(), [](const Recommendation &a, const Recommendation &b) {
    return std::tie(a.priority, a.kind) < std::tie(b.priority, b.kind);
  });
  return out;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_recommendations) {
  using namespace pgo;
  // The rows of each check go once turned into advice (report() keeps them for its sections).
  health::HealthData data(health::HealthData::Catalog::Full, health::HealthData::Rows::Dropped);
  pg::ResultSet out(fcinfo);
  for (const health::Recommendation &r : health::recommendations(data)) {
    out.begin_row();
    out.add_int32(r.priority);
    out.add_text(r.kind);
    out.add_text(r.object);
    out.add_text(r.reason);
    if (r.sql.empty())
      out.add_null();
    else
      out.add_text(r.sql);
    out.end_row();
  }
  return out.done();
}
