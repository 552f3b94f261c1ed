// optimize.metrics(): one row per metric, the numbers a dashboard or the snapshot job records.
#pragma once

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

std::vector<Metric> metrics(HealthData &data);

// Counts shared by metrics, alerts and health_check.
struct ConnectionCounts {
  int total = 0, active = 0, idle = 0, idle_in_transaction = 0, waiting_on_locks = 0;
  int usable_slots = 0;
  double used_pct = 0;
};
ConnectionCounts connection_counts(HealthData &data);

} // namespace pgo::health
