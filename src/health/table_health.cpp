#include "health/table_health.hpp"

#include <algorithm>

#include "core/bloat.hpp"
#include "core/maintenance_math.hpp"
#include "pg/barrier.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "postmaster/autovacuum.h"
#include "storage/bufpage.h"
#include "utils/fmgrprotos.h"
}

namespace pgo::health {
namespace {

bool is_health_table(const catalog::ClassRow &row) {
  return !row.excluded && (row.relkind == RELKIND_RELATION || row.relkind == RELKIND_MATVIEW);
}

std::optional<std::int64_t> older(std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return std::max(*a, *b);
}

std::optional<core::BloatEstimate> heap_bloat(const catalog::ClassRow &row,
                                              const std::vector<catalog::ColumnFacts> &columns) {
  core::RelationStats stats;
  stats.actual_pages = row.pages;
  stats.reltuples = row.tuples;
  stats.fillfactor = row.options.fillfactor > 0 ? row.options.fillfactor : 0;
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

std::vector<TableHealth> table_health(const catalog::ClassCatalog &classes, const catalog::IndexCatalog &indexes,
                                      const catalog::ColumnCatalog &columns, catalog::RelationSizer &sizer) {
  std::vector<TableHealth> result;
  for (const auto &[oid, row] : classes.rows()) {
    if (!is_health_table(row))
      continue;
    TableHealth h;
    h.table = oid;
    h.bytes = sizer.unlocked_total_bytes(oid);
    h.activity = catalog::table_activity(oid);
    h.dead_pct = core::dead_pct(h.activity.live_tuples, h.activity.dead_tuples);
    for (Oid index : indexes.indexes_of(oid))
      h.idx_scans += catalog::index_activity(index).scans;

    if (std::optional<core::BloatEstimate> bloat = heap_bloat(row, columns.columns_of(oid))) {
      h.bloat_bytes = bloat->estimated_bloat_bytes;
      h.bloat_pct = bloat->estimated_bloat_pct;
    }

    const catalog::TableOptions &opt = row.options;
    h.autovacuum_enabled = opt.autovacuum_enabled && autovacuum_start_daemon;
    core::VacuumInputs vac;
    vac.dead_tuples = h.activity.dead_tuples;
    vac.inserts_since_vacuum = h.activity.ins_since_vacuum;
    vac.reltuples = row.tuples;
    vac.vacuum_threshold = opt.vacuum_threshold >= 0 ? opt.vacuum_threshold : autovacuum_vac_thresh;
    vac.vacuum_scale_factor = opt.vacuum_scale_factor >= 0 ? opt.vacuum_scale_factor : autovacuum_vac_scale;
    vac.insert_threshold = opt.vacuum_insert_threshold >= -1 ? opt.vacuum_insert_threshold : autovacuum_vac_ins_thresh;
    vac.insert_scale_factor =
        opt.vacuum_insert_scale_factor >= 0 ? opt.vacuum_insert_scale_factor : autovacuum_vac_ins_scale;
    const int max_threshold =
        opt.vacuum_max_threshold >= 0 ? opt.vacuum_max_threshold : pg::compat::autovacuum_max_threshold_setting();
    if (max_threshold >= 0)
      vac.vacuum_max_threshold = max_threshold;
    h.vacuum_needed = core::vacuum_needed(vac);
    core::AnalyzeInputs anl;
    anl.mod_since_analyze = h.activity.mod_since_analyze;
    anl.reltuples = row.tuples;
    anl.threshold = opt.analyze_threshold >= 0 ? opt.analyze_threshold : autovacuum_anl_thresh;
    anl.scale_factor = opt.analyze_scale_factor >= 0 ? opt.analyze_scale_factor : autovacuum_anl_scale;
    h.analyze_needed = core::analyze_needed(anl);

    h.xid_age = pg::id_age(xid_age, row.frozen_xid);
    h.mxid_age = pg::id_age(mxid_age, row.min_multixact);
    if (OidIsValid(row.toast))
      if (const catalog::ClassRow *toast = classes.find(row.toast))
        h.xid_age = older(h.xid_age, pg::id_age(xid_age, toast->frozen_xid));
    const int freeze_max_age =
        opt.freeze_max_age >= 0 ? std::min(opt.freeze_max_age, autovacuum_freeze_max_age) : autovacuum_freeze_max_age;
    h.freeze_due = h.xid_age && core::exceeds_freeze_max_age(*h.xid_age, freeze_max_age);

    std::vector<std::string> findings;
    if (h.freeze_due)
      findings.push_back("wraparound vacuum due");
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
    for (const std::string &f : findings)
      h.status += (h.status.empty() ? "" : ", ") + f;
    if (h.status.empty())
      h.status = "ok";
    result.push_back(std::move(h));
  }
  std::sort(result.begin(), result.end(), [](const TableHealth &a, const TableHealth &b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.table < b.table;
  });
  return result;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_table_health) {
  using namespace pgo;
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read();
  const catalog::IndexCatalog indexes = catalog::IndexCatalog::read(classes, {});
  const catalog::ColumnCatalog columns = catalog::ColumnCatalog::read(health::health_tables(classes));
  catalog::RelationSizer sizer(classes, indexes);
  const std::vector<health::TableHealth> rows = health::table_health(classes, indexes, columns, sizer);

  pg::ResultSet out(fcinfo);
  for (const health::TableHealth &h : rows) {
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
    out.add_bool(h.autovacuum_enabled);
    out.add_optional(h.xid_age, &pg::ResultSet::add_int64);
    out.add_text(h.status);
    out.end_row();
  }
  return out.done();
}
