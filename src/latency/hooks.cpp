// The executor and utility hooks that time statements, chained to whatever hooks were installed before (so
// pg_stat_statements and others keep working beside them).
//
// A statement's time is the time spent in ExecutorRun and ExecutorFinish (as pg_stat_statements counts it: the time
// between Execute messages of a portal is the client's, not the server's), or in ProcessUtility for a utility
// statement. The hooks never allocate: open executions sit in a small fixed array, keyed by their QueryDesc.
#include <ctime>

#include "latency/latency.hpp"
#include "latency/latency_settings.hpp"
#include "latency/shared.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/parallel.h"
#include "access/xact.h"
#include "commands/dbcommands.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
}

namespace pgo::latency {
namespace {

ExecutorStart_hook_type prev_executor_start = nullptr;
ExecutorRun_hook_type prev_executor_run = nullptr;
ExecutorFinish_hook_type prev_executor_finish = nullptr;
ExecutorEnd_hook_type prev_executor_end = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;

// How deep in nested statements we are: 0 for a statement sent by the client.
int nesting_level = 0;

// Executions being timed: started, not yet ended. Cursors can interleave, so they are found by QueryDesc.
struct OpenExecution {
  QueryDesc *query = nullptr;
  std::uint64_t busy_ns = 0;  // time in ExecutorRun and ExecutorFinish so far
  std::uint64_t first_ns = 0; // when the first ExecutorRun began (0: not yet)
  std::uint64_t last_ns = 0;  // when the last one ended
  int xact_level = 0;         // the (sub)transaction nesting level it began in
};
constexpr int kMaxOpen = 32;
OpenExecution open_executions[kMaxOpen];
int open_count = 0;

std::uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

// Client sessions only: the latency the application sees. Background workers (pg_optimize's own jobs and
// schedulers, autovacuum, replication) are left out.
bool tracking(int level) {
  return shared_memory_ready() && MyBackendType == B_BACKEND && !IsParallelWorker() &&
         (settings::track == settings::kTrackAll || (settings::track == settings::kTrackTop && level == 0));
}

int find_open(const QueryDesc *query) {
  for (int i = open_count - 1; i >= 0; i--)
    if (open_executions[i].query == query)
      return i;
  return -1;
}

void begin_execution(QueryDesc *query) {
  int i = find_open(query); // a QueryDesc address reused after an error: start over
  if (i < 0) {
    if (open_count == kMaxOpen)
      return;
    i = open_count++;
  }
  open_executions[i] = OpenExecution{query, 0, 0, 0, GetCurrentTransactionNestLevel()};
}

// Forgets the executions begun at `level` or deeper: an ERROR cut them short and they never reach ExecutorEnd.
void forget_executions_from(int level) {
  int kept = 0;
  for (int i = 0; i < open_count; i++)
    if (open_executions[i].xact_level < level)
      open_executions[kept++] = open_executions[i];
  open_count = kept;
}

void add_busy_time(const QueryDesc *query, std::uint64_t start_ns, std::uint64_t end_ns) {
  const int i = find_open(query);
  if (i < 0)
    return;
  OpenExecution &e = open_executions[i];
  e.busy_ns += end_ns - start_ns;
  if (e.first_ns == 0)
    e.first_ns = start_ns;
  e.last_ns = end_ns;
}

void end_execution(QueryDesc *query) {
  const int i = find_open(query);
  if (i < 0)
    return;
  const OpenExecution e = open_executions[i];
  for (int k = i; k + 1 < open_count; k++)
    open_executions[k] = open_executions[k + 1];
  open_count--;
  if (e.first_ns == 0)
    return; // never ran
  Statement st;
  st.query_id = query->plannedstmt != nullptr ? query->plannedstmt->queryId : 0;
  st.duration_ns = e.busy_ns;
  st.end_mono_us = e.last_ns / 1000;
  st.text.source = query->sourceText;
  if (query->plannedstmt != nullptr) {
    st.text.location = query->plannedstmt->stmt_location;
    st.text.length = query->plannedstmt->stmt_len;
  }
  record(st);
}

} // namespace
} // namespace pgo::latency

using namespace pgo::latency;

// The hooks hold no C++ object with a destructor: an ERROR from the hooks they chain to unwinds through them.
extern "C" {

static void pgo_executor_start(QueryDesc *queryDesc, int eflags) {
  if (prev_executor_start)
    prev_executor_start(queryDesc, eflags);
  else
    standard_ExecutorStart(queryDesc, eflags);
  if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 && tracking(nesting_level))
    begin_execution(queryDesc);
}

// The chained calls, with the nesting level raised while they run (and restored on an ERROR).
static void chain_executor_run(PGO_EXECUTOR_RUN_PARAMS) {
  nesting_level++;
  PG_TRY();
  {
    if (prev_executor_run)
      prev_executor_run(PGO_EXECUTOR_RUN_ARGS);
    else
      standard_ExecutorRun(PGO_EXECUTOR_RUN_ARGS);
  }
  PG_FINALLY();
  { nesting_level--; }
  PG_END_TRY();
}

