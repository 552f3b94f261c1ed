// CatalogScan: a full scan of one system catalog under the catalog snapshot, as a C++ object.
//
// Every call into PostgreSQL goes through guard(). On the normal path close() (or the destructor) ends the scan and
// releases the catalog; while an exception unwinds, the destructor leaves both to the transaction abort that the
// exception is heading for, since PostgreSQL's state may be half-done at that point.
#pragma once

#include <cstddef>

#include "pg/postgres.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup.h"
#include "utils/rel.h"
}

namespace pgo::catalog {

class CatalogScan {
public:
  explicit CatalogScan(Oid catalog_oid);
  ~CatalogScan();
  CatalogScan(const CatalogScan &) = delete;
  CatalogScan &operator=(const CatalogScan &) = delete;

  // The next tuple, or nullptr at the end. The tuple is valid until the next call.
  HeapTuple next();
  TupleDesc descriptor() const { return RelationGetDescr(relation_); }
  // The catalog's row count as of its last VACUUM or ANALYZE (0 when never counted): a size hint for containers.
  std::size_t estimated_rows() const { return relation_->rd_rel->reltuples > 0 ? relation_->rd_rel->reltuples : 0; }
  void close();

private:
  Relation relation_ = nullptr;
  SysScanDesc scan_ = nullptr;
};

} // namespace pgo::catalog
