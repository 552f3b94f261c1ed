#include "catalog/column_catalog.hpp"

#include <algorithm>

#include "catalog/catalog_scan.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_statistic.h"
#include "utils/fmgroids.h"
}

namespace pgo::catalog {
namespace {

// Up to this many tables with statistics, their columns are read with an index scan of pg_attribute each; beyond,
// one sequential scan of all of pg_attribute is cheaper.
constexpr std::size_t kIndexScanTables = 20000;

struct StatisticRow {
  Oid table;
  std::int16_t attnum;
  double null_frac;
  double avg_width;
};

ColumnFacts facts_of(const FormData_pg_attribute &att) {
  ColumnFacts facts;
  facts.attnum = att.attnum;
  facts.align = att.attalign;
  facts.not_null = att.attnotnull;
  facts.varlena = att.attlen == -1;
  return facts;
}

bool is_live_column(const FormData_pg_attribute &att) { return att.attnum > 0 && !att.attisdropped; }

} // namespace

ColumnCatalog ColumnCatalog::read(const std::unordered_set<Oid> &tables) {
  ColumnCatalog stats;
  // pg_statistic first: the bloat estimates use a table's columns only when the table has statistics (without them
  // an estimate is possible only for a table counted empty, and then the columns do not change it), so only those
  // tables' columns are read.
  std::vector<StatisticRow> statistics;
  {
    CatalogScan scan(StatisticRelationId);
    while (HeapTuple tuple = scan.next()) {
      const auto *st = reinterpret_cast<Form_pg_statistic>(GETSTRUCT(tuple));
      if (st->stainherit || st->staattnum <= 0 || tables.count(st->starelid) == 0)
        continue;
      statistics.push_back(
          StatisticRow{st->starelid, st->staattnum, st->stanullfrac, static_cast<double>(st->stawidth)});
    }
    scan.close();
  }
  std::vector<Oid> with_statistics;
  for (const StatisticRow &s : statistics)
    with_statistics.push_back(s.table);
  std::sort(with_statistics.begin(), with_statistics.end());
  with_statistics.erase(std::unique(with_statistics.begin(), with_statistics.end()), with_statistics.end());

  if (with_statistics.size() <= kIndexScanTables) {
    // One index scan of pg_attribute per table, in OID order.
    Relation attribute = pg::guard([] { return table_open(AttributeRelationId, AccessShareLock); });
    for (Oid table : with_statistics) {
      std::vector<ColumnFacts> &columns = stats.columns_[table];
      pg::guard([&] {
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_attribute_attrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(table));
        SysScanDesc scan = systable_beginscan(attribute, AttributeRelidNumIndexId, true, nullptr, 1, &key);
        while (HeapTuple tuple = systable_getnext(scan)) {
          const auto *att = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple));
          if (is_live_column(*att))
            columns.push_back(facts_of(*att)); // a bad_alloc leaves the scan to the transaction abort
        }
        systable_endscan(scan);
      });
    }
    pg::guard([&] { table_close(attribute, AccessShareLock); });
  } else {
    CatalogScan scan(AttributeRelationId);
    while (HeapTuple tuple = scan.next()) {
      const auto *att = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple));
      if (!is_live_column(*att) || !std::binary_search(with_statistics.begin(), with_statistics.end(), att->attrelid))
        continue;
      stats.columns_[att->attrelid].push_back(facts_of(*att));
    }
    scan.close();
  }
  for (auto &entry : stats.columns_)
    std::sort(entry.second.begin(), entry.second.end(),
              [](const ColumnFacts &a, const ColumnFacts &b) { return a.attnum < b.attnum; });

  for (const StatisticRow &st : statistics) {
    auto table = stats.columns_.find(st.table);
    if (table == stats.columns_.end())
      continue;
    auto column = std::lower_bound(table->second.begin(), table->second.end(), st.attnum,
                                   [](const ColumnFacts &c, std::int16_t attnum) { return c.attnum < attnum; });
    if (column == table->second.end() || column->attnum != st.attnum)
      continue;
    column->has_stats = true;
    column->null_frac = st.null_frac;
    column->avg_width = st.avg_width;
  }
  return stats;
}

const std::vector<ColumnFacts> &ColumnCatalog::columns_of(Oid table) const {
  const auto found = columns_.find(table);
  return found == columns_.end() ? none_ : found->second;
}

} // namespace pgo::catalog
