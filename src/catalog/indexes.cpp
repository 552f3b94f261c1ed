#include "catalog/indexes.hpp"

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

  CatalogScan scan(IndexRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    catalog.indexes_[index->indrelid].push_back(index->indexrelid);
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
  return catalog;
}

const std::vector<core::IndexShape> &IndexCatalog::shapes_of(Oid table) const {
  const auto found = shapes_.find(table);
  return found == shapes_.end() ? no_shapes_ : found->second;
}

const std::vector<Oid> &IndexCatalog::indexes_of(Oid table) const {
  const auto found = indexes_.find(table);
  return found == indexes_.end() ? no_indexes_ : found->second;
}

} // namespace pgo::catalog
