#include "catalog/indexes.hpp"

#include <algorithm>
#include <utility>

#include "catalog/catalog_scan.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
}

namespace pgo::catalog {
namespace {

core::AccessMethod access_method_of(Oid am) {
  if (am == BTREE_AM_OID)
    return core::AccessMethod::Btree;
  if (am == HASH_AM_OID)
    return core::AccessMethod::Hash;
  return core::AccessMethod::Other;
}

} // namespace

IndexCatalog IndexCatalog::read(const ClassCatalog &classes, const std::unordered_set<Oid> &shape_tables) {
  IndexCatalog catalog;
  std::vector<std::pair<Oid, Oid>> pairs; // (table, index)

  CatalogScan scan(IndexRelationId);
  pairs.reserve(scan.estimated_rows() + 64);
  while (HeapTuple tuple = scan.next()) {
    const auto *index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    pairs.emplace_back(index->indrelid, index->indexrelid);
    if (shape_tables.count(index->indrelid) == 0)
      continue;

    core::IndexShape shape;
    shape.index_oid = index->indexrelid;
    const ClassRow *index_class = classes.find(index->indexrelid);
    shape.am = index_class == nullptr ? core::AccessMethod::Other : access_method_of(index_class->access_method);
    shape.valid = index->indisvalid;
    shape.ready = index->indisready;
    // indpred is a nullable varlena column: testing for null reads only the tuple header, it cannot raise.
    shape.partial = !heap_attisnull(tuple, Anum_pg_index_indpred, nullptr);
    const int nkeys = index->indnkeyatts;
    shape.key_columns.assign(index->indkey.values, index->indkey.values + nkeys);
    catalog.shapes_[index->indrelid].push_back(std::move(shape));
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

const std::vector<core::IndexShape> &IndexCatalog::shapes_of(Oid table) const {
  const auto found = shapes_.find(table);
  return found == shapes_.end() ? no_shapes_ : found->second;
}

OidRange IndexCatalog::indexes_of(Oid table) const {
  const core::KeyDirectory::Range range = directory_.candidates(table);
  const auto [first, last] = std::equal_range(tables_.begin() + static_cast<std::ptrdiff_t>(range.first),
                                              tables_.begin() + static_cast<std::ptrdiff_t>(range.last), table);
  const Oid *base = indexes_.data();
  return OidRange(base + (first - tables_.begin()), base + (last - tables_.begin()));
}

} // namespace pgo::catalog
