// Keeps the automation out of the DBA's way: before DROP DATABASE, ALTER DATABASE ... RENAME TO, ALTER DATABASE ...
// SET TABLESPACE and CREATE DATABASE ... TEMPLATE (which need the database to themselves) the database's scheduler
// and job workers are asked to exit and are waited for (up to five seconds), and the launcher leaves the database
// alone for a minute (or until the statement is over, unless it dropped the database); after DROP EXTENSION the
// scheduler is woken so that it exits at once. Installed in every backend that loads pg_optimize.
//
// The hook runs before standard_ProcessUtility checks the caller's rights, so it checks them itself first, as
// PostgreSQL will: only a caller whom PostgreSQL would let run the statement stops anything. A role that merely names
// another role's database (DROP DATABASE other, which then fails) disturbs nothing.
#include <cstring>

#include "pg/barrier.hpp"
#include "pg/compat.hpp"
#include "scheduler/shared_state.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

static void pgo_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                                ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *query_env,
                                DestReceiver *dest, QueryCompletion *qc);
}

namespace pgo::scheduler {
namespace {

ProcessUtility_hook_type previous_hook = nullptr;

// Plain C-style code from here to the hook: PostgreSQL may longjmp through it (a syscache ERROR, or one from
// CHECK_FOR_INTERRUPTS while waiting).

// Whether the current role has CREATEDB (superusers have every right).
bool may_create_databases() {
  if (superuser())
    return true;
  HeapTuple tuple = SearchSysCache1(AUTHOID, ObjectIdGetDatum(GetUserId()));
  if (!HeapTupleIsValid(tuple))
    return false;
  const bool createdb = reinterpret_cast<Form_pg_authid>(GETSTRUCT(tuple))->rolcreatedb;
  ReleaseSysCache(tuple);
  return createdb;
}

// Whether a database is marked as a template (anyone with CREATEDB may copy it).
bool is_template(Oid database) {
  HeapTuple tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(database));
  if (!HeapTupleIsValid(tuple))
    return false;
  const bool templ = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple))->datistemplate;
  ReleaseSysCache(tuple);
  return templ;
}

bool owns(Oid database) { return pgo::pg::compat::owns_database(database, GetUserId()); }

// The database a statement needs to itself, if the caller may run the statement on it; InvalidOid otherwise. The
// rights are PostgreSQL's own: the owner for DROP, RENAME (with CREATEDB) and SET TABLESPACE; for CREATE DATABASE
// CREATEDB, and the template's owner unless it is marked as a template. (The rest of PostgreSQL's checks, such as
// the tablespace's CREATE privilege, can only fail a statement its owner may run on their own database.)
Oid exclusive_database(Node *stmt) {
  const char *name = nullptr;
  bool allowed_without_owning = false;
  bool needs_createdb = false;
  if (IsA(stmt, DropdbStmt)) {
    name = castNode(DropdbStmt, stmt)->dbname;
  } else if (IsA(stmt, RenameStmt) && castNode(RenameStmt, stmt)->renameType == OBJECT_DATABASE) {
    name = castNode(RenameStmt, stmt)->subname;
    needs_createdb = true;
  } else if (IsA(stmt, AlterDatabaseStmt)) {
    ListCell *cell;
    foreach (cell, castNode(AlterDatabaseStmt, stmt)->options)
      if (std::strcmp(lfirst_node(DefElem, cell)->defname, "tablespace") == 0)
        name = castNode(AlterDatabaseStmt, stmt)->dbname;
  } else if (IsA(stmt, CreatedbStmt)) {
    name = "template1"; // PostgreSQL's default template
    ListCell *cell;
    foreach (cell, castNode(CreatedbStmt, stmt)->options) {
      DefElem *option = lfirst_node(DefElem, cell);
      if (std::strcmp(option->defname, "template") == 0 && option->arg != nullptr)
        name = defGetString(option);
    }
    needs_createdb = true;
    allowed_without_owning = true; // checked below: only a database marked as a template
  }
  if (name == nullptr)
    return InvalidOid;
  const Oid database = get_database_oid(name, true);
  if (!OidIsValid(database) || database == MyDatabaseId)
    return InvalidOid;
  if (needs_createdb && !may_create_databases())
    return InvalidOid;
  if (owns(database) || (allowed_without_owning && is_template(database)))
    return database;
  return InvalidOid;
}

bool drops_our_extension(Node *stmt) {
  if (!IsA(stmt, DropStmt) || castNode(DropStmt, stmt)->removeType != OBJECT_EXTENSION)
    return false;
  ListCell *cell;
  foreach (cell, castNode(DropStmt, stmt)->objects)
    if (std::strcmp(strVal(lfirst(cell)), "pg_optimize") == 0)
      return true;
  return false;
}

void clear_database(Oid database) {
  Shared *s = shared();
  pid_t pids[1 + kMaxJobsPerDatabase];
  int n = 0;
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  if (DatabaseSlot *slot = find_slot(s, database)) {
    slot->state = SchedulerState::Paused;
    slot->restart_after = GetCurrentTimestamp() + 60 * USECS_PER_SEC;
    if (slot->scheduler_pid != 0)
      pids[n++] = slot->scheduler_pid;
    for (const RunningJob &j : slot->jobs)
      if (j.run_id != 0 && j.pid != 0)
        pids[n++] = j.pid;
  }
  LWLockRelease(s->lock);
  for (int i = 0; i < n; i++)
    kill(pids[i], SIGTERM);
  // Wait for them to go: the DDL would otherwise find them connected.
  for (int waited_ms = 0; waited_ms < 5000; waited_ms += 50) {
    bool alive = false;
    for (int i = 0; i < n; i++)
      alive = alive || kill(pids[i], 0) == 0;
    if (!alive)
      break;
    CHECK_FOR_INTERRUPTS();
    pg_usleep(50 * 1000L);
  }
}

// After a RENAME, a SET TABLESPACE, a copy, or a statement that failed, the scheduler may come back at once.
void resume_database(Oid database) {
  Shared *s = shared();
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  if (DatabaseSlot *slot = find_slot(s, database))
    if (slot->state == SchedulerState::Paused)
      slot->restart_after = GetCurrentTimestamp();
  LWLockRelease(s->lock);
  wake_launcher(false);
}

} // namespace

void install_ddl_guard() {
  previous_hook = ProcessUtility_hook;
  ProcessUtility_hook = pgo_process_utility;
}

} // namespace pgo::scheduler

static void pgo_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                                ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *query_env,
                                DestReceiver *dest, QueryCompletion *qc) {
  using namespace pgo::scheduler;
  Node *stmt = pstmt->utilityStmt;
  const Oid database = shared() != nullptr ? exclusive_database(stmt) : InvalidOid;
  if (OidIsValid(database))
    clear_database(database);
  PG_TRY();
  {
    if (previous_hook != nullptr)
      previous_hook(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
    else
      standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
  }
  PG_CATCH();
  {
    if (OidIsValid(database))
      resume_database(database);
    PG_RE_THROW();
  }
  PG_END_TRY();
  if (shared() == nullptr)
    return;
  if (OidIsValid(database) && !IsA(stmt, DropdbStmt))
    resume_database(database);
  if (drops_our_extension(stmt))
    pgo::pg::barrier([] { wake_at_commit(MyDatabaseId); });
}
