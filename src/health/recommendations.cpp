// optimize.recommendations: what to do, most important first, each with a statement that runs as it is.
#include <map>
#include <optional>
#include <unordered_set>
#include <utility>

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

RecommendationPasses::RecommendationPasses(HealthData &data, RecommendationSink &sink) : data_(data), sink_(sink) {}

std::string RecommendationPasses::name_of(Oid relid) { return catalog::display_name(data_.classes(), relid); }

void RecommendationPasses::missing_fk_indexes() {
  using Key = RecommendationKey;
  // Read as a stream: each row goes once its advice is out (the view's order is this order within each group).
  uncovered_fk_indexes(data_.uncovered_foreign_keys(), data_.classes(), data_.sizer(), [&](MissingFkIndex &&m) {
    // An invalid partitioned index that a missing-index suggestion finishes is not to be dropped first.
    completed_.insert(m.completes.begin(), m.completes.end());
    sink_.missing_fk_index(m);
    const Key key{m.table_bytes >= 10 * 1024 * 1024 ? 1 : 2, "missing_fk_index", m.table_bytes};
    if (!sink_.wants(key))
      return;
    std::string columns;
    for (const std::string &c : m.columns)
      columns += (columns.empty() ? "" : ", ") + c;
    sink_.add(key, {key.priority, key.kind, name_of(m.fk->table),
                    fmt::format("foreign key {} ({}) has no index: every DELETE or key UPDATE on {} scans {} ({})",
                                m.fk->name, columns, name_of(m.fk->referenced_table), name_of(m.fk->table),
                                core::pretty_bytes(m.table_bytes)),
                    std::move(m.suggested_index)});
  });
  data_.done_with_uncovered_foreign_keys();
}

void RecommendationPasses::table(const TableHealth &t) {
  using Key = RecommendationKey;
  if (t.partitioned)
    return; // its partitions have rows of their own; partitioning advice would be absurd
  // The tables optimize.partition_advice looks at: plain tables (not partitions) past its size setting.
  const bool partitioning = t.bytes >= static_cast<std::int64_t>(settings::partition_advice_min_kb) * 1024 &&
                            data_.inheritance().parent_of(t.table) == InvalidOid;
  if (!t.freeze_due && !t.vacuum_needed && !t.analyze_needed && !partitioning)
    return;                             // most tables: nothing to advise, and no name to look up
  std::optional<std::string> looked_up; // the name, looked up once and only for advice that is wanted
  const auto name = [&]() -> const std::string & {
    if (!looked_up)
      looked_up = name_of(t.table);
    return *looked_up;
  };
  const Key maintenance = t.freeze_due      ? Key{1, "vacuum_freeze", t.bytes}
                          : t.vacuum_needed ? Key{t.dead_pct >= 20 ? 1 : 2, "vacuum", t.bytes}
                                            : Key{2, "analyze", t.bytes};
  if ((t.freeze_due || t.vacuum_needed || t.analyze_needed) && sink_.wants(maintenance)) {
    if (t.freeze_due)
      sink_.add(
          maintenance,
          {1, maintenance.kind, name(),
           t.multixact_freeze_due
               ? fmt::format("multixact ID age {} is past autovacuum_multixact_freeze_max_age", t.mxid_age.value_or(0))
               : fmt::format("transaction ID age {} is past autovacuum_freeze_max_age", t.xid_age.value_or(0)),
           fmt::format("VACUUM (FREEZE, ANALYZE) {};", name())});
    else if (t.vacuum_needed)
      sink_.add(maintenance,
                {maintenance.priority, maintenance.kind, name(),
                 fmt::format("{} dead tuples ({:.1f}%), past autovacuum's threshold{}{}", t.activity.dead_tuples,
                             t.dead_pct, t.toast_vacuum_needed ? " (its TOAST table's)" : "",
                             t.autovacuum_enabled ? "" : "; autovacuum is off for this table"),
                 fmt::format("VACUUM (ANALYZE) {};", name())});
    else
      sink_.add(maintenance, {2, maintenance.kind, name(),
                              fmt::format("{} rows changed since the last ANALYZE", t.activity.mod_since_analyze),
                              fmt::format("ANALYZE {};", name())});
  }
  const Key partition{3, "partitioning", t.bytes};
  if (partitioning && sink_.wants(partition))
    sink_.add(partition, {3, partition.kind, name(),
                          fmt::format("{} in one table: partitioning by time or key keeps VACUUM, index builds and "
                                      "retention (DROP of a partition) proportional to a partition; the advice view "
                                      "suggests a key and an interval, and partition_plan() the migration",
                                      core::pretty_bytes(t.bytes)),
                          fmt::format("SELECT * FROM optimize.partition_advice WHERE \"table\" = {};",
                                      catalog::quote_literal(name()) + "::pg_catalog.regclass")});
}

