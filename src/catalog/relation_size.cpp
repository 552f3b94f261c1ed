#include "catalog/relation_size.hpp"

#include <cerrno>
#include <sys/stat.h>
#include <vector>

#include "pg/guard.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "access/htup_details.h"
#include "catalog/pg_tablespace.h"
#include "nodes/pg_list.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
#include "utils/relmapper.h"
#include "utils/syscache.h"
}

namespace pgo::catalog {
namespace {

struct StorageFacts {
  bool exists;
  char relkind;
  Oid toast;
  std::int64_t bytes;
};

// Bytes of every fork and segment of one relation; exists=false when its pg_class row is gone.
StorageFacts storage_of(Oid relid) {
  return pg::guard([&]() -> StorageFacts {
    StorageFacts facts{false, 0, InvalidOid, 0};
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tuple))
      return facts;
    const auto *rel = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
    facts.exists = true;
    facts.relkind = rel->relkind;
    facts.toast = rel->reltoastrelid;
    const bool has_storage = RELKIND_HAS_STORAGE(rel->relkind);
    const bool shared = rel->relisshared;
    const char persistence = rel->relpersistence;
    Oid filenumber = rel->relfilenode;
    const Oid tablespace = OidIsValid(rel->reltablespace) ? rel->reltablespace
                           : shared                       ? GLOBALTABLESPACE_OID
                                                          : MyDatabaseTableSpace;
    ReleaseSysCache(tuple);
    if (!has_storage)
      return facts;
    if (!OidIsValid(filenumber))
      filenumber = RelationMapOidToFilenode(relid, shared);
    if (!OidIsValid(filenumber))
      return facts;

    const auto locator = pg::compat::make_locator(tablespace, shared ? InvalidOid : MyDatabaseId, filenumber);
    const auto backend =
        persistence == RELPERSISTENCE_TEMP ? pg::compat::temp_relation_backend() : pg::compat::no_backend();
    char base[MAXPGPATH];
    char segment[MAXPGPATH + 16];
    for (int fork = 0; fork <= MAX_FORKNUM; fork++) {
      pg::compat::relation_fork_path(locator, backend, static_cast<ForkNumber>(fork), base, sizeof base);
      for (unsigned seg = 0;; seg++) {
        if (seg == 0)
          strlcpy(segment, base, sizeof segment);
        else
          snprintf(segment, sizeof segment, "%s.%u", base, seg);
        struct stat st;
        if (stat(segment, &st) != 0) {
          if (errno == ENOENT)
            break;
          ereport(ERROR, (errcode_for_file_access(), errmsg("could not stat file \"%s\": %m", segment)));
        }
        facts.bytes += st.st_size;
      }
    }
    return facts;
  });
}

std::optional<std::int64_t> one_relation_bytes(Oid table, const IndexCatalog &indexes) {
  pg::guard([&] { LockRelationOid(table, AccessShareLock); });
  const StorageFacts heap = storage_of(table);
  if (!heap.exists) {
    pg::guard([&] { UnlockRelationOid(table, AccessShareLock); });
    return std::nullopt;
  }
  std::int64_t total = heap.bytes;
  for (Oid index : indexes.indexes_of(table))
    total += storage_of(index).bytes;
  if (OidIsValid(heap.toast)) {
    total += storage_of(heap.toast).bytes;
    for (Oid index : indexes.indexes_of(heap.toast))
      total += storage_of(index).bytes;
  }
  pg::guard([&] { UnlockRelationOid(table, AccessShareLock); });
  return total;
}

} // namespace

std::optional<std::int64_t> total_relation_bytes(Oid table, const IndexCatalog &indexes) {
  std::optional<std::int64_t> total = one_relation_bytes(table, indexes);
  if (!total)
    return std::nullopt;
  if (pg::guard([&] { return get_rel_relkind(table); }) != RELKIND_PARTITIONED_TABLE)
    return total;

  // find_all_inheritors lists the table itself first, then every partition at every level.
  std::vector<Oid> members;
  List *tree = pg::guard([&] { return find_all_inheritors(table, NoLock, nullptr); });
  ListCell *cell;
  foreach (cell, tree)
    members.push_back(lfirst_oid(cell));
  for (Oid member : members)
    if (member != table)
      total = *total + one_relation_bytes(member, indexes).value_or(0);
  return total;
}

} // namespace pgo::catalog
