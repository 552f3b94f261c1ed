#include "latency/latency_settings.hpp"

#include <climits>

#include "pg/guard.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace pgo::latency::settings {

int track = kTrackTop;
int max_tracked_queries = 5000;
int max_query_text = 1024;
int n_plus_one_gap_ms = 50;
int n_plus_one_threshold = 20;
double latency_target_pct = 95.0;

namespace {
const struct config_enum_entry track_options[] = {
    {"none", kTrackNone, false}, {"top", kTrackTop, false}, {"all", kTrackAll, false}, {nullptr, 0, false}};
} // namespace

void define() {
  // A server-start setting can only be defined while the server starts (a later load would be FATAL); it sizes
  // shared memory, which exists only when preloaded anyway.
  if (process_shared_preload_libraries_in_progress)
    pg::guard([] {
      DefineCustomIntVariable("pg_optimize.max_tracked_queries",
                              "Statement shapes (query id, database, role) whose latency is kept; the least recently "
                              "seen ones are forgotten first.",
                              nullptr, &max_tracked_queries, max_tracked_queries, 100, 1000000, PGC_POSTMASTER, 0,
                              nullptr, nullptr, nullptr);
      // Shared memory holds one text per statement shape and per backend slot entry: sized by this setting of ours,
      // never by track_activity_query_size alone (which a DBA may raise to 1MB for pg_stat_activity's sake).
      DefineCustomIntVariable("pg_optimize.max_query_text",
                              "Longest statement text kept per statement shape (bytes); texts are also cut to "
                              "track_activity_query_size.",
                              nullptr, &max_query_text, max_query_text, 100, 16384, PGC_POSTMASTER, GUC_UNIT_BYTE,
                              nullptr, nullptr, nullptr);
    });
  pg::guard([] {
    DefineCustomEnumVariable("pg_optimize.track",
                             "Which statements latency tracking times: top (statements sent by clients), all (also "
                             "statements run inside functions), or none.",
                             nullptr, &track, track, track_options, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.n_plus_one_gap_ms",
                            "Longest pause between two executions of the same statement in one session that still "
                            "counts them in one run (N+1 detection).",
                            nullptr, &n_plus_one_gap_ms, n_plus_one_gap_ms, 0, 3600000, PGC_SUSET, GUC_UNIT_MS, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.n_plus_one_threshold", "Executions in one run that make an N+1 event.",
                            nullptr, &n_plus_one_threshold, n_plus_one_threshold, 2, INT_MAX, PGC_SUSET, 0, nullptr,
                            nullptr, nullptr);
    DefineCustomRealVariable("pg_optimize.latency_target_pct",
                             "Share of statements that must finish within pg_optimize.slow_query_ms for "
                             "optimize.latency to say the target is met.",
                             nullptr, &latency_target_pct, latency_target_pct, 0.0, 100.0, PGC_USERSET, 0, nullptr,
                             nullptr, nullptr);
  });
}

} // namespace pgo::latency::settings
