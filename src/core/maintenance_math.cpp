#include "core/maintenance_math.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace pgo::core {
namespace {

// autovacuum holds reltuples, the scale factors, the thresholds and even the tuple counts in float4 variables. Doing
// the same keeps the decision identical at the boundary: above 2^24 a float4 cannot tell 100000001 from 100000000.
float as_float4(double v) { return static_cast<float>(v); }
float as_float4(std::int64_t v) { return static_cast<float>(v); }

// "If the table hasn't yet been vacuumed, take reltuples as zero." (A NaN, which pg_class never holds, too.)
float known_reltuples(double reltuples) {
  const float r = as_float4(reltuples);
  return r >= 0 ? r : 0.0f;
}

} // namespace

VacuumThresholds vacuum_thresholds(const VacuumInputs &in) {
  const float reltuples = known_reltuples(in.reltuples);
  const float scale = as_float4(in.vacuum_scale_factor);
  const float insert_scale = as_float4(in.insert_scale_factor);

  // PostgreSQL 18: inserts count against the unfrozen part of the table only, when relallfrozen says anything.
  float pcnt_unfrozen = 1;
  if (in.relpages && in.relallfrozen && *in.relpages > 0 && *in.relallfrozen > 0) {
    const std::int64_t relallfrozen = std::min(*in.relallfrozen, *in.relpages);
    pcnt_unfrozen = 1 - (as_float4(relallfrozen) / static_cast<float>(*in.relpages));
  }

  float vacthresh = as_float4(in.vacuum_threshold) + scale * reltuples;
  if (in.vacuum_max_threshold && *in.vacuum_max_threshold >= 0 && vacthresh > as_float4(*in.vacuum_max_threshold))
    vacthresh = as_float4(*in.vacuum_max_threshold);

  VacuumThresholds t;
  t.dead_tuples = vacthresh;
  if (in.insert_threshold >= 0)
    t.inserts = static_cast<double>(as_float4(in.insert_threshold) + insert_scale * reltuples * pcnt_unfrozen);
  return t;
}

bool vacuum_needed(const VacuumInputs &in) {
  const VacuumThresholds t = vacuum_thresholds(in);
  // The thresholds are float4 values widened exactly; the counts are narrowed to float4 as autovacuum narrows them.
  if (static_cast<double>(as_float4(in.dead_tuples)) > t.dead_tuples)
    return true;
  return t.inserts && static_cast<double>(as_float4(in.inserts_since_vacuum)) > *t.inserts;
}

double analyze_threshold(const AnalyzeInputs &in) {
  return as_float4(in.threshold) + as_float4(in.scale_factor) * known_reltuples(in.reltuples);
}

bool analyze_needed(const AnalyzeInputs &in) {
  return static_cast<double>(as_float4(in.mod_since_analyze)) > analyze_threshold(in);
}

double xid_age_pct(std::int64_t age, std::int64_t limit) {
  if (limit <= 0)
    throw Error(sqlstate::kInvalidParameterValue, "the xid age limit must be positive");
  return 100.0 * static_cast<double>(std::max<std::int64_t>(0, age)) / static_cast<double>(limit);
}

bool exceeds_freeze_max_age(std::int64_t age, std::int64_t freeze_max_age) { return age > freeze_max_age; }

double dead_pct(std::int64_t live, std::int64_t dead) {
  live = std::max<std::int64_t>(0, live);
  dead = std::max<std::int64_t>(0, dead);
  if (live + dead == 0)
    return 0;
  return 100.0 * static_cast<double>(dead) / static_cast<double>(live + dead);
}

} // namespace pgo::core
