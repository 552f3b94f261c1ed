#include "advisor/hypothetical.hpp"

#include <algorithm>
#include <cstring>

#include "core/gin_size.hpp"
#include "core/hypothetical_inputs.hpp"
#include "core/index_advice.hpp"
#include "pg/compat.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/amapi.h"
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_statistic.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "rewrite/rewriteManip.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

namespace pgo::advisor {
namespace {

get_relation_info_hook_type prev_get_relation_info = nullptr;
explain_get_index_name_hook_type prev_explain_get_index_name = nullptr;

// The indexes of the planning call under way (ActiveHypothetical), NIL outside pg_optimize's planning; and the
// existing indexes it hides (OIDs).
List *active_indexes = NIL;
List *hidden_indexes = NIL;

// Made-up OIDs from the top of the OID space, which a cluster reaches only after four billion objects.
constexpr Oid kFirstHypotheticalOid = 4200000000u;
Oid next_oid = kFirstHypotheticalOid;

// pg_optimize.hypothetical_index_inputs (a developer setting, see src/core/hypothetical_inputs.hpp): the parsed
// value, a block the GUC machinery owns (pg::compat::guc_extra_alloc); nullptr when the setting is empty.
struct GivenInputs {
  int count;
  core::IndexInputs entries[FLEXIBLE_ARRAY_MEMBER];
};
char *index_inputs_text = nullptr;
const GivenInputs *given_inputs = nullptr;

// The inputs given for the `position`-th (from 0) hypothetical index of a planning call, nullptr if none.
const core::IndexInputs *given_for(int position) {
  if (given_inputs == nullptr || position >= given_inputs->count || !given_inputs->entries[position].given)
    return nullptr;
  return &given_inputs->entries[position];
}

Oid make_up_oid() {
  if (next_oid < kFirstHypotheticalOid)
    next_oid = kFirstHypotheticalOid;
  return next_oid++;
}

const HypoIndex *find_active(Oid oid) {
  ListCell *lc;
  foreach (lc, active_indexes) {
    const HypoIndex *h = static_cast<const HypoIndex *>(lfirst(lc));
    if (h->oid == oid)
      return h;
  }
  return nullptr;
}

IndexStmt *parse_index_statement(const char *definition, int number) {
  List *parsed = raw_parser(definition, RAW_PARSE_DEFAULT);
  if (list_length(parsed) != 1 || !IsA(linitial_node(RawStmt, parsed)->stmt, IndexStmt))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("index definition %d is not a single CREATE INDEX statement", number),
                    errhint("Write each index as CREATE INDEX ON table (columns), one per array element.")));
  return castNode(IndexStmt, linitial_node(RawStmt, parsed)->stmt);
}

Oid checked_table(IndexStmt *stmt, int number) {
  const Oid relid = RangeVarGetRelid(stmt->relation, AccessShareLock, false);
  const char kind = get_rel_relkind(relid);
  if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW)
    ereport(ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("index definition %d: \"%s\" is not a table or materialized view", number, get_rel_name(relid)),
             errhint("Hypothetical indexes go on plain tables and materialized views (for a partitioned "
                     "table, name a partition).")));
  if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
    ereport(ERROR,
            (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
             errmsg("permission denied for table %s",
                    quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid))),
             errhint("Planning with a hypothetical index needs SELECT on its table.")));
  return relid;
}

double column_width(Oid relid, AttrNumber attnum, Oid type, int32 typmod) {
  const int32 width = get_attavgwidth(relid, attnum);
  return width > 0 ? width : get_typavgwidth(type, typmod);
}

