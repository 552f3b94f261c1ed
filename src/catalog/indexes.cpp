#include "catalog/indexes.hpp"

#include "catalog/catalog_scan.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
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

// Access method of every index and partitioned index, from one pass over pg_class.
std::unordered_map<Oid, Oid> read_index_access_methods() {
  std::unordered_map<Oid, Oid> result;
  CatalogScan scan(RelationRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *rel = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
    if (rel->relkind == RELKIND_INDEX || rel->relkind == RELKIND_PARTITIONED_INDEX)
      result.emplace(rel->oid, rel->relam);
  }
  scan.close();
  return result;
}

} // namespace

IndexCatalog IndexCatalog::read(const std::unordered_set<Oid> &shape_tables) {
  IndexCatalog catalog;
  const std::unordered_map<Oid, Oid> access_methods = read_index_access_methods();

  CatalogScan scan(IndexRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    catalog.indexes_[index->indrelid].push_back(index->indexrelid);
    if (shape_tables.count(index->indrelid) == 0)
      continue;

    core::IndexShape shape;
    const auto am = access_methods.find(index->indexrelid);
    shape.am = am == access_methods.end() ? core::AccessMethod::Other : access_method_of(am->second);
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
