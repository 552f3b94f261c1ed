// Differences between the PostgreSQL major versions pg_optimize builds against, kept in one place.
// Every PG_VERSION_NUM test in the project belongs here.
#pragma once

extern "C" {
#include "postgres.h"

#include "common/relpath.h"
#include "utils/relmapper.h"
#if PG_VERSION_NUM >= 160000
#include "storage/relfilelocator.h"
#else
#include "storage/relfilenode.h"
#endif
#if PG_VERSION_NUM >= 170000
#include "storage/procnumber.h"
#else
#include "storage/backendid.h"
#endif
}

#if PG_VERSION_NUM < 150000
#error "pg_optimize needs PostgreSQL 15 or later"
#endif

// The module magic block; PostgreSQL 18 lets it carry the module's name and version (shown by pg_get_loaded_modules).
#define PGO_VERSION_STRING "0.1"
#if PG_VERSION_NUM >= 180000
#define PGO_MODULE_MAGIC PG_MODULE_MAGIC_EXT(.name = "pg_optimize", .version = PGO_VERSION_STRING)
#else
#define PGO_MODULE_MAGIC PG_MODULE_MAGIC
#endif

namespace pgo::pg::compat {

// Where a relation's files live: PostgreSQL 16 renamed RelFileNode to RelFileLocator, 17 backend ids to proc numbers.
#if PG_VERSION_NUM >= 160000
using FileLocator = RelFileLocator;
inline FileLocator make_locator(Oid tablespace, Oid database, Oid filenumber) {
  FileLocator loc;
  loc.spcOid = tablespace;
  loc.dbOid = database;
  loc.relNumber = filenumber;
  return loc;
}
#else
using FileLocator = RelFileNode;
inline FileLocator make_locator(Oid tablespace, Oid database, Oid filenumber) {
  FileLocator loc;
  loc.spcNode = tablespace;
  loc.dbNode = database;
  loc.relNode = filenumber;
  return loc;
}
#endif

#if PG_VERSION_NUM >= 170000
using BackendNumber = ProcNumber;
inline BackendNumber no_backend() { return INVALID_PROC_NUMBER; }
inline BackendNumber temp_relation_backend() { return ProcNumberForTempRelations(); }
#else
using BackendNumber = BackendId;
inline BackendNumber no_backend() { return InvalidBackendId; }
inline BackendNumber temp_relation_backend() { return BackendIdForTempRelations(); }
#endif

// The file node of a mapped catalog (pg_class.relfilenode = 0). Renamed in PostgreSQL 16.
inline Oid mapped_filenode(Oid relid, bool shared) {
#if PG_VERSION_NUM >= 160000
  return RelationMapOidToFilenumber(relid, shared);
#else
  return RelationMapOidToFilenode(relid, shared);
#endif
}

// Writes the path of one fork of a relation's first segment into buf (at least MAXPGPATH bytes). PostgreSQL 18
// returns the path in a struct, earlier versions as a palloc'd string.
inline void relation_fork_path(const FileLocator &loc, BackendNumber backend, ForkNumber fork, char *buf,
                               size_t bufsize) {
#if PG_VERSION_NUM >= 180000
  RelPathStr path = relpathbackend(loc, backend, fork);
  snprintf(buf, bufsize, "%s", path.str);
#else
  char *path = relpathbackend(loc, backend, fork);
  snprintf(buf, bufsize, "%s", path);
  pfree(path);
#endif
}

} // namespace pgo::pg::compat