static void chain_executor_finish(QueryDesc *queryDesc) {
  nesting_level++;
  PG_TRY();
  {
    if (prev_executor_finish)
      prev_executor_finish(queryDesc);
    else
      standard_ExecutorFinish(queryDesc);
  }
  PG_FINALLY();
  { nesting_level--; }
  PG_END_TRY();
}

static void chain_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
                                  ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv,
                                  DestReceiver *dest, QueryCompletion *qc) {
  nesting_level++;
  PG_TRY();
  {
    if (prev_process_utility)
      prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
    else
      standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
  }
  PG_FINALLY();
  { nesting_level--; }
  PG_END_TRY();
}

static void pgo_executor_run(PGO_EXECUTOR_RUN_PARAMS) {
  const bool timed = find_open(queryDesc) >= 0;
  const std::uint64_t start = timed ? monotonic_ns() : 0;
  chain_executor_run(PGO_EXECUTOR_RUN_ARGS);
  if (timed)
    add_busy_time(queryDesc, start, monotonic_ns());
}

static void pgo_executor_finish(QueryDesc *queryDesc) {
  const bool timed = find_open(queryDesc) >= 0;
  const std::uint64_t start = timed ? monotonic_ns() : 0;
  chain_executor_finish(queryDesc);
  if (timed)
    add_busy_time(queryDesc, start, monotonic_ns());
}

static void pgo_executor_end(QueryDesc *queryDesc) {
  end_execution(queryDesc);
  if (prev_executor_end)
    prev_executor_end(queryDesc);
  else
    standard_ExecutorEnd(queryDesc);
}

static void pgo_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
                                ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv,
                                DestReceiver *dest, QueryCompletion *qc) {
  Node *parsetree = pstmt->utilityStmt;
  // EXECUTE runs its prepared statement through the executor, which times it; PREPARE and DEALLOCATE are bookkeeping.
  if (IsA(parsetree, ExecuteStmt) || IsA(parsetree, PrepareStmt) || IsA(parsetree, DeallocateStmt)) {
    if (prev_process_utility)
      prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
    else
      standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
    return;
  }
  // A dropped database's per-database accumulator is freed for others (DROP DATABASE runs outside any transaction
  // block: once it returns, the database is gone).
  const Oid dropped = IsA(parsetree, DropdbStmt) && shared_memory_ready()
                          ? get_database_oid(castNode(DropdbStmt, parsetree)->dbname, true)
                          : InvalidOid;
  const bool timed = tracking(nesting_level);
  // the statement may be freed by the time it returns (COMMIT of a transaction block, say): keep what we need
  Statement st;
  st.query_id = pstmt->queryId;
  st.text.source = queryString;
  st.text.location = pstmt->stmt_location;
  st.text.length = pstmt->stmt_len;
  const std::uint64_t start = timed ? monotonic_ns() : 0;
  chain_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
  if (OidIsValid(dropped))
    forget_database(dropped);
  if (timed) {
    const std::uint64_t end = monotonic_ns();
    st.duration_ns = end - start;
    st.end_mono_us = end / 1000;
    record(st);
  }
}

// Executions cut short by an ERROR never reach ExecutorEnd: forget them when their transaction aborts, or their
// subtransaction (ROLLBACK TO SAVEPOINT, a PL/pgSQL EXCEPTION block, psql's ON_ERROR_ROLLBACK, JDBC's autosave):
// otherwise kMaxOpen of them would fill the array and nothing more of the session would be timed.
static void pgo_latency_xact_callback(XactEvent event, void *) {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
    open_count = 0;
}

static void pgo_latency_subxact_callback(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
  // Called while the aborting subtransaction is still the current one: its level is the current nesting level.
  if (event == SUBXACT_EVENT_ABORT_SUB)
    forget_executions_from(GetCurrentTransactionNestLevel());
}

} // extern "C"

namespace pgo::latency {

void initialize() {
  settings::define();
  if (!process_shared_preload_libraries_in_progress)
    return;
  pg::guard([] {
    EnableQueryId();
    RegisterXactCallback(pgo_latency_xact_callback, nullptr);
    RegisterSubXactCallback(pgo_latency_subxact_callback, nullptr);
  });
  install_shared_memory();
  prev_executor_start = ExecutorStart_hook;
  ExecutorStart_hook = pgo_executor_start;
  prev_executor_run = ExecutorRun_hook;
  ExecutorRun_hook = pgo_executor_run;
  prev_executor_finish = ExecutorFinish_hook;
  ExecutorFinish_hook = pgo_executor_finish;
  prev_executor_end = ExecutorEnd_hook;
  ExecutorEnd_hook = pgo_executor_end;
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = pgo_process_utility;
}

} // namespace pgo::latency
