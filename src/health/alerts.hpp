// optimize.alerts: conditions that need a DBA, each with its severity, the value that tripped it and what to do.
#pragma once

#include <string>
#include <vector>

#include "health/health_data.hpp"

namespace pgo::health {

struct Alert {
  std::string severity; // "critical" or "warning"
  std::string kind;
  std::string object;
  double value = 0;
  double threshold = 0;
  std::string message;
  std::string recommendation;
};

// Critical first, then by kind and object.
std::vector<Alert> alerts(HealthData &data);

} // namespace pgo::health