// What a GIN operator family extracts from a value; `expression`: the key is an expression, not a column.
core::GinKeys gin_keys(Oid opfamily, bool expression) {
  HeapTuple tuple = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamily));
  if (!HeapTupleIsValid(tuple))
    return core::GinKeys::Other;
  const char *name = NameStr(reinterpret_cast<Form_pg_opfamily>(GETSTRUCT(tuple))->opfname);
  core::GinKeys keys = core::GinKeys::Other;
  if (strcmp(name, "jsonb_ops") == 0)
    keys = core::GinKeys::JsonbKeysAndValues;
  else if (strcmp(name, "jsonb_path_ops") == 0)
    keys = core::GinKeys::JsonbPaths;
  else if (strcmp(name, "tsvector_ops") == 0)
    keys = expression ? core::GinKeys::TextWords : core::GinKeys::TsVector;
  else if (strcmp(name, "array_ops") == 0)
    keys = core::GinKeys::ArrayElements;
  else if (strcmp(name, "gin_trgm_ops") == 0)
    keys = core::GinKeys::Trigrams;
  ReleaseSysCache(tuple);
  return keys;
}

// The average width of the columns an expression reads (a tsvector computed from text: the text's width).
double columns_width(Oid relid, Node *expr) {
  Bitmapset *attnos = nullptr;
  pull_varattnos(expr, 1, &attnos);
  double width = 0;
  for (int k = bms_next_member(attnos, -1); k >= 0; k = bms_next_member(attnos, k)) {
    const AttrNumber attnum = static_cast<AttrNumber>(k + FirstLowInvalidHeapAttributeNumber);
    if (attnum <= 0)
      continue;
    Oid type, collation;
    int32 typmod;
    get_atttypetypmodcoll(relid, attnum, &type, &typmod, &collation);
    width += column_width(relid, attnum, type, typmod);
  }
  return width;
}

// Distinct values of a column from its statistics (absolute), 0 if unknown.
double column_ndistinct(Oid relid, AttrNumber attnum) {
  double reltuples = -1;
  if (HeapTuple rel = SearchSysCache1(RELOID, ObjectIdGetDatum(relid)); HeapTupleIsValid(rel)) {
    reltuples = reinterpret_cast<Form_pg_class>(GETSTRUCT(rel))->reltuples;
    ReleaseSysCache(rel);
  }
  HeapTuple stats = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid), Int16GetDatum(attnum), BoolGetDatum(false));
  if (!HeapTupleIsValid(stats))
    return 0;
  const double stadistinct = reinterpret_cast<Form_pg_statistic>(GETSTRUCT(stats))->stadistinct;
  ReleaseSysCache(stats);
  if (stadistinct > 0)
    return stadistinct;
  return stadistinct < 0 && reltuples > 0 ? -stadistinct * reltuples : 0;
}

// Whether a btree with these keys deduplicates equal keys (as _bt_allequalimage decides): every key's operator class
// says that equal values are equal images, for its collation.
bool btree_deduplicates(const HypoIndex *h) {
  if (h->amoid != BTREE_AM_OID || h->unique || h->ncolumns != h->nkeycolumns)
    return false;
  for (int i = 0; i < h->nkeycolumns; i++) {
    const Oid proc = get_opfamily_proc(h->opfamilies[i], h->opcintypes[i], h->opcintypes[i], BTEQUALIMAGE_PROC);
    if (!OidIsValid(proc) ||
        !DatumGetBool(OidFunctionCall1Coll(proc, h->collations[i], ObjectIdGetDatum(h->opcintypes[i]))))
      return false;
  }
  return true;
}

// Distinct key values of a deduplicating btree, 0 if unknown or not deduplicating: the product of the columns'
// distinct counts (columns taken as independent), unknown when a key is an expression.
double distinct_keys(const HypoIndex *h) {
  if (!btree_deduplicates(h))
    return 0;
  double product = 1;
  for (int i = 0; i < h->nkeycolumns; i++) {
    const double n = h->keys[i] != 0 ? column_ndistinct(h->relid, static_cast<AttrNumber>(h->keys[i])) : 0;
    if (n <= 0)
      return 0;
    product *= n;
  }
  return product;
}

// Estimated size of the index holding `tuples` rows.
core::IndexSize estimated_size(const HypoIndex *h, double tuples) {
  if (h->amoid == GIN_AM_OID)
    return core::estimate_gin_index_size(tuples, h->gin_entries_per_row);
  const double rows_per_key = h->key_ndistinct > 0 && tuples > 0 ? tuples / std::min(h->key_ndistinct, tuples) : 1;
  return core::estimate_btree_size(tuples, h->key_width, 90, BLCKSZ, rows_per_key);
}

