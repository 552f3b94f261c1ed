// Planning a statement, and nothing more: parse, analyse and rewrite it as PostgreSQL would, check what the caller
// may read, and plan it with a given set of hypothetical indexes. Nothing here executes a statement: the plan text
// comes from EXPLAIN's own printer over an executor state started with EXEC_FLAG_EXPLAIN_ONLY.
#pragma once

#include <string>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "nodes/parsenodes.h"
}

namespace pgo::advisor {

struct ParsedStatement {
  Query *query = nullptr; // analysed and rewritten; copied before each planning (the planner scribbles on it)
  int num_params = 0;     // $n parameters: the plans are generic
};

// One SELECT, INSERT, UPDATE or DELETE; anything else (several statements, utility statements, SELECT INTO, rules
// turning it into something else) raises an ERROR with a SQLSTATE and a hint. PostgreSQL's own errors (syntax,
// unknown tables, parameters of undeterminable type) come through as they are.
ParsedStatement parse_statement(const std::string &sql);

// The first table (or view) the statement reads that the caller has no SELECT privilege on, InvalidOid if none.
Oid unreadable_table(const ParsedStatement &statement);
// The first function or operator the statement calls that lives outside pg_catalog, "" if none. Planning folds
// constant calls of immutable functions, so planning another role's statement could run such a function with the
// caller's rights: the workload advisor leaves those statements alone.
std::string non_catalog_function(const ParsedStatement &statement);

struct PlanOutcome {
  double cost = 0;
  double rows = 0;  // the plan's estimated result rows
  std::string text; // EXPLAIN's text, when asked for
};
// Plans the statement with the hypothetical indexes in `indexes` (a List of HypoIndex *, or NIL), and without the
// existing indexes in `hidden` (an OID List, or NIL).
PlanOutcome plan_statement(const ParsedStatement &statement, const std::string &sql, List *indexes, bool with_text,
                           List *hidden = NIL);

// The tables (and materialized views) the statement reads or writes, subqueries and views' tables included.
std::vector<Oid> referenced_tables(const ParsedStatement &statement);

} // namespace pgo::advisor
