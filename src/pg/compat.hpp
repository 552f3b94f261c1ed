// Differences between the PostgreSQL major versions pg_optimize builds against, kept in one place.
// Every PG_VERSION_NUM test in the project belongs here.
#pragma once

extern "C" {
#include "postgres.h"

#include "common/relpath.h"
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

// Writes the path of one fork of a relation's first segment into buf (at least MAXPGPATH bytes). PostgreSQL 18
// returns the path in a struct, earlier versions as a palloc'd string.
inline void relation_fork_path(const FileLocator &loc, BackendNumber backend, ForkNumber fork, char *buf,
                               size_t bufsize) {
#if PG_VERSION_NUM >= 180000
  RelPathStr path = relpathbackend(loc, backend, fork);
  strlcpy(buf, path.str, bufsize);
#else
  char *path = relpathbackend(loc, backend, fork);
  strlcpy(buf, path, bufsize);
  pfree(path);
#endif
}

} // namespace pgo::pg::compat
