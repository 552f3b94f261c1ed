// optimize.recommendations: what to do, most important first.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_set>

#include "health/fk_indexes.hpp"
#include "health/health_data.hpp"

namespace pgo::health {

struct Recommendation {
  int priority; // 1 (do it now) .. 3 (worth doing)
  std::string kind;
  std::string object;
  std::string reason;
  std::string sql; // "" when there is no single statement (partitioning)
};

// What places a recommendation before its text is built. The view lists them by (priority, kind), each group in
// the order they are found; report() shows the most important by (priority, bytes, descending).
struct RecommendationKey {
  // Advice for the database as a whole (settings) or without a size: ranked before sized advice of its priority.
  static constexpr std::int64_t kWholeDatabase = std::numeric_limits<std::int64_t>::max();
  int priority;
  const char *kind;
  std::int64_t bytes; // size of the table or index concerned
};

// The priority of the advice on an index (its finding in index_usage): 1 invalid, 3 unused, 2 the others.
inline int priority_of(const IndexUsage &u) { return !u.details.valid ? 1 : (u.unused ? 3 : 2); }

// Where recommendations() hands its rows, one at a time, as each check's rows are turned into advice.
class RecommendationSink {
public:
  virtual ~RecommendationSink() = default;
  // False: the row is not wanted and its text is not built (add() is not called); count it if need be.
  virtual bool wants(const RecommendationKey &key) = 0;
  virtual void add(const RecommendationKey &key, Recommendation &&row) = 0;
  // Each missing foreign-key index, as read for its advice (report() shows them too, and reads them only once).
  virtual void missing_fk_index(const MissingFkIndex &) {}
};

// recommendations() in its steps, for a caller that passes over the checks' rows for other ends too (report()):
// missing_fk_indexes() first, then table() for each row of table_health, index() for each row of index_usage, and
// rest() (materialized views, settings, the index advisor) last, the order recommendations() takes.
class RecommendationPasses {
public:
  RecommendationPasses(HealthData &data, RecommendationSink &sink);
  void missing_fk_indexes();
  void table(const TableHealth &t);
  void index(const IndexUsage &u, const IndexUsageNames &names);
  void rest();

private:
  std::string name_of(Oid relid);

  HealthData &data_;
  RecommendationSink &sink_;
  // Invalid partitioned indexes a missing-index suggestion finishes: not to be dropped first.
  std::unordered_set<Oid> completed_;
};

// Reads each check once (with HealthData::Rows::Dropped each check's rows go once turned into advice), in this
// order: missing foreign-key indexes, tables, indexes, materialized views, settings, the index advisor.
void recommendations(HealthData &data, RecommendationSink &sink);

} // namespace pgo::health
