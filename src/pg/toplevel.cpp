#include "pg/toplevel.hpp"

#include "pg/compat.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
}

namespace pgo::pg {
namespace {

// The body, with plain data only: guard() around it turns an ERROR into pgo::Error.
// Parse trees and plans live in `context`, not in a transaction's memory: VACUUM commits and starts transactions of
// its own while it runs, as exec_simple_query() in PostgreSQL keeps them in its MessageContext for the same reason.
void run_statement(const char *sql, MemoryContext context) {
  SetCurrentStatementStartTimestamp();
  pgstat_report_activity(STATE_RUNNING, sql);
  StartTransactionCommand();
  // statement_timeout is armed by the main loop of a client backend; here it is ours to arm.
  if (StatementTimeout > 0)
    enable_timeout_after(STATEMENT_TIMEOUT, StatementTimeout);
  MemoryContextSwitchTo(context);
  List *parsetrees = pg_parse_query(sql);
  ListCell *cell;
  foreach (cell, parsetrees) {
    auto *parsetree = lfirst_node(RawStmt, cell);
    const bool snapshot = analyze_requires_snapshot(parsetree);
    if (snapshot)
      PushActiveSnapshot(GetTransactionSnapshot());
    List *queries = pg_analyze_and_rewrite_fixedparams(parsetree, sql, nullptr, 0, nullptr);
    List *plans = pg_plan_queries(queries, sql, CURSOR_OPT_PARALLEL_OK, nullptr);
    if (snapshot)
      PopActiveSnapshot();
    CommandTag tag = CreateCommandTag(parsetree->stmt);
    Portal portal = CreatePortal("", true, true);
    portal->visible = false;
    PortalDefineQuery(portal, nullptr, sql, tag, plans, nullptr);
    PortalStart(portal, nullptr, 0, InvalidSnapshot);
    DestReceiver *receiver = CreateDestReceiver(DestNone);
    QueryCompletion qc;
    InitializeQueryCompletion(&qc);
    compat::portal_run(portal, receiver, &qc);
    receiver->rDestroy(receiver);
    PortalDrop(portal, false);
    // Between statements of one string, as the simple query protocol does.
    if (lnext(parsetrees, cell) != nullptr)
      CommandCounterIncrement();
    MemoryContextSwitchTo(context);
  }
  CommitTransactionCommand();
  disable_timeout(STATEMENT_TIMEOUT, false);
  pgstat_report_activity(STATE_IDLE, nullptr);
}

} // namespace

void run_toplevel_statement(const std::string &sql) {
  const char *text = sql.c_str();
  MemoryContext context =
      guard([] { return AllocSetContextCreate(TopMemoryContext, "pg_optimize statement", ALLOCSET_DEFAULT_SIZES); });
  try {
    guard([&] { run_statement(text, context); });
  } catch (...) {
    recover_from_error();
    MemoryContextSwitchTo(TopMemoryContext);
    MemoryContextDelete(context);
    throw;
  }
  MemoryContextSwitchTo(TopMemoryContext);
  MemoryContextDelete(context);
}

void recover_from_error() noexcept {
  // Mirrors the recovery in PostgreSQL's main loop: no timeout or cancel may leak into the next statement.
  HOLD_INTERRUPTS();
  disable_all_timeouts(false);
  QueryCancelPending = false;
  AbortOutOfAnyTransaction();
  pgstat_report_activity(STATE_IDLE, nullptr);
  RESUME_INTERRUPTS();
}

} // namespace pgo::pg
