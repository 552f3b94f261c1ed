#include "advisor/candidates.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

namespace pgo::advisor {
namespace {

// A column with at most this many distinct values, compared with a constant, is taken for a fixed filter (a status,
// a type) rather than a value that changes from call to call (a user id).
constexpr double kFixedMaxDistinct = 20;

struct UseC {
  Oid relid;
  int kind; // UseKind
  char *key;
  bool expression;
  bool descending;
  double distinct;
  char *predicate;
};

struct Collector {
  Query *query;
  List *uses;
};

// The plain table behind range table entry `varno` of the query, InvalidOid for anything else.
Oid table_of(Query *query, Index varno) {
  if (varno < 1 || varno > static_cast<Index>(list_length(query->rtable)))
    return InvalidOid;
  RangeTblEntry *rte = rt_fetch(varno, query->rtable);
  if (rte->rtekind != RTE_RELATION)
    return InvalidOid;
  const char kind = get_rel_relkind(rte->relid);
  return kind == RELKIND_RELATION || kind == RELKIND_MATVIEW ? rte->relid : InvalidOid;
}

double distinct_values(Oid relid, AttrNumber attnum) {
  double distinct = 0;
  HeapTuple stat = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid), Int16GetDatum(attnum), BoolGetDatum(false));
  if (HeapTupleIsValid(stat)) {
    distinct = reinterpret_cast<Form_pg_statistic>(GETSTRUCT(stat))->stadistinct;
    ReleaseSysCache(stat);
  }
  if (distinct < 0) {
    HeapTuple rel = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (HeapTupleIsValid(rel)) {
      distinct = -distinct * std::max(0.0f, reinterpret_cast<Form_pg_class>(GETSTRUCT(rel))->reltuples);
      ReleaseSysCache(rel);
    }
  }
  return distinct;
}

// The varno of the only relation an expression's own-level Vars refer to; 0 when none, -1 when several.
struct VarnoSearch {
  int varno = 0;
};
bool varno_walker(Node *node, VarnoSearch *search) {
  if (node == nullptr)
    return false;
  if (IsA(node, Var)) {
    Var *var = castNode(Var, node);
    if (var->varlevelsup == 0) {
      if (search->varno == 0)
        search->varno = static_cast<int>(var->varno);
      else if (search->varno != static_cast<int>(var->varno))
        search->varno = -1;
    }
    return false;
  }
  return expression_tree_walker(node, PGO_WALKER(varno_walker), search);
}
int only_varno(Node *node) {
  VarnoSearch search;
  varno_walker(node, &search);
  return search.varno;
}

// Vars referring to range table entry `varno` become entry 1 of a one-table context, for deparsing.
char *deparse_for_table(Node *node, int varno, Oid relid) {
  Node *copy = static_cast<Node *>(copyObjectImpl(node));
  if (varno != 1)
    ChangeVarNodes(copy, varno, 1, 0);
  return deparse_expression(copy, deparse_context_for(get_rel_name(relid), relid), false, false);
}

// What can be indexed on one side of a comparison: a column, or an immutable expression over one table's columns.
struct IndexableSide {
  Oid relid = InvalidOid;
  int varno = 0;
  Node *node = nullptr; // the side as written (a RelabelType around a varchar column kept)
  Var *column = nullptr;
};

IndexableSide indexable(Query *query, Node *side) {
  IndexableSide out;
  Node *stripped = side;
  while (stripped != nullptr && IsA(stripped, RelabelType))
    stripped = reinterpret_cast<Node *>(castNode(RelabelType, stripped)->arg);
  if (stripped == nullptr)
    return out;
  if (IsA(stripped, Var)) {
    Var *var = castNode(Var, stripped);
    if (var->varlevelsup != 0 || var->varattno <= 0)
      return out;
    out.column = var;
    out.varno = static_cast<int>(var->varno);
  } else {
    const int varno = only_varno(stripped);
    if (varno <= 0 || contain_mutable_functions(stripped) || checkExprHasSubLink(stripped) ||
        contain_var_clause(stripped) == false)
      return out;
    out.varno = varno;
  }
  out.relid = table_of(query, static_cast<Index>(out.varno));
  out.node = out.column != nullptr ? reinterpret_cast<Node *>(out.column) : stripped;
  return out;
}