// IndexOptInfo.indextlist: one entry per index column, a Var for a column, the expression otherwise.
List *index_tlist(const HypoIndex *h, Index varno, List *expressions) {
  List *tlist = NIL;
  ListCell *next_expr = list_head(expressions);
  for (int i = 0; i < h->ncolumns; i++) {
    Expr *expr;
    if (h->keys[i] != 0) {
      Oid type, collation;
      int32 typmod;
      get_atttypetypmodcoll(h->relid, static_cast<AttrNumber>(h->keys[i]), &type, &typmod, &collation);
      expr = reinterpret_cast<Expr *>(makeVar(varno, static_cast<AttrNumber>(h->keys[i]), type, typmod, collation, 0));
    } else {
      expr = static_cast<Expr *>(lfirst(next_expr));
      next_expr = lnext(expressions, next_expr);
    }
    tlist = lappend(tlist, makeTargetEntry(expr, static_cast<AttrNumber>(i + 1), nullptr, false));
  }
  return tlist;
}

IndexOptInfo *index_info(PlannerInfo *root, RelOptInfo *rel, const HypoIndex *h, int position) {
  const IndexAmRoutine *am = GetIndexAmRoutineByAmId(h->amoid, false);
  IndexOptInfo *info = makeNode(IndexOptInfo);
  info->indexoid = h->oid;
  info->reltablespace = rel->reltablespace;
  info->rel = rel;
  info->ncolumns = h->ncolumns;
  info->nkeycolumns = h->nkeycolumns;
  info->indexkeys = static_cast<int *>(palloc(sizeof(int) * h->ncolumns));
  std::copy(h->keys, h->keys + h->ncolumns, info->indexkeys);
  const int nkeys = h->nkeycolumns;
  info->indexcollations = static_cast<Oid *>(palloc(sizeof(Oid) * nkeys));
  info->opfamily = static_cast<Oid *>(palloc(sizeof(Oid) * nkeys));
  info->opcintype = static_cast<Oid *>(palloc(sizeof(Oid) * nkeys));
  std::copy(h->collations, h->collations + nkeys, info->indexcollations);
  std::copy(h->opfamilies, h->opfamilies + nkeys, info->opfamily);
  std::copy(h->opcintypes, h->opcintypes + nkeys, info->opcintype);
  if (am->amcanorder) {
    info->sortopfamily = info->opfamily;
    info->reverse_sort = static_cast<bool *>(palloc(sizeof(bool) * nkeys));
    info->nulls_first = static_cast<bool *>(palloc(sizeof(bool) * nkeys));
    std::copy(h->descending, h->descending + nkeys, info->reverse_sort);
    std::copy(h->nulls_first, h->nulls_first + nkeys, info->nulls_first);
  }
  info->opclassoptions = static_cast<bytea **>(palloc0(sizeof(bytea *) * h->ncolumns));
  info->canreturn = static_cast<bool *>(palloc(sizeof(bool) * h->ncolumns));
  for (int i = 0; i < h->ncolumns; i++)
    info->canreturn[i] = h->amoid == BTREE_AM_OID; // btree returns every column; the others are left out
  info->relam = h->amoid;

  // The definition's expressions and predicate name the table as range table entry 1; here it is rel->relid.
  List *expressions = static_cast<List *>(copyObjectImpl(h->expressions));
  List *predicate = static_cast<List *>(copyObjectImpl(h->predicate));
  if (rel->relid != 1) {
    ChangeVarNodes(reinterpret_cast<Node *>(expressions), 1, static_cast<int>(rel->relid), 0);
    ChangeVarNodes(reinterpret_cast<Node *>(predicate), 1, static_cast<int>(rel->relid), 0);
  }
  info->indexprs = expressions;
  info->indpred = predicate;
  info->indextlist = index_tlist(h, rel->relid, expressions);
  info->indrestrictinfo = NIL; // set by the planner (check_index_predicates)
  info->predOK = false;
  info->unique = h->unique;
  info->immediate = true;
  info->hypothetical = true;

  info->amcanorderbyop = am->amcanorderbyop;
  info->amoptionalkey = am->amoptionalkey;
  info->amsearcharray = am->amsearcharray;
  info->amsearchnulls = am->amsearchnulls;
  info->amhasgettuple = am->amgettuple != nullptr;
  info->amhasgetbitmap = am->amgetbitmap != nullptr;
  info->amcanparallel = am->amcanparallel;
  info->amcanmarkpos = am->ammarkpos != nullptr && am->amrestrpos != nullptr;
  info->amcostestimate = reinterpret_cast<decltype(info->amcostestimate)>(am->amcostestimate);

  // Size: the share of rows a partial index holds is the planner's selectivity of its predicate.
  // The planner files the relation in simple_rel_array only after this hook: file it for the estimate, which looks
  // it up, and put the slot back as it was.
  double share = 1.0;
  if (predicate != NIL) {
    RelOptInfo *saved = root->simple_rel_array[rel->relid];
    root->simple_rel_array[rel->relid] = rel;
    share = clauselist_selectivity(root, predicate, rel->relid, JOIN_INNER, nullptr);
    root->simple_rel_array[rel->relid] = saved;
  }
  info->tuples = std::max(rel->tuples * share, 0.0);
  const core::IndexSize size = estimated_size(h, info->tuples);
  info->pages = static_cast<BlockNumber>(size.pages);
  info->tree_height = h->amoid == BTREE_AM_OID ? size.tree_height : -1;
  if (const core::IndexInputs *given = given_for(position)) {
    info->pages = static_cast<BlockNumber>(given->pages);
    info->tree_height = given->tree_height;
    if (given->tuples >= 0)
      info->tuples = given->tuples;
  }
  return info;
}

} // namespace

