// Differences between the PostgreSQL major versions pg_optimize builds against, kept in one place.
// Every PG_VERSION_NUM test in the project belongs here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" {
#include "postgres.h"

#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "common/relpath.h"
#include "postmaster/autovacuum.h"
#include "postmaster/postmaster.h"
#include "tcop/pquery.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/rel.h"
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
#if PG_VERSION_NUM >= 160000
#include "nodes/queryjumble.h"
#else
#include "utils/queryjumble.h"
#endif
}

#if PG_VERSION_NUM < 150000
#error "pg_optimize needs PostgreSQL 15 or later"
#endif

// The module magic block; PostgreSQL 18 lets it carry the module's name and version (shown by pg_get_loaded_modules).
#define PGO_VERSION_STRING "0.2"
#if PG_VERSION_NUM >= 180000
#define PGO_MODULE_MAGIC PG_MODULE_MAGIC_EXT(.name = "pg_optimize", .version = PGO_VERSION_STRING)
#else
#define PGO_MODULE_MAGIC PG_MODULE_MAGIC
#endif

// ExecutorRun hook parameters: PostgreSQL 18 dropped execute_once.
#if PG_VERSION_NUM >= 180000
#define PGO_EXECUTOR_RUN_PARAMS QueryDesc *queryDesc, ScanDirection direction, uint64 count
#define PGO_EXECUTOR_RUN_ARGS queryDesc, direction, count
#else
#define PGO_EXECUTOR_RUN_PARAMS QueryDesc *queryDesc, ScanDirection direction, uint64 count, bool execute_once
#define PGO_EXECUTOR_RUN_ARGS queryDesc, direction, count, execute_once
#endif

