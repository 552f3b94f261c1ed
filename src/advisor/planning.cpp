#include "advisor/planning.hpp"

#include "advisor/hypothetical.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "commands/explain.h"
// PostgreSQL 18 moved ExplainState and the output functions out of explain.h.
#if __has_include("commands/explain_format.h")
#include "commands/explain_format.h"
#include "commands/explain_state.h"
#endif
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/snapmgr.h"
}

namespace pgo::advisor {
namespace {

const char *statement_kind(Node *stmt) {
  switch (nodeTag(stmt)) {
  case T_SelectStmt:
    return castNode(SelectStmt, stmt)->intoClause != nullptr ? nullptr : "SELECT";
  case T_InsertStmt:
    return "INSERT";
  case T_UpdateStmt:
    return "UPDATE";
  case T_DeleteStmt:
    return "DELETE";
  default:
    return nullptr;
  }
}

ParsedStatement parse_in_pg(const char *sql) {
  List *raw = raw_parser(sql, RAW_PARSE_DEFAULT);
  if (list_length(raw) != 1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("the query must be exactly one statement, not %d", list_length(raw)),
                    errhint("Pass one SELECT, INSERT, UPDATE or DELETE statement.")));
  RawStmt *stmt = linitial_node(RawStmt, raw);
  if (statement_kind(stmt->stmt) == nullptr)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("only SELECT, INSERT, UPDATE and DELETE statements can be planned, not %s",
                           CreateCommandName(stmt->stmt)),
                    errhint("The statement is planned only, never executed: pass the query itself.")));
  Oid *types = nullptr;
  int num_params = 0;
  List *queries = pg_analyze_and_rewrite_varparams(stmt, sql, &types, &num_params, nullptr);
  if (list_length(queries) != 1 || linitial_node(Query, queries)->commandType == CMD_UTILITY)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("the statement is rewritten by rules into %d statements", list_length(queries)),
                    errhint("Plan the statements the rules produce one by one.")));
  return ParsedStatement{linitial_node(Query, queries), num_params};
}

// Walks a query and every query inside it (subqueries, CTEs, sublinks), range table entries included.
struct RelationCheck {
  Oid denied = InvalidOid;
  Oid foreign_function = InvalidOid;
  List *relations = NIL; // every RTE_RELATION's OID, once
};

bool outside_catalog(Oid function, void *) { return get_func_namespace(function) != PG_CATALOG_NAMESPACE; }

bool check_walker(Node *node, RelationCheck *check) {
  if (node == nullptr)
    return false;
  if (IsA(node, RangeTblEntry)) {
    RangeTblEntry *rte = reinterpret_cast<RangeTblEntry *>(node);
    if (rte->rtekind == RTE_RELATION && !OidIsValid(check->denied) &&
        pg_class_aclcheck(rte->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
      check->denied = rte->relid;
    if (rte->rtekind == RTE_RELATION)
      check->relations = list_append_unique_oid(check->relations, rte->relid);
    return false;
  }
  if (IsA(node, Query))
    return query_tree_walker(reinterpret_cast<Query *>(node), PGO_WALKER(check_walker), check, QTW_EXAMINE_RTES_BEFORE);
  if (!OidIsValid(check->foreign_function)) {
    // The checker remembers which function it found.
    struct Finder {
      static bool found(Oid function, void *context) {
        if (!outside_catalog(function, nullptr))
          return false;
        *static_cast<Oid *>(context) = function;
        return true;
      }
    };
    check_functions_in_node(node, Finder::found, &check->foreign_function);
  }
  return expression_tree_walker(node, PGO_WALKER(check_walker), check);
}

RelationCheck check_query(Query *query) {
  RelationCheck check;
  query_tree_walker(query, PGO_WALKER(check_walker), &check, QTW_EXAMINE_RTES_BEFORE);
  return check;
}

// The plan's text, from EXPLAIN's printer; the executor is started for EXPLAIN only (ExecInitIndexScan and its
// siblings stop before opening an index in that mode, which is what lets a plan name a hypothetical one).
char *explain_text(PlannedStmt *plan, const char *sql) {
  ExplainState *es = NewExplainState();
  es->costs = true;
  es->format = EXPLAIN_FORMAT_TEXT;
  PushActiveSnapshot(GetTransactionSnapshot());
  QueryDesc *desc =
      CreateQueryDesc(plan, sql, GetActiveSnapshot(), InvalidSnapshot, None_Receiver, nullptr, nullptr, 0);
  ExecutorStart(desc, EXEC_FLAG_EXPLAIN_ONLY);
  ExplainBeginOutput(es);
  ExplainPrintPlan(es, desc);
  ExplainEndOutput(es);
  ExecutorEnd(desc);
  FreeQueryDesc(desc);
  PopActiveSnapshot();
  // No trailing newline.
  if (es->str->len > 0 && es->str->data[es->str->len - 1] == '\n')
    es->str->data[--es->str->len] = '\0';
  return es->str->data;
}

struct PlanInPg {
  double cost;
  double rows;
  char *text;
};

PlanInPg plan_in_pg(Query *query, const char *sql, bool with_text) {
  Query *copy = static_cast<Query *>(copyObjectImpl(query));
  PlannedStmt *plan = pg_plan_query(copy, sql, CURSOR_OPT_PARALLEL_OK, nullptr);
  return PlanInPg{plan->planTree->total_cost, plan->planTree->plan_rows, with_text ? explain_text(plan, sql) : nullptr};
}

} // namespace

ParsedStatement parse_statement(const std::string &sql) {
  return pg::guard([&] { return parse_in_pg(sql.c_str()); });
}

Oid unreadable_table(const ParsedStatement &statement) {
  return pg::guard([&] { return check_query(statement.query).denied; });
}

std::string non_catalog_function(const ParsedStatement &statement) {
  const char *name = pg::guard([&]() -> const char * {
    const Oid function = check_query(statement.query).foreign_function;
    return OidIsValid(function) ? format_procedure(function) : nullptr;
  });
  return name != nullptr ? name : "";
}

std::vector<Oid> referenced_tables(const ParsedStatement &statement) {
  List *relations = pg::guard([&] { return check_query(statement.query).relations; });
  std::vector<Oid> out;
  ListCell *lc;
  foreach (lc, relations)
    out.push_back(lfirst_oid(lc));
  return out;
}

PlanOutcome plan_statement(const ParsedStatement &statement, const std::string &sql, List *indexes, bool with_text,
                           List *hidden) {
  ActiveHypothetical active(indexes, hidden);
  const PlanInPg plan = pg::guard([&] { return plan_in_pg(statement.query, sql.c_str(), with_text); });
  PlanOutcome out;
  out.cost = plan.cost;
  out.rows = plan.rows;
  if (plan.text != nullptr)
    out.text = plan.text;
  return out;
}

} // namespace pgo::advisor