double hypothetical_pages(const HypoIndex *index, double table_tuples, double share) {
  return estimated_size(index, std::max(table_tuples * share, 0.0)).pages;
}

HypoIndex *hypothetical_index(const char *definition, int number) {
  IndexStmt *stmt = parse_index_statement(definition, number);
  const Oid relid = checked_table(stmt, number);
  const char *am_name = stmt->accessMethod != nullptr ? stmt->accessMethod : DEFAULT_INDEX_TYPE;
  const Oid amoid = get_am_oid(am_name, false);
  if (amoid != BTREE_AM_OID && amoid != GIN_AM_OID && amoid != GIST_AM_OID && amoid != HASH_AM_OID)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("index definition %d: access method \"%s\" is not supported for hypothetical indexes",
                           number, am_name),
                    errhint("Use btree, hash, gin or gist.")));
  stmt = transformIndexStmt(relid, stmt, definition);

  HypoIndex *h = static_cast<HypoIndex *>(palloc0(sizeof(HypoIndex)));
  h->oid = make_up_oid();
  h->relid = relid;
  h->amoid = amoid;
  h->name = stmt->idxname != nullptr ? pstrdup(stmt->idxname) : psprintf("<hypothetical index %d>", number);
  h->nkeycolumns = list_length(stmt->indexParams);
  h->ncolumns = h->nkeycolumns + list_length(stmt->indexIncludingParams);
  if (h->nkeycolumns > INDEX_MAX_KEYS || h->ncolumns > INDEX_MAX_KEYS)
    ereport(ERROR, (errcode(ERRCODE_TOO_MANY_COLUMNS),
                    errmsg("index definition %d has more than %d columns", number, INDEX_MAX_KEYS)));
  h->keys = static_cast<int *>(palloc0(sizeof(int) * h->ncolumns));
  h->collations = static_cast<Oid *>(palloc0(sizeof(Oid) * h->ncolumns));
  h->opfamilies = static_cast<Oid *>(palloc0(sizeof(Oid) * h->ncolumns));
  h->opcintypes = static_cast<Oid *>(palloc0(sizeof(Oid) * h->ncolumns));
  h->descending = static_cast<bool *>(palloc0(sizeof(bool) * h->ncolumns));
  h->nulls_first = static_cast<bool *>(palloc0(sizeof(bool) * h->ncolumns));
  h->unique = stmt->unique;

  List *elements = list_concat_copy(stmt->indexParams, stmt->indexIncludingParams);
  int i = 0;
  ListCell *lc;
  foreach (lc, elements) {
    IndexElem *elem = lfirst_node(IndexElem, lc);
    const bool key = i < h->nkeycolumns;
    Oid type, collation;
    int32 typmod;
    Node *expr = elem->expr;
    if (expr != nullptr && IsA(expr, Var) && castNode(Var, expr)->varattno > 0) {
      h->keys[i] = castNode(Var, expr)->varattno; // "(col)" is the column itself, as CREATE INDEX takes it
      expr = nullptr;
    } else if (expr == nullptr) {
      const AttrNumber attnum = get_attnum(relid, elem->name);
      if (attnum == InvalidAttrNumber)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("index definition %d: column \"%s\" does not exist", number, elem->name)));
      if (attnum < 0)
        ereport(ERROR,
                (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                 errmsg("index definition %d: indexes on system column \"%s\" are not supported", number, elem->name)));
      h->keys[i] = attnum;
    }
    if (expr == nullptr) {
      get_atttypetypmodcoll(relid, static_cast<AttrNumber>(h->keys[i]), &type, &typmod, &collation);
      if (key)
        h->key_width += column_width(relid, static_cast<AttrNumber>(h->keys[i]), type, typmod);
    } else {
      if (contain_mutable_functions(reinterpret_cast<Node *>(expression_planner(reinterpret_cast<Expr *>(expr)))))
        ereport(ERROR, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                        errmsg("index definition %d: functions in index expression must be marked IMMUTABLE", number)));
      h->keys[i] = 0;
      type = exprType(expr);
      typmod = exprTypmod(expr);
      collation = exprCollation(expr);
      h->expressions = lappend(h->expressions, eval_const_expressions(nullptr, expr));
      if (key)
        h->key_width += get_typavgwidth(type, typmod);
    }
    if (key) {
      if (elem->collation != NIL)
        collation = get_collation_oid(elem->collation, false);
      const Oid opclass = ResolveOpClass(elem->opclass, type, am_name, amoid);
      h->collations[i] = collation;
      h->opfamilies[i] = get_opclass_family(opclass);
      h->opcintypes[i] = get_opclass_input_type(opclass);
      if (amoid == GIN_AM_OID) {
        const core::GinKeys keys = gin_keys(h->opfamilies[i], expr != nullptr);
        const double width = keys == core::GinKeys::TextWords ? columns_width(relid, expr)
                             : expr != nullptr                ? get_typavgwidth(type, typmod)
                                               : column_width(relid, static_cast<AttrNumber>(h->keys[i]), type, typmod);
        h->gin_entries_per_row += core::gin_entries_per_row(keys, width);
      }
      h->descending[i] = elem->ordering == SORTBY_DESC;
      h->nulls_first[i] =
          elem->nulls_ordering == SORTBY_NULLS_DEFAULT ? h->descending[i] : elem->nulls_ordering == SORTBY_NULLS_FIRST;
    }
    i++;
  }
  if (stmt->whereClause != nullptr) {
    Node *where = stmt->whereClause;
    if (contain_mutable_functions(reinterpret_cast<Node *>(expression_planner(reinterpret_cast<Expr *>(where)))))
      ereport(ERROR, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                      errmsg("index definition %d: functions in index predicate must be marked IMMUTABLE", number)));
    where = eval_const_expressions(nullptr, where);
    where = reinterpret_cast<Node *>(canonicalize_qual(reinterpret_cast<Expr *>(where), false));
    h->predicate = make_ands_implicit(reinterpret_cast<Expr *>(where));
  }
  h->key_ndistinct = distinct_keys(h);
  return h;
}

