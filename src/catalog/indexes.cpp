#include "catalog/indexes.hpp"

#include <algorithm>
#include <utility>

#include "catalog/catalog_scan.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_index.h"
}

namespace pgo::catalog {

IndexCatalog IndexCatalog::read() {
  IndexCatalog catalog;
  std::vector<std::pair<Oid, Oid>> pairs; // (table, index)

  CatalogScan scan(IndexRelationId);
  pairs.reserve(scan.estimated_rows() + 64);
  while (HeapTuple tuple = scan.next()) {
    const auto *index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    pairs.emplace_back(index->indrelid, index->indexrelid);
  }
  scan.close();
  // Stable: each table's indexes stay in scan order.
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const std::pair<Oid, Oid> &a, const std::pair<Oid, Oid> &b) { return a.first < b.first; });
  catalog.tables_.reserve(pairs.size());
  catalog.indexes_.reserve(pairs.size());
  for (const auto &[table, index] : pairs) {
    catalog.tables_.push_back(table);
    catalog.indexes_.push_back(index);
  }
  catalog.directory_ = core::KeyDirectory::build(catalog.tables_.size(),
                                                 [&tables = catalog.tables_](std::size_t i) { return tables[i]; });
  return catalog;
}

OidRange IndexCatalog::indexes_of(Oid table) const {
  const core::KeyDirectory::Range range = directory_.candidates(table);
  const auto [first, last] = std::equal_range(tables_.begin() + static_cast<std::ptrdiff_t>(range.first),
                                              tables_.begin() + static_cast<std::ptrdiff_t>(range.last), table);
  const Oid *base = indexes_.data();
  return OidRange(base + (first - tables_.begin()), base + (last - tables_.begin()));
}

} // namespace pgo::catalog
