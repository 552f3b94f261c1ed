// optimize.metrics(): one row per metric, the numbers a dashboard or the snapshot job records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "health/health_data.hpp"

namespace pgo::health {

struct Metric {
  std::string name;
  std::optional<double> value; // NULL when it cannot be known (no statistics yet, say)
  std::string unit;
  std::string description;
};

// What metrics() adds up over the rows of table_health and index_usage, a row at a time: a caller that passes over
// those rows for other ends too (report()) feeds them here instead of building them twice.
struct RowTotals {
  std::int64_t live = 0, dead = 0, bloat = 0;
  int need_vacuum = 0, need_analyze = 0;
  std::int64_t index_hit = 0, index_read = 0, unused_bytes = 0;
  int invalid = 0;
  void add(const TableHealth &t);
  void add(const IndexUsage &u);
};

// The metrics, with the totals of rows already passed over.
std::vector<Metric> metrics(HealthData &data, const RowTotals &totals);
// The same, passing over the rows itself (each table's row dropped once added up).
std::vector<Metric> metrics(HealthData &data);

// Counts shared by metrics, alerts and health_check.
struct ConnectionCounts {
  int total = 0, active = 0, idle = 0, idle_in_transaction = 0, waiting_on_locks = 0;
  int usable_slots = 0;
  double used_pct = 0;
};
ConnectionCounts connection_counts(HealthData &data);

} // namespace pgo::health