namespace {

struct ShapeC {
  Oid index;
  const char *am;
  int nkeys;
  char **keys;
  const char *predicate;
};

ShapeC shape_in_pg(Oid relid, Oid amoid, int nkeys, const int *attnums, const bool *descending, List *expressions,
                   List *predicate) {
  ShapeC shape{InvalidOid, get_am_name(amoid), nkeys,
               static_cast<char **>(palloc0(sizeof(char *) * (nkeys > 0 ? nkeys : 1))), ""};
  List *context = deparse_context_for(get_rel_name(relid), relid);
  ListCell *next_expr = list_head(expressions);
  for (int i = 0; i < nkeys; i++) {
    const char *key;
    if (attnums[i] != 0) {
      key = quote_identifier(get_attname(relid, static_cast<AttrNumber>(attnums[i]), false));
    } else {
      key = psprintf("(%s)", deparse_expression(static_cast<Node *>(lfirst(next_expr)), context, false, false));
      next_expr = lnext(expressions, next_expr);
    }
    shape.keys[i] = descending[i] ? psprintf("%s DESC", key) : pstrdup(key);
  }
  if (predicate != NIL)
    shape.predicate =
        deparse_expression(reinterpret_cast<Node *>(make_ands_explicit(predicate)), context, false, false);
  return shape;
}

core::IndexKeyShape to_shape(const ShapeC &c) {
  core::IndexKeyShape shape;
  shape.access_method = c.am;
  for (int i = 0; i < c.nkeys; i++)
    shape.keys.emplace_back(c.keys[i]);
  shape.predicate = c.predicate;
  return shape;
}

} // namespace

