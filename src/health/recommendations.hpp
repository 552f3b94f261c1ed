// optimize.recommendations: what to do, most important first.
#pragma once

#include <string>
#include <vector>

#include "health/health_data.hpp"

namespace pgo::health {

struct Recommendation {
  int priority; // 1 (do it now) .. 3 (worth doing)
  std::string kind;
  std::string object;
  std::string reason;
  std::string sql; // "" when there is no single statement (partitioning)
};

std::vector<Recommendation> recommendations(HealthData &data);

} // namespace pgo::health