// The other side of a comparison is fixed for a scan of `varno`: no Var of it, nothing volatile, no sublink.
bool fixed_for(Node *other, int varno) {
  if (other == nullptr || contain_volatile_functions(other) || checkExprHasSubLink(other))
    return false;
  Bitmapset *varnos = pull_varnos(nullptr, other);
  return !bms_is_member(varno, varnos);
}

bool is_constant(Node *node) {
  node = strip_implicit_coercions(node);
  if (IsA(node, Const))
    return true;
  if (IsA(node, ArrayExpr)) {
    ListCell *lc;
    foreach (lc, castNode(ArrayExpr, node)->elements)
      if (!IsA(strip_implicit_coercions(static_cast<Node *>(lfirst(lc))), Const))
        return false;
    return true;
  }
  return false;
}

void add_use(Collector *c, const IndexableSide &side, UseKind kind, bool descending, char *predicate) {
  UseC *use = static_cast<UseC *>(palloc0(sizeof(UseC)));
  use->relid = side.relid;
  use->kind = static_cast<int>(kind);
  use->descending = descending;
  use->predicate = predicate;
  if (side.column != nullptr) {
    use->key = pstrdup(quote_identifier(get_attname(side.relid, side.column->varattno, false)));
    use->distinct = distinct_values(side.relid, side.column->varattno);
  } else {
    use->key = psprintf("(%s)", deparse_for_table(side.node, side.varno, side.relid));
    use->expression = true;
  }
  c->uses = lappend(c->uses, use);
}

Oid default_family(Oid type, Oid am) {
  const Oid opclass = GetDefaultOpClass(type, am);
  return OidIsValid(opclass) ? get_opclass_family(opclass) : InvalidOid;
}

void comparison(Collector *c, Node *clause, Oid opno, Node *key_side, Node *other, bool array) {
  const IndexableSide side = indexable(c->query, key_side);
  if (!OidIsValid(side.relid) || !fixed_for(other, side.varno))
    return;
  const Oid type = exprType(side.node);
  const Oid btree = default_family(type, BTREE_AM_OID);
  const int strategy = OidIsValid(btree) ? get_op_opfamily_strategy(opno, btree) : 0;
  if (strategy == BTEqualStrategyNumber) {
    add_use(c, side, UseKind::Equality, false, nullptr);
    if (side.column != nullptr && is_constant(other)) {
      const double distinct = distinct_values(side.relid, side.column->varattno);
      if (distinct > 0 && distinct <= kFixedMaxDistinct)
        add_use(c, side, UseKind::Fixed, false, deparse_for_table(clause, side.varno, side.relid));
    }
    return;
  }
  if (strategy != 0 && !array) {
    add_use(c, side, UseKind::Range, false, nullptr);
    return;
  }
  const Oid gin = array ? InvalidOid : default_family(type, GIN_AM_OID);
  if (OidIsValid(gin) && op_in_opfamily(opno, gin))
    add_use(c, side, UseKind::Gin, false, nullptr);
}

void clause_uses(Collector *c, Node *clause) {
  if (clause == nullptr)
    return;
  if (is_andclause(clause)) {
    ListCell *lc;
    foreach (lc, castNode(BoolExpr, clause)->args)
      clause_uses(c, static_cast<Node *>(lfirst(lc)));
    return;
  }
  // Fixed filters: a boolean column, its negation, IS [NOT] NULL, IS [NOT] TRUE/FALSE.
  Node *tested = nullptr;
  if (IsA(clause, Var) && exprType(clause) == BOOLOID)
    tested = clause;
  else if (is_notclause(clause) && IsA(linitial(castNode(BoolExpr, clause)->args), Var))
    tested = static_cast<Node *>(linitial(castNode(BoolExpr, clause)->args));
  else if (IsA(clause, NullTest) && IsA(castNode(NullTest, clause)->arg, Var))
    tested = reinterpret_cast<Node *>(castNode(NullTest, clause)->arg);
  else if (IsA(clause, BooleanTest) && IsA(castNode(BooleanTest, clause)->arg, Var))
    tested = reinterpret_cast<Node *>(castNode(BooleanTest, clause)->arg);
  if (tested != nullptr) {
    const IndexableSide side = indexable(c->query, tested);
    if (OidIsValid(side.relid))
      add_use(c, side, UseKind::Fixed, false, deparse_for_table(clause, side.varno, side.relid));
    return;
  }
  if (IsA(clause, OpExpr) && list_length(castNode(OpExpr, clause)->args) == 2) {
    OpExpr *op = castNode(OpExpr, clause);
    Node *left = static_cast<Node *>(linitial(op->args)), *right = static_cast<Node *>(lsecond(op->args));
    comparison(c, clause, op->opno, left, right, false);
    const Oid commutator = get_commutator(op->opno);
    if (OidIsValid(commutator))
      comparison(c, clause, commutator, right, left, false);
    return;
  }
  if (IsA(clause, ScalarArrayOpExpr)) {
    ScalarArrayOpExpr *op = castNode(ScalarArrayOpExpr, clause);
    if (op->useOr && list_length(op->args) == 2)
      comparison(c, clause, op->opno, static_cast<Node *>(linitial(op->args)), static_cast<Node *>(lsecond(op->args)),
                 true);
  }
}

