#include "catalog/class_catalog.hpp"

#include "catalog/catalog_scan.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "storage/sinval.h"
}

namespace pgo::catalog {

ClassRow class_row_from(const FormData_pg_class &rel) {
  ClassRow row;
  row.name = NameStr(rel.relname);
  row.namespace_oid = rel.relnamespace;
  row.access_method = rel.relam;
  row.tablespace = rel.reltablespace;
  row.filenode = rel.relfilenode;
  row.toast = rel.reltoastrelid;
  row.relkind = rel.relkind;
  row.persistence = rel.relpersistence;
  row.shared = rel.relisshared;
  return row;
}

ClassCatalog ClassCatalog::read() {
  ClassCatalog catalog;
  catalog.invalidations_at_scan_ = SharedInvalidMessageCounter;
  CatalogScan scan(RelationRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *rel = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
    catalog.rows_.emplace(rel->oid, class_row_from(*rel));
  }
  scan.close();
  return catalog;
}

const ClassRow *ClassCatalog::find(Oid relid) const {
  const auto found = rows_.find(relid);
  return found == rows_.end() ? nullptr : &found->second;
}

} // namespace pgo::catalog

namespace pgo::catalog {

bool ClassCatalog::unchanged_since_scan() const { return SharedInvalidMessageCounter == invalidations_at_scan_; }

bool ClassCatalog::name_taken(Oid namespace_oid, const std::string &name) const {
  if (names_.empty()) {
    names_.reserve(rows_.size());
    for (const auto &entry : rows_)
      names_.insert(NameKey{entry.second.namespace_oid, entry.second.name});
  }
  return names_.count(NameKey{namespace_oid, name}) > 0;
}

} // namespace pgo::catalog
