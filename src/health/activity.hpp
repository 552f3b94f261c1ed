// Shared by the session views, metrics(), alerts and the report.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/activity.hpp"

namespace pgo::health {

struct BlockedQuery {
  const catalog::Backend *backend = nullptr;
  catalog::LockWait wait;
  double waiting_seconds = 0;
  std::vector<int> blocking_pids;
  const catalog::Backend *first_blocker = nullptr;
};

std::string database_name(Oid database);
std::string role_name(Oid role);
double seconds_since(const std::optional<TimestampTz> &ts, TimestampTz now);

// Active client queries (other than our own) running longer than threshold_ms, longest first.
std::vector<const catalog::Backend *> long_running(const std::vector<catalog::Backend> &backends, TimestampTz now,
                                                   int threshold_ms);
// Sessions waiting for a heavyweight lock, longest wait first. Pointers point into `backends`.
std::vector<BlockedQuery> blocked_queries(const std::vector<catalog::Backend> &backends, TimestampTz now);

} // namespace pgo::health
