// Settings of the automation (launcher, schedulers, job workers), defined in _PG_init.
#pragma once

#include <string>

namespace pgo::scheduler::settings {

extern int max_workers;       // schedulers plus running jobs, cluster-wide (postmaster start only)
extern char *databases;       // comma-separated database names to schedule in; empty: every database
extern int max_parallel_jobs; // running jobs per database
extern int history_retention_s;
extern int history_per_job;
extern int snapshot_retention_s;
extern int launcher_naptime_s;
extern int retry_min_delay_s;
extern int retry_max_delay_s;
extern int worker_wait_timeout_ms; // how long run_job()/run_maintenance(false) wait for a place within the budgets

// The default of pg_optimize.max_workers: leaves most of the default max_worker_processes (8) to parallel query
// and logical replication.
constexpr int kDefaultMaxWorkers = 4;

void define();

} // namespace pgo::scheduler::settings

namespace pgo::scheduler {

// Whether pg_optimize.databases (as now set) lets a database have a scheduler.
bool database_wanted(const std::string &name);

} // namespace pgo::scheduler
