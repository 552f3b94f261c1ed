// Keeps the automation out of the DBA's way: before DROP DATABASE, ALTER DATABASE ... RENAME TO and ALTER DATABASE
// ... SET TABLESPACE (which need the database to themselves) the database's scheduler and job workers are asked to
// exit and are waited for (up to five seconds), and the launcher leaves the database alone for a minute; after DROP
// EXTENSION the scheduler is woken so that it exits at once. Installed in every backend that loads pg_optimize.
#include <cstring>

#include "pg/barrier.hpp"
#include "scheduler/shared_state.hpp"

extern "C" {
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/timestamp.h"

static void pgo_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                                ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *query_env,
                                DestReceiver *dest, QueryCompletion *qc);
}

namespace pgo::scheduler {
namespace {

ProcessUtility_hook_type previous_hook = nullptr;

// The database a statement needs to itself, or nullptr.
const char *exclusive_database(Node *stmt) {
  if (IsA(stmt, DropdbStmt))
    return castNode(DropdbStmt, stmt)->dbname;
  if (IsA(stmt, RenameStmt) && castNode(RenameStmt, stmt)->renameType == OBJECT_DATABASE)
    return castNode(RenameStmt, stmt)->subname;
  if (IsA(stmt, AlterDatabaseStmt)) {
    ListCell *cell;
    foreach (cell, castNode(AlterDatabaseStmt, stmt)->options)
      if (std::strcmp(lfirst_node(DefElem, cell)->defname, "tablespace") == 0)
        return castNode(AlterDatabaseStmt, stmt)->dbname;
  }
  return nullptr;
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

// Plain C-style code: PostgreSQL may longjmp through it (an ERROR from CHECK_FOR_INTERRUPTS while waiting).
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

// After a RENAME or a SET TABLESPACE the scheduler may come back at once.
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
  Oid database = InvalidOid;
  if (shared() != nullptr) {
    if (const char *name = exclusive_database(stmt)) {
      database = get_database_oid(name, true);
      if (OidIsValid(database) && database != MyDatabaseId)
        clear_database(database);
    }
  }
  if (previous_hook != nullptr)
    previous_hook(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
  else
    standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
  if (shared() == nullptr)
    return;
  if (OidIsValid(database) && !IsA(stmt, DropdbStmt))
    resume_database(database);
  if (drops_our_extension(stmt))
    pgo::pg::barrier([] { wake_at_commit(MyDatabaseId); });
}
