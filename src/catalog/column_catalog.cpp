#include "catalog/column_catalog.hpp"

#include <algorithm>

#include "catalog/catalog_scan.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_statistic.h"
}

namespace pgo::catalog {

ColumnCatalog ColumnCatalog::read(const std::unordered_set<Oid> &tables) {
  ColumnCatalog stats;
  {
    CatalogScan scan(AttributeRelationId);
    while (HeapTuple tuple = scan.next()) {
      const auto *att = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple));
      if (att->attnum <= 0 || att->attisdropped || tables.count(att->attrelid) == 0)
        continue;
      ColumnFacts facts;
      facts.attnum = att->attnum;
      facts.align = att->attalign;
      facts.not_null = att->attnotnull;
      facts.varlena = att->attlen == -1;
      stats.columns_[att->attrelid].push_back(facts);
    }
    scan.close();
  }
  for (auto &entry : stats.columns_)
    std::sort(entry.second.begin(), entry.second.end(),
              [](const ColumnFacts &a, const ColumnFacts &b) { return a.attnum < b.attnum; });

  CatalogScan scan(StatisticRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *st = reinterpret_cast<Form_pg_statistic>(GETSTRUCT(tuple));
    if (st->stainherit || st->staattnum <= 0)
      continue;
    auto table = stats.columns_.find(st->starelid);
    if (table == stats.columns_.end())
      continue;
    auto column = std::lower_bound(table->second.begin(), table->second.end(), st->staattnum,
                                   [](const ColumnFacts &c, std::int16_t attnum) { return c.attnum < attnum; });
    if (column == table->second.end() || column->attnum != st->staattnum)
      continue;
    column->has_stats = true;
    column->null_frac = st->stanullfrac;
    column->avg_width = st->stawidth;
  }
  scan.close();
  return stats;
}

const std::vector<ColumnFacts> &ColumnCatalog::columns_of(Oid table) const {
  const auto found = columns_.find(table);
  return found == columns_.end() ? none_ : found->second;
}

} // namespace pgo::catalog
