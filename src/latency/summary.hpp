// What the latency views show, computed from a shared-memory snapshot: shared by the SQL functions and the health
// integration (metrics, alerts, report).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "latency/shared.hpp"

namespace pgo::latency {

struct DatabaseSummary {
  Oid database = InvalidOid;
  std::string name;
  std::uint64_t calls = 0;
  double p50_ms = 0, p90_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
  double target_ms = 0, pct_within_target = 0;
  bool meets_target = false;
  TimestampTz since = 0;
};

struct QuerySummary {
  std::int64_t query_id = 0;
  Oid database = InvalidOid;
  std::string database_name, role_name, query; // query: "<insufficient privilege>" where pg_stat_activity hides it
  std::uint64_t calls = 0, slow_calls = 0;
  double mean_ms = 0, p95_ms = 0, max_ms = 0, total_ms = 0;
  TimestampTz first_seen = 0, last_seen = 0;
  std::uint64_t n1_events = 0, n1_largest_run = 0, n1_calls = 0;
  double n1_total_ms = 0;
  TimestampTz n1_last_seen = 0;
};

// Databases that still exist, by name.
std::vector<DatabaseSummary> database_summaries(const Snapshot &snap);
// Every tracked statement shape, slowest total first.
std::vector<QuerySummary> query_summaries(const Snapshot &snap);

// The NOTICE for views read without shared_preload_libraries; true when it was raised.
bool notice_if_inactive();

} // namespace pgo::latency