void RecommendationPasses::index(const IndexUsage &u, const IndexUsageNames &names) {
  if (!u.has_finding() || completed_.count(u.details.index) != 0)
    return;
  const char *kind = !u.details.valid               ? "drop_invalid_index"
                     : OidIsValid(u.duplicate_of)   ? "drop_duplicate_index"
                     : OidIsValid(u.redundant_with) ? "drop_redundant_index"
                     : u.unused                     ? "drop_unused_index"
                                                    : "reindex_bloated_index";
  const RecommendationKey key{priority_of(u), kind, u.bytes};
  if (sink_.wants(key))
    sink_.add(key, {key.priority, kind, name_of(u.details.index), u.recommendation(names), u.sql(names)});
}

void RecommendationPasses::rest() {
  using Key = RecommendationKey;
  for (const auto &[oid, row] : data_.classes().rows()) {
    if (row.excluded || row.relkind != RELKIND_MATVIEW || row.populated)
      continue;
    const Key key{2, "refresh_materialized_view", Key::kWholeDatabase}; // no data, so no size to rank it by
    if (sink_.wants(key))
      sink_.add(key, {2, key.kind, name_of(oid), "materialized view has never been populated",
                      fmt::format("REFRESH MATERIALIZED VIEW {};", name_of(oid))});
  }
  for (const ConfigAdvice &a : config_advice(std::nullopt, "ssd", std::nullopt)) {
    const core::Recommendation &r = a.recommendation;
    // Storage-dependent advice needs the DBA's word on the storage; leave it to config_recommendations().
    if (a.current_value == r.value || r.setting == "random_page_cost" || r.setting == "effective_io_concurrency")
      continue;
    const Key key{3, "setting", Key::kWholeDatabase};
    if (sink_.wants(key))
      sink_.add(key, {3, key.kind, r.setting,
                      fmt::format("{} is {}, {} is advised: {}{}", r.setting, a.current_value, r.value, r.reason,
                                  a.needs_restart ? " (takes effect after a restart)" : " (takes effect on reload)"),
                      a.sql});
  }
  std::vector<Recommendation> advised; // at most a few
  advisor::add_recommendations(advised);
  for (Recommendation &r : advised) {
    const Key key{r.priority, r.kind.c_str(), Key::kWholeDatabase};
    if (sink_.wants(key))
      sink_.add(key, std::move(r));
  }
}

void recommendations(HealthData &data, RecommendationSink &sink) {
  RecommendationPasses passes(data, sink);
  passes.missing_fk_indexes();
  data.for_each_table([&](const TableHealth &t) { passes.table(t); });
  data.done_with_tables();
  const IndexUsageRows &indexes = data.index_usage();
  for (const IndexUsage &u : indexes)
    passes.index(u, *indexes.names);
  data.done_with_index_usage();
  passes.rest();
}

namespace {

// The view's order, (priority, kind) and within each the order found, without holding the rows: each goes at once to
// the spool of its (priority, kind), and the spools go into the result in that order at the end.
class SpooledRecommendations : public RecommendationSink {
public:
  explicit SpooledRecommendations(pg::ResultSet &out) : out_(out) {}

  bool wants(const RecommendationKey &) override { return true; }

  void add(const RecommendationKey &key, Recommendation &&r) override {
    auto group = groups_.find({key.priority, key.kind});
    if (group == groups_.end())
      group = groups_.emplace(std::make_pair(key.priority, std::string(key.kind)), out_.spool()).first;
    out_.write_to(group->second);
    out_.begin_row();
    out_.add_int32(r.priority);
    out_.add_text(r.kind);
    out_.add_text(r.object);
    out_.add_text(r.reason);
    if (r.sql.empty())
      out_.add_null();
    else
      out_.add_text(r.sql);
    out_.end_row();
    out_.write_to(nullptr);
  }

  void finish() {
    for (auto &[key, spool] : groups_)
      out_.append(spool);
    groups_.clear();
  }

private:
  pg::ResultSet &out_;
  std::map<std::pair<int, std::string>, Tuplestorestate *> groups_;
};

} // namespace
} // namespace pgo::health

PGO_FUNCTION(pgo_recommendations) {
  using namespace pgo;
  // The rows of each check go once turned into advice, and each advice row goes at once to the spool of its
  // (priority, kind): the view's order without holding every row in memory.
  health::HealthData data(health::HealthData::Catalog::Full, health::HealthData::Rows::Dropped);
  pg::ResultSet out(fcinfo);
  health::SpooledRecommendations spooled(out);
  health::recommendations(data, spooled);
  spooled.finish();
  return out.done();
}
