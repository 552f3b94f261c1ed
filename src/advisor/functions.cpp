// SQL functions of the index advisor: optimize.explain_hypothetical() and the rows of optimize.index_advice.
#include <fmt/format.h>

#include "advisor/advisor.hpp"
#include "advisor/hypothetical.hpp"
#include "advisor/subtransaction.hpp"
#include "catalog/names.hpp"
#include "latency/summary.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace pgo::advisor {
namespace {

// The elements of a text[] argument; NULL elements are refused.
std::vector<std::string> text_array(FunctionCallInfo fcinfo, int arg) {
  struct Elements {
    Datum *values;
    bool *nulls;
    int count;
  };
  const Elements e = pg::guard([&] {
    Elements out{nullptr, nullptr, 0};
    ArrayType *array = PG_GETARG_ARRAYTYPE_P(arg);
    if (ARR_NDIM(array) > 1)
      ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("indexes must be a one-dimensional array")));
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &out.values, &out.nulls, &out.count);
    return out;
  });
  std::vector<std::string> out;
  for (int i = 0; i < e.count; i++) {
    if (e.nulls[i])
      throw Error(sqlstate::kNullValueNotAllowed, fmt::format("index definition {} is null", i + 1), "",
                  "Pass CREATE INDEX statements, or leave the array out for the advised indexes.");
    out.push_back(pg::guard([&] { return text_to_cstring(DatumGetTextPP(e.values[i])); }));
  }
  return out;
}

} // namespace
} // namespace pgo::advisor

PGO_FUNCTION(pgo_explain_hypothetical) {
  using namespace pgo;
  using namespace pgo::advisor;
  if (PG_ARGISNULL(0))
    throw Error(sqlstate::kNullValueNotAllowed, "query must not be null", "",
                "Pass one SELECT, INSERT, UPDATE or DELETE statement.");
  const std::string query = pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  const ParsedStatement parsed = parse_statement(query);
  if (const Oid denied = unreadable_table(parsed); OidIsValid(denied))
    throw Error("42501", fmt::format("permission denied for table {}", catalog::qualified_name(denied).value_or("?")),
                "", "Planning a statement needs SELECT on every table it reads.");

  std::vector<std::string> definitions;
  if (PG_NARGS() > 1 && !PG_ARGISNULL(1)) {
    definitions = text_array(fcinfo, 1);
  } else {
    // The advised indexes for this one statement.
    WorkloadStatement statement;
    statement.text = query;
    statement.calls = statement.calls_per_day = statement.mean_ms = 1;
    for (const Advice &a : advise({statement}, false, false).advice)
      definitions.push_back(fmt::format("CREATE INDEX ON {} {}", a.table, a.definition));
  }
  List *indexes = NIL;
  for (std::size_t i = 0; i < definitions.size(); ++i)
    indexes = pg::guard(
        [&] { return lappend(indexes, hypothetical_index(definitions[i].c_str(), static_cast<int>(i) + 1)); });

  const PlanOutcome before = plan_statement(parsed, query, NIL, true);
  const PlanOutcome after = plan_statement(parsed, query, indexes, true);
  pg::ResultSet out(fcinfo);
  out.begin_row();
  out.add_float8(before.cost);
  out.add_float8(after.cost);
  out.add_text_array(definitions);
  out.add_bool(parsed.num_params > 0);
  out.add_text(before.text);
  out.add_text(after.text);
  out.end_row();
  return out.done();
}

PGO_FUNCTION(pgo_index_advice) {
  using namespace pgo;
  using namespace pgo::advisor;
  pg::ResultSet out(fcinfo);
  if (latency::notice_if_inactive())
    return out.done();
  for (const Advice &a : advise(tracked_workload(), true, true).advice) {
    out.begin_row();
    out.add_text(a.table);
    out.add_text(a.definition);
    out.add_text(core::kind_name(a.kind));
    out.add_int64_array(a.query_ids);
    out.add_float8(a.cost_before);
    out.add_float8(a.cost_after);
    out.add_float8(a.saved_ms_per_day);
    out.add_int64(a.estimated_bytes);
    out.add_float8(a.writes_per_day);
    out.add_float8(a.write_overhead_pct);
    out.add_text(a.sql);
    if (OidIsValid(a.replaces))
      out.add_oid(a.replaces);
    else
      out.add_null();
    out.end_row();
  }
  return out.done();
}

// optimize._existing_index(table, definition): the valid index that now does what an advised one would (the same
// method, keys and predicate), NULL if none or if the table is gone.
PGO_FUNCTION(pgo_existing_index) {
  using namespace pgo;
  using namespace pgo::advisor;
  const std::string table = pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  const std::string definition = pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(1)); });
  Oid found = InvalidOid;
  in_subtransaction([&] {
    const std::string sql = fmt::format("CREATE INDEX ON {} {}", table, definition);
    HypoIndex *index = pg::guard([&] { return hypothetical_index(sql.c_str(), 1); });
    found = existing_index_like(index);
  });
  if (!OidIsValid(found))
    PG_RETURN_NULL();
  PG_RETURN_OID(found);
}
