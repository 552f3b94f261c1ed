// The index advisor: candidates from statements, proven by re-planning with hypothetical indexes, chosen over the
// whole workload (src/core/index_advice.hpp has the rules).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "advisor/planning.hpp"
#include "core/index_advice.hpp"

namespace pgo::health {
struct Recommendation;
}

namespace pgo::advisor {

// A statement to advise for.
struct WorkloadStatement {
  std::int64_t query_id = 0;
  std::string text;
  double calls = 0, calls_per_day = 0, mean_ms = 0;
};

struct Advice {
  Oid relid = InvalidOid;
  std::string table;      // schema.table, quoted where needed
  std::string definition; // USING method (keys) [WHERE predicate]
  core::IndexKind kind = core::IndexKind::Btree;
  std::vector<std::int64_t> query_ids;
  double cost_before = 0, cost_after = 0; // per call, summed over the statements helped
  double saved_ms_per_day = 0;
  std::int64_t estimated_bytes = 0;
  double writes_per_day = 0;     // rows inserted or updated out of HOT per day: each writes one more index entry
  double write_overhead_pct = 0; // the new index's share of the index entries written per row
  Oid replaces = InvalidOid;     // the existing index the new one replaces (extends), InvalidOid for a new index
  std::string replaces_name;     // its schema-qualified name, quoted where needed
  std::string sql;               // CREATE INDEX CONCURRENTLY ...; then DROP INDEX CONCURRENTLY ... for a replacement
};

// Advice for the statements, strongest first. Statements that do not parse any more, read a table the caller may
// not read, or call functions outside pg_catalog are left out (the count of each is in `skipped`).
struct WorkloadAdvice {
  std::vector<Advice> advice;
  int statements_analysed = 0, statements_skipped = 0;
};
// check_functions: leave out statements calling functions outside pg_catalog (another role's statements);
// weigh_writes: charge each index the write cost of its table (the workload), or not (one query of the caller's).
WorkloadAdvice advise(const std::vector<WorkloadStatement> &statements, bool check_functions, bool weigh_writes);

// The workload the latency hooks kept for this database, with pg_optimize.advisor_min_calls applied.
std::vector<WorkloadStatement> tracked_workload();

// optimize.recommendations: the strongest advice of the workload (at most three), as create_index rows. Nothing
// without latency tracking.
void add_recommendations(std::vector<health::Recommendation> &out);

} // namespace pgo::advisor