void jointree_uses(Collector *c, Node *node) {
  if (node == nullptr)
    return;
  if (IsA(node, FromExpr)) {
    FromExpr *from = castNode(FromExpr, node);
    ListCell *lc;
    foreach (lc, from->fromlist)
      jointree_uses(c, static_cast<Node *>(lfirst(lc)));
    clause_uses(c, from->quals);
  } else if (IsA(node, JoinExpr)) {
    JoinExpr *join = castNode(JoinExpr, node);
    jointree_uses(c, join->larg);
    jointree_uses(c, join->rarg);
    clause_uses(c, join->quals);
  }
}

void order_uses(Collector *c) {
  ListCell *lc;
  foreach (lc, c->query->sortClause) {
    SortGroupClause *sort = lfirst_node(SortGroupClause, lc);
    TargetEntry *tle = get_sortgroupclause_tle(sort, c->query->targetList);
    const IndexableSide side = indexable(c->query, reinterpret_cast<Node *>(tle->expr));
    if (!OidIsValid(side.relid))
      continue;
    // The sort operator's strategy in the key type's btree family: "<" ascending, ">" descending.
    const Oid family = default_family(exprType(side.node), BTREE_AM_OID);
    const int strategy = OidIsValid(family) ? get_op_opfamily_strategy(sort->sortop, family) : 0;
    if (strategy != BTLessStrategyNumber && strategy != BTGreaterStrategyNumber)
      continue;
    add_use(c, side, UseKind::OrderBy, strategy == BTGreaterStrategyNumber, nullptr);
  }
}

void query_uses(Query *query, List **uses) {
  Collector c{query, *uses};
  if (query->commandType != CMD_INSERT)
    jointree_uses(&c, reinterpret_cast<Node *>(query->jointree));
  if (query->commandType == CMD_SELECT)
    order_uses(&c);
  *uses = c.uses;
  ListCell *lc;
  foreach (lc, query->rtable) {
    RangeTblEntry *rte = static_cast<RangeTblEntry *>(lfirst(lc));
    if (rte->rtekind == RTE_SUBQUERY && rte->subquery != nullptr)
      query_uses(rte->subquery, uses);
  }
  foreach (lc, query->cteList) {
    CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);
    if (IsA(cte->ctequery, Query))
      query_uses(castNode(Query, cte->ctequery), uses);
  }
}

} // namespace

std::vector<Use> statement_uses(const ParsedStatement &statement) {
  List *found = pg::guard([&] {
    List *uses = NIL;
    query_uses(statement.query, &uses);
    return uses;
  });
  std::vector<Use> out;
  ListCell *lc;
  foreach (lc, found) {
    const UseC *u = static_cast<const UseC *>(lfirst(lc));
    Use use;
    use.relid = u->relid;
    use.kind = static_cast<UseKind>(u->kind);
    use.key = u->key;
    use.expression = u->expression;
    use.descending = u->descending;
    use.distinct = u->distinct;
    if (u->predicate != nullptr)
      use.predicate = u->predicate;
    out.push_back(std::move(use));
  }
  return out;
}

} // namespace pgo::advisor
