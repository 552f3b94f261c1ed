// Configuration advice for this server (optimize.config_recommendations()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config_advice.hpp"

namespace pgo::health {

struct ConfigAdvice {
  core::Recommendation recommendation;
  std::string current_value; // as SHOW prints it
  bool needs_restart = false;
  std::string sql; // ALTER SYSTEM SET ...
};

// memory: std::nullopt detects the machine's (or the container's) memory.
std::vector<ConfigAdvice> config_advice(std::optional<std::int64_t> memory, const std::string &storage,
                                        std::optional<int> max_client_connections);

} // namespace pgo::health
