#include "scheduler/scheduler_settings.hpp"

#include <climits>

#include "pg/guard.hpp"
#include "scheduler/shared_state.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace pgo::scheduler::settings {

int max_workers = kDefaultMaxWorkers;
char *databases = nullptr;
int max_parallel_jobs = 2;
int history_retention_s = 30 * 24 * 3600;
int history_per_job = 1000;
int snapshot_retention_s = 90 * 24 * 3600;
int launcher_naptime_s = 10;
int retry_min_delay_s = 30;
int retry_max_delay_s = 3600;
int worker_wait_timeout_ms = 10000;

void define() {
  pg::guard([] {
    // A postmaster-level setting exists only in a preloaded library (PostgreSQL refuses to define one later).
    if (process_shared_preload_libraries_in_progress)
      DefineCustomIntVariable("pg_optimize.max_workers",
                              "Background workers pg_optimize may use besides its launcher: one scheduler per database "
                              "plus the jobs running at the moment.",
                              "Each counts against max_worker_processes, as does the launcher; leave room there for "
                              "parallel query and logical replication.",
                              &max_workers, max_workers, 1, 1000, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("pg_optimize.databases",
                               "Databases where jobs run, as a comma-separated list of names; empty for every "
                               "database where the extension is installed.",
                               nullptr, &databases, "", PGC_SIGHUP, GUC_LIST_INPUT, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.max_parallel_jobs", "Jobs running at the same time in one database.", nullptr,
                            &max_parallel_jobs, max_parallel_jobs, 1, kMaxJobsPerDatabase, PGC_SIGHUP, 0, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.history_retention", "How long the cleanup job keeps job runs.", nullptr,
                            &history_retention_s, history_retention_s, 60, INT_MAX, PGC_SIGHUP, GUC_UNIT_S, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.history_per_job", "How many runs of each job the cleanup job keeps at most.",
                            nullptr, &history_per_job, history_per_job, 1, INT_MAX, PGC_SIGHUP, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomIntVariable("pg_optimize.snapshot_retention", "How long the cleanup job keeps metric snapshots.",
                            nullptr, &snapshot_retention_s, snapshot_retention_s, 60, INT_MAX, PGC_SIGHUP, GUC_UNIT_S,
                            nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.launcher_naptime",
                            "How often the launcher looks for new databases (CREATE EXTENSION wakes it at once).",
                            nullptr, &launcher_naptime_s, launcher_naptime_s, 1, 3600, PGC_SIGHUP, GUC_UNIT_S, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.retry_min_delay",
                            "Delay before a failed job is tried again the first time; it doubles after each failure.",
                            nullptr, &retry_min_delay_s, retry_min_delay_s, 1, INT_MAX, PGC_SIGHUP, GUC_UNIT_S, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.worker_wait_timeout",
                            "How long optimize.run_job() and optimize.run_maintenance(false) wait for a place within "
                            "pg_optimize.max_parallel_jobs and pg_optimize.max_workers before they give up.",
                            nullptr, &worker_wait_timeout_ms, worker_wait_timeout_ms, 0, 3600 * 1000, PGC_USERSET,
                            GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_optimize.retry_max_delay",
                            "Longest delay before a failed job is tried again (the delay doubles after each failure).",
                            nullptr, &retry_max_delay_s, retry_max_delay_s, 1, INT_MAX, PGC_SIGHUP, GUC_UNIT_S, nullptr,
                            nullptr, nullptr);
  });
}

} // namespace pgo::scheduler::settings
