#include "catalog/foreign_keys.hpp"

#include <cstring>
#include <unordered_map>

#include "catalog/catalog_scan.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_namespace.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgo::catalog {

namespace {

// Copies conkey out of a pg_constraint tuple into `out` (at most INDEX_MAX_KEYS columns). Returns the count, or -1
// when the array is missing or malformed.
int read_conkey(HeapTuple tuple, core::AttrNumber (&out)[INDEX_MAX_KEYS]) {
  return pg::guard([&]() -> int {
    bool isnull = false;
    // SysCacheGetAttr rather than the inline heap_getattr: the inline one's body changes between minor releases
    // (17.11 made it call a new server function), and a module must load on every minor release of its major.
    Datum datum = SysCacheGetAttr(CONSTROID, tuple, Anum_pg_constraint_conkey, &isnull);
    if (isnull)
      return -1;
    ArrayType *array = DatumGetArrayTypeP(datum);
    int count = -1;
    if (ARR_NDIM(array) == 1 && !ARR_HASNULL(array) && ARR_ELEMTYPE(array) == INT2OID &&
        ARR_DIMS(array)[0] <= INDEX_MAX_KEYS) {
      count = ARR_DIMS(array)[0];
      const int16 *values = reinterpret_cast<const int16 *>(ARR_DATA_PTR(array));
      for (int i = 0; i < count; i++)
        out[i] = values[i];
    }
    if (reinterpret_cast<Pointer>(array) != DatumGetPointer(datum))
      pfree(array);
    return count;
  });
}

} // namespace

void scan_user_foreign_keys(const ForeignKeyFilter &keep, const std::function<void(ForeignKey &&)> &take) {
  std::vector<core::AttrNumber> columns;  // reused: the filter sees each key's columns without an allocation each
  std::unordered_map<Oid, bool> excluded; // per namespace, decided once

  CatalogScan scan(ConstraintRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple));
    if (con->contype != CONSTRAINT_FOREIGN || OidIsValid(con->conparentid) || !OidIsValid(con->conrelid))
      continue;
    auto known = excluded.find(con->connamespace);
    if (known == excluded.end())
      known = excluded.emplace(con->connamespace, is_excluded_namespace(con->connamespace)).first;
    if (known->second)
      continue;

    core::AttrNumber keys[INDEX_MAX_KEYS];
    const int nkeys = read_conkey(tuple, keys);
    if (nkeys <= 0)
      continue;
    columns.assign(keys, keys + nkeys);
    if (keep != nullptr && !keep(con->conrelid, columns))
      continue;

    ForeignKey fk;
    fk.constraint_oid = con->oid;
    fk.table = con->conrelid;
    fk.referenced_table = con->confrelid;
    fk.namespace_oid = con->connamespace;
    fk.name = NameStr(con->conname);
    fk.columns = columns;
    take(std::move(fk));
  }
  scan.close();
}

} // namespace pgo::catalog
