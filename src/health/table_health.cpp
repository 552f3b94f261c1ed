#include "health/table_health.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include <fmt/format.h>

#include "core/bloat.hpp"
#include "core/key_bitmap.hpp"
#include "core/maintenance_math.hpp"
#include "pg/barrier.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/srf.hpp"
#include "settings.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "postmaster/autovacuum.h"
#include "storage/bufpage.h"
#include "utils/fmgrprotos.h"
}

namespace pgo::health {

bool is_health_table(const catalog::ClassRow &row) {
  return !row.excluded && (row.relkind == RELKIND_RELATION || row.relkind == RELKIND_MATVIEW);
}

namespace {

std::optional<std::int64_t> older(std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return std::max(*a, *b);
}

} // namespace

void add_partition(MaintenanceVerdict &table, const MaintenanceVerdict &partition) {
  table.activity.live_tuples += partition.activity.live_tuples;
  table.activity.dead_tuples += partition.activity.dead_tuples;
  table.activity.seq_scans += partition.activity.seq_scans;
  table.xid_age = older(table.xid_age, partition.xid_age);
  table.mxid_age = older(table.mxid_age, partition.mxid_age);
  table.dead_pct = core::dead_pct(table.activity.live_tuples, table.activity.dead_tuples);
}

namespace {

// autovacuum's VACUUM formula for one relation with the table's settings (a TOAST table is judged on its own
// counters with its table's settings, as autovacuum does when the TOAST table has no options of its own).
bool vacuum_due(const catalog::TableOptions &opt, const catalog::TableActivity &activity, double reltuples) {
  core::VacuumInputs vac;
  vac.dead_tuples = activity.dead_tuples;
  vac.inserts_since_vacuum = activity.ins_since_vacuum;
  vac.reltuples = reltuples;
  vac.vacuum_threshold = opt.vacuum_threshold >= 0 ? opt.vacuum_threshold : autovacuum_vac_thresh;
  vac.vacuum_scale_factor = opt.vacuum_scale_factor >= 0 ? opt.vacuum_scale_factor : autovacuum_vac_scale;
  vac.insert_threshold = opt.vacuum_insert_threshold >= -1 ? opt.vacuum_insert_threshold : autovacuum_vac_ins_thresh;
  vac.insert_scale_factor =
      opt.vacuum_insert_scale_factor >= 0 ? opt.vacuum_insert_scale_factor : autovacuum_vac_ins_scale;
  const int max_threshold =
      opt.vacuum_max_threshold >= 0 ? opt.vacuum_max_threshold : pg::compat::autovacuum_max_threshold_setting();
  if (max_threshold >= 0)
    vac.vacuum_max_threshold = max_threshold;
  return core::vacuum_needed(vac);
}

// A partitioned table's row: its leaves' figures summed (the oldest age of any), no maintenance verdict of its own
// (autovacuum never processes a partitioned table; its partitions have their own rows). `leaf_row` answers the row of
// a leaf, or std::nullopt for a leaf that has none.
template <typename LeafRow> TableHealth partitioned_row(Oid table, const std::vector<Oid> &leaves, LeafRow leaf_row) {
  TableHealth h;
  h.table = table;
  h.partitioned = true;
  std::int64_t bloat = 0;
  bool bloat_known = false;
  for (Oid leaf : leaves) {
    const std::optional<TableHealth> found = leaf_row(leaf);
    if (!found)
      continue;
    const TableHealth &p = *found;
    h.partitions++;
    h.bytes += p.bytes;
    add_partition(h, p);
    h.idx_scans += p.idx_scans;
    if (p.bloat_bytes) {
      bloat += *p.bloat_bytes;
      bloat_known = true;
    }
  }
  if (bloat_known) {
    h.bloat_bytes = bloat;
    h.bloat_pct = h.bytes > 0 ? 100.0 * static_cast<double>(bloat) / static_cast<double>(h.bytes) : 0.0;
  }
  h.status = fmt::format("partitioned: {} partition{} summed (each has its own row)", h.partitions,
                         h.partitions == 1 ? "" : "s");
  return h;
}

std::optional<core::BloatEstimate> heap_bloat(const catalog::ClassRow &row, const catalog::TableOptions &options,
                                              const std::vector<catalog::ColumnFacts> &columns) {
  core::RelationStats stats;
  stats.actual_pages = row.pages;
  stats.reltuples = row.tuples;
  stats.fillfactor = options.fillfactor > 0 ? options.fillfactor : 0;
  stats.stats_for_every_column = !columns.empty();
  for (const catalog::ColumnFacts &c : columns) {
    if (!c.has_stats)
      stats.stats_for_every_column = false;
    core::ColumnStats cs;
    cs.avg_width = c.avg_width;
    cs.null_frac = c.null_frac;
    cs.typalign = c.align;
    cs.varlena = c.varlena;
    stats.columns.push_back(cs);
  }
  return core::estimate_heap_bloat(stats, core::PageLayout{BLCKSZ, SizeOfPageHeaderData, sizeof(ItemIdData),
                                                           MAXIMUM_ALIGNOF, SizeofHeapTupleHeader});
}

} // namespace

std::unordered_set<Oid> health_tables(const catalog::ClassCatalog &classes) {
  std::unordered_set<Oid> result;
  for (const auto &[oid, row] : classes.rows())
    if (is_health_table(row))
      result.insert(oid);
  return result;
}

catalog::RelationStatistics::Filter table_health_statistics_filter(const catalog::ClassCatalog &classes) {
  // An index is in its table's schema; a TOAST table is in pg_toast, excluded, and read for its table.
  auto wanted = [](const catalog::ClassRow &row) { return row.relkind == RELKIND_TOASTVALUE || !row.excluded; };
  const auto first = std::find_if(classes.rows().begin(), classes.rows().end(),
                                  [&](const auto &entry) { return wanted(entry.second); });
  if (first == classes.rows().end())
    return [](Oid) { return false; };
  // The rows are in OID order: the last wanted one is the first from the end.
  auto last = classes.rows().end();
  while (!wanted((last - 1)->second))
    --last;
  std::optional<core::KeyBitmap> set =
      core::KeyBitmap::for_range(first->first, (last - 1)->first, std::size_t{16} << 20);
  if (!set)
    return nullptr;
  for (auto it = first; it != last; ++it)
    if (wanted(it->second))
      set->insert(it->first);
  return [set = std::move(*set)](Oid relation) { return set.contains(relation); };
}

namespace {

MaintenanceVerdict maintenance_verdict(Oid oid, const catalog::ClassRow &row, const catalog::ClassCatalog &classes,
                                       const catalog::RelationStatistics &stats) {
  MaintenanceVerdict v;
  v.activity = stats.table(oid);
  v.dead_pct = core::dead_pct(v.activity.live_tuples, v.activity.dead_tuples);

  const catalog::TableOptions &opt = classes.options_of(oid);
  v.autovacuum_enabled = opt.autovacuum_enabled && autovacuum_start_daemon;
  v.vacuum_needed = vacuum_due(opt, v.activity, row.tuples);
  const catalog::ClassRow *toast = OidIsValid(row.toast) ? classes.find(row.toast) : nullptr;
  if (toast != nullptr) {
    v.toast_vacuum_needed = vacuum_due(opt, stats.table(row.toast), toast->tuples);
    v.vacuum_needed = v.vacuum_needed || v.toast_vacuum_needed;
  }
  core::AnalyzeInputs anl;
  anl.mod_since_analyze = v.activity.mod_since_analyze;
  anl.reltuples = row.tuples;
  anl.threshold = opt.analyze_threshold >= 0 ? opt.analyze_threshold : autovacuum_anl_thresh;
  anl.scale_factor = opt.analyze_scale_factor >= 0 ? opt.analyze_scale_factor : autovacuum_anl_scale;
  v.analyze_needed = core::analyze_needed(anl);

  v.xid_age = pg::id_age(xid_age, row.frozen_xid);
  v.mxid_age = pg::id_age(mxid_age, row.min_multixact);
  if (toast != nullptr) {
    v.xid_age = older(v.xid_age, pg::id_age(xid_age, toast->frozen_xid));
    v.mxid_age = older(v.mxid_age, pg::id_age(mxid_age, toast->min_multixact));
  }
  const int freeze_max_age =
      opt.freeze_max_age >= 0 ? std::min(opt.freeze_max_age, autovacuum_freeze_max_age) : autovacuum_freeze_max_age;
  // Multixact IDs wrap around too: autovacuum forces a freeze past autovacuum_multixact_freeze_max_age (lowered,
  // as autovacuum does, when the members' space runs short; not visible here).
  v.multixact_freeze_due = v.mxid_age && core::exceeds_freeze_max_age(*v.mxid_age, autovacuum_multixact_freeze_max_age);
  v.freeze_due = (v.xid_age && core::exceeds_freeze_max_age(*v.xid_age, freeze_max_age)) || v.multixact_freeze_due;
  return v;
}

// The row of one ordinary table or materialized view whose size is `bytes`.
TableHealth leaf_row(Oid oid, const catalog::ClassRow &row, std::int64_t bytes, const catalog::ClassCatalog &classes,
                     const catalog::IndexCatalog &indexes, const catalog::ColumnCatalog &columns,
                     const catalog::RelationStatistics &stats) {
  TableHealth h;
  static_cast<MaintenanceVerdict &>(h) = maintenance_verdict(oid, row, classes, stats);
  h.table = oid;
  h.bytes = bytes;
  for (Oid index : indexes.indexes_of(oid))
    h.idx_scans += stats.index(index).scans;

  if (std::optional<core::BloatEstimate> bloat = heap_bloat(row, classes.options_of(oid), columns.columns_of(oid))) {
    h.bloat_bytes = bloat->estimated_bloat_bytes;
    h.bloat_pct = bloat->estimated_bloat_pct;
  }

  std::vector<const char *> findings;
  if (h.freeze_due)
    findings.push_back(h.multixact_freeze_due ? "multixact wraparound vacuum due" : "wraparound vacuum due");
  if (h.toast_vacuum_needed)
    findings.push_back("TOAST table vacuum needed");
  if (h.vacuum_needed)
    findings.push_back("vacuum needed");
  if (h.analyze_needed)
    findings.push_back("analyze needed");
  if (row.tuples < 0 && !h.activity.last_analyze && !h.activity.last_autoanalyze)
    findings.push_back("never analyzed");
  if (h.bloat_pct && *h.bloat_pct >= 50 && h.bloat_bytes && *h.bloat_bytes >= 10 * 1024 * 1024)
    findings.push_back("bloated");
  if (!h.autovacuum_enabled)
    findings.push_back("autovacuum off");
  for (const char *f : findings)
    h.status += (h.status.empty() ? "" : ", ") + std::string(f);
  if (h.status.empty())
    h.status = "ok";
  return h;
}

} // namespace

void for_each_maintenance_verdict(const catalog::ClassCatalog &classes, const catalog::RelationStatistics &stats,
                                  const std::function<void(Oid, const MaintenanceVerdict &)> &visit) {
  for (const auto &[oid, row] : classes.rows())
    if (is_health_table(row))
      visit(oid, maintenance_verdict(oid, row, classes, stats));
}

void table_health(const catalog::ClassCatalog &classes, const catalog::IndexCatalog &indexes,
                  const catalog::Inheritance &inheritance, const catalog::ColumnCatalog &columns,
                  const catalog::RelationStatistics &stats, catalog::RelationSizer &sizer,
                  const std::function<void(TableHealth &&)> &emit) {
  // The sizes first, since the rows go out biggest first: only (size, OID) is kept per table, and each row is built
  // when its turn comes, so memory does not grow with a row per table.
  struct Entry {
    std::int64_t bytes;
    Oid table;
    bool partitioned;
  };
  std::size_t leaves = 0, partitioned = 0;
  for (const auto &[oid, row] : classes.rows()) {
    leaves += is_health_table(row);
    partitioned += !row.excluded && row.relkind == RELKIND_PARTITIONED_TABLE;
  }
  // Reserved: no old and new copy at once while growing, no spare left by doubling.
  std::vector<Entry> order;
  order.reserve(leaves + partitioned);
  std::vector<std::pair<Oid, std::int64_t>> leaf_bytes; // in OID order, as rows() is
  leaf_bytes.reserve(leaves);
  {
    std::vector<Oid> tables;
    tables.reserve(leaves);
    for (const auto &[oid, row] : classes.rows())
      if (is_health_table(row))
        tables.push_back(oid);
    sizer.measure_ahead(tables, catalog::RelationSizer::Ahead::Tables, settings::measure_thread_count());
  }
  for (const auto &[oid, row] : classes.rows())
    if (is_health_table(row)) {
      const std::int64_t bytes = sizer.unlocked_total_bytes(oid);
      leaf_bytes.emplace_back(oid, bytes);
      order.push_back(Entry{bytes, oid, false});
    }
  auto leaf = [&](Oid oid) -> std::optional<TableHealth> {
    const auto found = std::lower_bound(leaf_bytes.begin(), leaf_bytes.end(), oid,
                                        [](const std::pair<Oid, std::int64_t> &e, Oid o) { return e.first < o; });
    if (found == leaf_bytes.end() || found->first != oid)
      return std::nullopt;
    return leaf_row(oid, *classes.find(oid), found->second, classes, indexes, columns, stats);
  };
  for (const auto &[oid, row] : classes.rows())
    if (!row.excluded && row.relkind == RELKIND_PARTITIONED_TABLE) {
      std::int64_t bytes = 0;
      for (Oid member : inheritance.leaves_of(oid)) {
        const auto found = std::lower_bound(leaf_bytes.begin(), leaf_bytes.end(), member,
                                            [](const std::pair<Oid, std::int64_t> &e, Oid o) { return e.first < o; });
        if (found != leaf_bytes.end() && found->first == member)
          bytes += found->second;
      }
      order.push_back(Entry{bytes, oid, true});
    }
  std::sort(order.begin(), order.end(),
            [](const Entry &a, const Entry &b) { return a.bytes != b.bytes ? a.bytes > b.bytes : a.table < b.table; });
  for (const Entry &e : order)
    emit(e.partitioned ? partitioned_row(e.table, inheritance.leaves_of(e.table), leaf) : *leaf(e.table));
}

std::vector<TableHealth> table_health(const catalog::ClassCatalog &classes, const catalog::IndexCatalog &indexes,
                                      const catalog::Inheritance &inheritance, const catalog::ColumnCatalog &columns,
                                      const catalog::RelationStatistics &stats, catalog::RelationSizer &sizer) {
  std::vector<TableHealth> result;
  table_health(classes, indexes, inheritance, columns, stats, sizer,
               [&](TableHealth &&h) { result.push_back(std::move(h)); });
  return result;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_table_health) {
  using namespace pgo;
  const bool statistics_untouched = catalog::statistics_untouched_in_transaction();
  // Every table is sized: the database's directories are read on their own thread while the catalogs are.
  auto listing = catalog::DatabaseFiles::start_in_background(settings::measure_thread_count());
  // The view shows OIDs, never names: the catalog is read without them.
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read(nullptr, catalog::ClassCatalog::Names::Skip);
  const catalog::RelationStatistics stats =
      catalog::RelationStatistics::read(statistics_untouched, health::table_health_statistics_filter(classes));
  const catalog::IndexCatalog indexes = catalog::IndexCatalog::read();
  const catalog::Inheritance inheritance = catalog::Inheritance::read();
  const catalog::ColumnCatalog columns = catalog::ColumnCatalog::read(health::health_tables(classes));
  catalog::RelationSizer sizer(classes, indexes);
  sizer.use_listing(std::move(listing));

  // Each row goes into the tuplestore (which spills to disk past work_mem) as soon as it is built.
  pg::ResultSet out(fcinfo);
  health::table_health(classes, indexes, inheritance, columns, stats, sizer, [&](health::TableHealth &&h) {
    out.begin_row();
    out.add_oid(h.table);
    out.add_int64(h.bytes);
    out.add_int64(h.activity.live_tuples);
    out.add_int64(h.activity.dead_tuples);
    out.add_float8(h.dead_pct);
    out.add_optional(h.bloat_bytes, &pg::ResultSet::add_int64);
    out.add_optional(h.bloat_pct, &pg::ResultSet::add_float8);
    out.add_int64(h.activity.seq_scans);
    out.add_int64(h.idx_scans);
    out.add_timestamp(h.activity.last_vacuum);
    out.add_timestamp(h.activity.last_autovacuum);
    out.add_timestamp(h.activity.last_analyze);
    out.add_timestamp(h.activity.last_autoanalyze);
    out.add_bool(h.vacuum_needed);
    out.add_bool(h.analyze_needed);
    if (h.partitioned)
      out.add_null(); // autovacuum never processes it: no setting to report, on or off
    else
      out.add_bool(h.autovacuum_enabled);
    out.add_optional(h.xid_age, &pg::ResultSet::add_int64);
    out.add_text(h.status);
    out.end_row();
  });
  return out.done();
}
