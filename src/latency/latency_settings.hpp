// Settings of latency tracking (pg_optimize.track, max_tracked_queries, max_query_text, n_plus_one_*,
// latency_target_pct). The target itself is pg_optimize.slow_query_ms (src/settings.hpp).
#pragma once

namespace pgo::latency::settings {

enum Track { kTrackNone = 0, kTrackTop = 1, kTrackAll = 2 };

extern int track;               // pg_optimize.track
extern int max_tracked_queries; // pg_optimize.max_tracked_queries (server start)
extern int max_query_text;      // pg_optimize.max_query_text, bytes (server start)
extern int n_plus_one_gap_ms;
extern int n_plus_one_threshold;
extern double latency_target_pct;

void define();

} // namespace pgo::latency::settings