core::IndexKeyShape shape_of(const HypoIndex *h) {
  return to_shape(pg::guard([&] {
    return shape_in_pg(h->relid, h->amoid, h->nkeycolumns, h->keys, h->descending, h->expressions, h->predicate);
  }));
}

std::vector<std::pair<Oid, core::IndexKeyShape>> existing_indexes(Oid relid) {
  List *found = pg::guard([&] {
    List *shapes = NIL;
    Relation table = table_open(relid, AccessShareLock);
    List *indexes = RelationGetIndexList(table);
    ListCell *lc;
    foreach (lc, indexes) {
      Relation index = index_open(lfirst_oid(lc), AccessShareLock);
      Form_pg_index form = index->rd_index;
      if (form->indisvalid) {
        const int nkeys = form->indnkeyatts;
        int *attnums = static_cast<int *>(palloc0(sizeof(int) * (nkeys > 0 ? nkeys : 1)));
        bool *descending = static_cast<bool *>(palloc0(sizeof(bool) * (nkeys > 0 ? nkeys : 1)));
        for (int i = 0; i < nkeys; i++) {
          attnums[i] = form->indkey.values[i];
          descending[i] = index->rd_indoption != nullptr && (index->rd_indoption[i] & INDOPTION_DESC) != 0;
        }
        ShapeC *shape = static_cast<ShapeC *>(palloc(sizeof(ShapeC)));
        *shape = shape_in_pg(relid, index->rd_rel->relam, nkeys, attnums, descending,
                             RelationGetIndexExpressions(index), RelationGetIndexPredicate(index));
        shape->index = RelationGetRelid(index);
        shapes = lappend(shapes, shape);
      }
      index_close(index, AccessShareLock);
    }
    table_close(table, AccessShareLock);
    return shapes;
  });
  std::vector<std::pair<Oid, core::IndexKeyShape>> out;
  ListCell *lc;
  foreach (lc, found) {
    const ShapeC *shape = static_cast<const ShapeC *>(lfirst(lc));
    out.emplace_back(shape->index, to_shape(*shape));
  }
  return out;
}

std::vector<core::IndexKeyShape> existing_shapes(Oid relid) {
  std::vector<core::IndexKeyShape> out;
  for (auto &[index, shape] : existing_indexes(relid))
    out.push_back(std::move(shape));
  return out;
}

Oid existing_index_like(const HypoIndex *index) {
  const core::IndexKeyShape wanted = shape_of(index);
  for (const auto &[oid, shape] : existing_indexes(index->relid))
    if (shape.keys.size() == wanted.keys.size() && core::covered_by(wanted, shape))
      return oid;
  return InvalidOid;
}

