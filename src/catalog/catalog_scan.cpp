#include "catalog/catalog_scan.hpp"

#include <exception>

#include "pg/guard.hpp"

extern "C" {
#include "access/table.h"
#include "storage/lockdefs.h"
}

namespace pgo::catalog {

CatalogScan::CatalogScan(Oid catalog_oid) {
  relation_ = pg::guard([&] { return table_open(catalog_oid, AccessShareLock); });
  scan_ = pg::guard([&] { return systable_beginscan(relation_, InvalidOid, false, nullptr, 0, nullptr); });
}

CatalogScan::~CatalogScan() {
  if (std::uncaught_exceptions() > 0)
    return; // the transaction abort ends the scan and releases the lock
  try {
    close();
  } catch (...) {
    // close() only fails if PostgreSQL raised; the ERROR was already flushed, and the abort that follows cleans up.
  }
}

HeapTuple CatalogScan::next() {
  return pg::guard([&] { return systable_getnext(scan_); });
}

void CatalogScan::close() {
  if (scan_ != nullptr) {
    SysScanDesc scan = scan_;
    scan_ = nullptr;
    pg::guard([&] { systable_endscan(scan); });
  }
  if (relation_ != nullptr) {
    Relation relation = relation_;
    relation_ = nullptr;
    pg::guard([&] { table_close(relation, AccessShareLock); });
  }
}

} // namespace pgo::catalog
