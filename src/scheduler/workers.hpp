// Starting pg_optimize's background workers, and what a job worker is told at start (in bgw_extra).
#pragma once

#include <cstdint>

#include "pg/postgres.hpp"

extern "C" {
#include "postmaster/bgworker.h"
}

namespace pgo::scheduler {

enum class JobMode : int {
  Scheduled = 1,   // started by the scheduler: the run row exists (run_id)
  Manual = 2,      // optimize.run_job(): the worker writes the run row
  Maintenance = 3, // optimize.run_maintenance(false): an ad-hoc run of everything due, as `owner`
};

struct JobWorkerArgs {
  Oid database;
  Oid owner; // Maintenance: the role it runs as
  JobMode mode;
  std::int64_t job_id;
  std::int64_t run_id;
};
static_assert(sizeof(JobWorkerArgs) <= BGW_EXTRALEN, "job worker arguments must fit in bgw_extra");

// Registers the cluster's launcher (from _PG_init while preloading).
void register_launcher();

// Dynamic workers; notify_pid gets SIGUSR1 (its latch set) when the worker starts and stops. nullptr on failure (no
// free background worker slot).
BackgroundWorkerHandle *start_scheduler(Oid database, pid_t notify_pid);
BackgroundWorkerHandle *start_job_worker(const JobWorkerArgs &args, const char *label, pid_t notify_pid);

} // namespace pgo::scheduler