ActiveHypothetical::ActiveHypothetical(List *indexes, List *hidden) {
  active_indexes = indexes;
  hidden_indexes = hidden;
}
ActiveHypothetical::~ActiveHypothetical() {
  active_indexes = NIL;
  hidden_indexes = NIL;
}

} // namespace pgo::advisor

using namespace pgo::advisor;

// The hooks: plain PostgreSQL code, no C++ object alive while they run.
extern "C" {

static void pgo_get_relation_info(PlannerInfo *root, Oid relationObjectId, bool inhparent, RelOptInfo *rel) {
  if (prev_get_relation_info)
    prev_get_relation_info(root, relationObjectId, inhparent, rel);
  if ((active_indexes == NIL && hidden_indexes == NIL) || inhparent)
    return;
  ListCell *lc;
  foreach (lc, rel->indexlist) {
    if (list_member_oid(hidden_indexes, lfirst_node(IndexOptInfo, lc)->indexoid))
      rel->indexlist = foreach_delete_current(rel->indexlist, lc);
  }
  foreach (lc, active_indexes) {
    const HypoIndex *h = static_cast<const HypoIndex *>(lfirst(lc));
    if (h->relid == relationObjectId)
      rel->indexlist = lcons(index_info(root, rel, h, foreach_current_index(lc)), rel->indexlist);
  }
}

// The setting's check hook: parses the text once, at SET time, and keeps the result as the GUC's "extra". No C++
// object is alive when it reports a bad value.
static bool pgo_check_index_inputs(char **newval, void **extra, GucSource) {
  static char why[256];
  why[0] = '\0';
  GivenInputs *parsed = nullptr;
  try {
    const std::vector<pgo::core::IndexInputs> entries =
        pgo::core::parse_index_inputs(*newval != nullptr ? *newval : "");
    if (!entries.empty()) {
      parsed = static_cast<GivenInputs *>(pgo::pg::compat::guc_extra_alloc(
          offsetof(GivenInputs, entries) + sizeof(pgo::core::IndexInputs) * entries.size()));
      if (parsed == nullptr) {
        std::strncpy(why, "out of memory", sizeof(why) - 1);
      } else {
        parsed->count = static_cast<int>(entries.size());
        std::copy(entries.begin(), entries.end(), parsed->entries);
      }
    }
  } catch (const std::exception &e) {
    std::strncpy(why, e.what(), sizeof(why) - 1);
    why[sizeof(why) - 1] = '\0';
  } catch (...) {
    std::strncpy(why, "cannot be parsed", sizeof(why) - 1);
  }
  if (why[0] != '\0') {
    GUC_check_errdetail("%s", why);
    return false;
  }
  *extra = parsed;
  return true;
}

static void pgo_assign_index_inputs(const char *, void *extra) {
  given_inputs = static_cast<const GivenInputs *>(extra);
}

static const char *pgo_explain_get_index_name(Oid indexId) {
  if (const HypoIndex *h = find_active(indexId))
    return h->name;
  return prev_explain_get_index_name ? prev_explain_get_index_name(indexId) : nullptr;
}

} // extern "C"

namespace pgo::advisor {

void install_hypothetical_hooks() {
  prev_get_relation_info = get_relation_info_hook;
  get_relation_info_hook = pgo_get_relation_info;
  prev_explain_get_index_name = explain_get_index_name_hook;
  explain_get_index_name_hook = pgo_explain_get_index_name;
  // For bench/run-index-advisor's comparison with HypoPG (DEVELOPING.md): superuser only, and hidden from SHOW ALL
  // and postgresql.conf.sample, since it makes the planner believe sizes that were not estimated.
  pg::guard([] {
    DefineCustomStringVariable("pg_optimize.hypothetical_index_inputs",
                               "Developer setting: pages, tree height and tuples given to the hypothetical indexes of "
                               "a planning call instead of pg_optimize's estimates.",
                               "One entry per index, in the order of the definitions: PAGES/TREE_HEIGHT[/TUPLES]; "
                               "an empty entry keeps the estimates.",
                               &index_inputs_text, "", PGC_SUSET, GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
                               pgo_check_index_inputs, pgo_assign_index_inputs, nullptr);
  });
}

} // namespace pgo::advisor
