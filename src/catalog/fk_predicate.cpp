#include "catalog/fk_predicate.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_index.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgo::catalog {

bool fk_lookup_implies_predicate(Oid table, Oid index, const std::vector<core::AttrNumber> &fk_columns) {
  return pg::guard([&]() -> bool {
    HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tuple))
      return false;
    bool isnull = false;
    const Datum datum = SysCacheGetAttr(INDEXRELID, tuple, Anum_pg_index_indpred, &isnull);
    char *stored = isnull ? nullptr : TextDatumGetCString(datum);
    ReleaseSysCache(tuple);
    if (stored == nullptr)
      return true; // not partial (any more): nothing to prove
    // Stored as one expression with Vars of varno 1, as RelationGetIndexPredicate reads it; simplified the same way
    // so the prover sees what the planner sees.
    Node *predicate = static_cast<Node *>(stringToNode(stored));
    pfree(stored);
    predicate = eval_const_expressions(nullptr, predicate);
    predicate = reinterpret_cast<Node *>(canonicalize_qual(reinterpret_cast<Expr *>(predicate), false));
    List *predicate_list = make_ands_implicit(reinterpret_cast<Expr *>(predicate));

    // "col = $1" with a strict operator and a non-null parameter: for the prover, "col IS NOT NULL" is the fact
    // that clause carries about col (a predicate over the value itself could only be proved for one parameter).
    List *clauses = NIL;
    for (core::AttrNumber attnum : fk_columns) {
      Oid type = InvalidOid, collation = InvalidOid;
      int32 typmod = -1;
      get_atttypetypmodcoll(table, attnum, &type, &typmod, &collation);
      if (!OidIsValid(type))
        return false;
      NullTest *test = makeNode(NullTest);
      test->arg = reinterpret_cast<Expr *>(makeVar(1, attnum, type, typmod, collation, 0));
      test->nulltesttype = IS_NOT_NULL;
      test->argisrow = false;
      test->location = -1;
      clauses = lappend(clauses, test);
    }
    return predicate_implied_by(predicate_list, clauses, false);
  });
}

core::PredicateProof fk_predicate_proof(Oid table, const std::vector<core::AttrNumber> &fk_columns) {
  return [table, &fk_columns](const core::IndexShape &index) {
    return fk_lookup_implies_predicate(table, static_cast<Oid>(index.index_oid), fk_columns);
  };
}

} // namespace pgo::catalog