namespace pgo::pg::compat {

// Memory for a GUC check hook's "extra": PostgreSQL 16 and later free it with pfree (it must come from guc_malloc,
// in their GUC memory context), earlier versions with free(). nullptr when out of memory.
inline void *guc_extra_alloc(std::size_t size) {
#if PG_VERSION_NUM >= 160000
  return guc_malloc(LOG, size);
#else
  return malloc(size);
#endif
}

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

// autovacuum_vacuum_max_threshold (PostgreSQL 18): caps the dead-tuple threshold of big tables; -1 before 18.
inline int autovacuum_max_threshold(const AutoVacOpts &opts) {
#if PG_VERSION_NUM >= 180000
  return opts.vacuum_max_threshold;
#else
  (void)opts;
  return -1;
#endif
}

// The n-th (1-based) entry of this transaction's snapshot of backend states; renamed in PostgreSQL 17.
inline LocalPgBackendStatus *local_backend_status(int index) {
#if PG_VERSION_NUM >= 170000
  return pgstat_get_local_beentry_by_index(index);
#else
  return pgstat_fetch_stat_local_beentry(index);
#endif
}

// pg_stat_activity.state as PostgreSQL words it (STATE_STARTING is new in 18).
inline const char *backend_state_name(BackendState state) {
  switch (state) {
  case STATE_IDLE:
    return "idle";
  case STATE_RUNNING:
    return "active";
  case STATE_IDLEINTRANSACTION:
    return "idle in transaction";
  case STATE_FASTPATH:
    return "fastpath function call";
  case STATE_IDLEINTRANSACTION_ABORTED:
    return "idle in transaction (aborted)";
  case STATE_DISABLED:
    return "disabled";
#if PG_VERSION_NUM >= 180000
  case STATE_STARTING:
    return "starting";
#endif
  case STATE_UNDEFINED:
    break;
  }
  return "";
}

// The server-wide autovacuum_vacuum_max_threshold (PostgreSQL 18); -1 (no cap) before 18.
inline int autovacuum_max_threshold_setting() {
#if PG_VERSION_NUM >= 180000
  return autovacuum_vac_max_thresh;
#else
  return -1;
#endif
}

// Connection slots ordinary roles can use: max_connections minus the reserved ones (superuser_reserved_connections,
// and reserved_connections from PostgreSQL 16 on).
inline int usable_connection_slots() {
#if PG_VERSION_NUM >= 160000
  return MaxConnections - SuperuserReservedConnections - ReservedConnections;
#else
  return MaxConnections - ReservedBackends;
#endif
}

// Whether changing autovacuum_max_workers needs a restart (PostgreSQL 18 made it reloadable, up to
// autovacuum_worker_slots).
inline bool autovacuum_max_workers_needs_restart() { return PG_VERSION_NUM < 180000; }

// PortalRun lost its run_once argument in PostgreSQL 18.
inline bool portal_run(Portal portal, DestReceiver *dest, QueryCompletion *qc) {
#if PG_VERSION_NUM >= 180000
  return PortalRun(portal, FETCH_ALL, true, dest, dest, qc);
#else
  return PortalRun(portal, FETCH_ALL, true, true, dest, dest, qc);
#endif
}

// Whether a role may VACUUM, ANALYZE and REFRESH a relation: its owner (or a member of the owning role) or a
// superuser, and from PostgreSQL 17 on whoever holds the MAINTAIN privilege on it (pg_maintain included).
inline bool can_maintain(Oid relid, Oid role) {
#if PG_VERSION_NUM >= 170000
  return pg_class_aclcheck(relid, role, ACL_MAINTAIN) == ACLCHECK_OK;
#elif PG_VERSION_NUM >= 160000
  return object_ownercheck(RelationRelationId, relid, role);
#else
  return pg_class_ownercheck(relid, role);
#endif
}

// Whether a role owns a database (or is a superuser): the check DROP DATABASE and ALTER DATABASE make.
inline bool owns_database(Oid database, Oid role) {
#if PG_VERSION_NUM >= 160000
  return object_ownercheck(DatabaseRelationId, database, role);
#else
  return pg_database_ownercheck(database, role);
#endif
}

// This backend's index among the MaxBackends regular backends (0-based), or -1: MyProcNumber from PostgreSQL 17 on
// (regular backends come first), MyBackendId (1-based) before. EnableQueryId moved to nodes/queryjumble.h in 16.
inline int backend_index() {
#if PG_VERSION_NUM >= 170000
  return MyProcNumber == INVALID_PROC_NUMBER ? -1 : static_cast<int>(MyProcNumber);
#else
  return MyBackendId == InvalidBackendId ? -1 : static_cast<int>(MyBackendId) - 1;
#endif
}

// Fields of the cumulative statistics that were renamed: the object of a shared statistics entry (objid, 64 bits,
// from PostgreSQL 18; objoid before) and a table's tuple counts (n_live_tuples and n_dead_tuples in 15). Templates,
// so that only the file that reads those structs includes their (internal) headers.
template <typename HashKey> Oid stats_object(const HashKey &key) {
#if PG_VERSION_NUM >= 180000
  return static_cast<Oid>(key.objid);
#else
  return key.objoid;
#endif
}
template <typename TabEntry> std::int64_t live_tuples(const TabEntry &entry) {
#if PG_VERSION_NUM >= 160000
  return entry.live_tuples;
#else
  return entry.n_live_tuples;
#endif
}
template <typename TabEntry> std::int64_t dead_tuples(const TabEntry &entry) {
#if PG_VERSION_NUM >= 160000
  return entry.dead_tuples;
#else
  return entry.n_dead_tuples;
#endif
}
#if PG_VERSION_NUM >= 160000
#define PGO_TAB_FIELD(new_name, old_name) entry.new_name
#else
#define PGO_TAB_FIELD(new_name, old_name) entry.old_name
#endif
template <typename TabEntry> std::int64_t mod_since_analyze(const TabEntry &entry) {
  return PGO_TAB_FIELD(mod_since_analyze, changes_since_analyze);
}
template <typename TabEntry> std::int64_t ins_since_vacuum(const TabEntry &entry) {
  return PGO_TAB_FIELD(ins_since_vacuum, inserts_since_vacuum);
}
template <typename TabEntry> std::int64_t last_vacuum_time(const TabEntry &entry) {
  return PGO_TAB_FIELD(last_vacuum_time, vacuum_timestamp);
}
template <typename TabEntry> std::int64_t last_autovacuum_time(const TabEntry &entry) {
  return PGO_TAB_FIELD(last_autovacuum_time, autovac_vacuum_timestamp);
}
template <typename TabEntry> std::int64_t last_analyze_time(const TabEntry &entry) {
  return PGO_TAB_FIELD(last_analyze_time, analyze_timestamp);
}
template <typename TabEntry> std::int64_t last_autoanalyze_time(const TabEntry &entry) {
  return PGO_TAB_FIELD(last_autoanalyze_time, autovac_analyze_timestamp);
}
#undef PGO_TAB_FIELD

} // namespace pgo::pg::compat

// The tree walkers' callback type: untyped before PostgreSQL 16, a macro casting it since.
#if PG_VERSION_NUM >= 160000
#define PGO_WALKER(f) (f)
#else
#define PGO_WALKER(f) reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(f))
#endif
