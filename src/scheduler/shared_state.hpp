// The automation's shared memory: what the launcher, the schedulers, the job workers and ordinary backends tell each
// other. One slot per database with a scheduler, each with the jobs running there; sized once at server start from
// pg_optimize.max_workers. Exists only when pg_optimize is in shared_preload_libraries (shared() is nullptr otherwise).
//
// Every field is read and written under `lock`. Critical sections are a few assignments: no PostgreSQL call that
// can raise an ERROR, no C++ that can throw.
#pragma once

#include <cstdint>

#include "pg/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
}

namespace pgo::scheduler {

constexpr int kMaxJobsPerDatabase = 16;
constexpr int kErrorLength = 256;
// Databases listed in scheduler_status as waiting for a slot (beyond pg_optimize.max_workers slots).
constexpr int kMaxWaitingDatabases = 64;

enum class SchedulerState : int {
  Free = 0,     // slot unused
  Starting,     // registered with the postmaster, or running but not yet sure the database has the extension
  Idle,         // running, waiting for the next job
  NotInstalled, // the database has no pg_optimize (or it was dropped); restarted on CREATE EXTENSION
  Excluded,     // left out by pg_optimize.databases
  Paused,       // stopped for DROP DATABASE / ALTER DATABASE; restarted after paused_until
  Exited,       // ended with an error; restarted after restart_after
  Waiting,      // not started for want of a place within pg_optimize.max_workers (last_error says what to raise)
};

const char *state_name(SchedulerState state);

struct RunningJob {
  std::int64_t run_id; // 0: free
  std::int64_t job_id; // 0: an ad-hoc run (optimize.run_maintenance)
  pid_t pid;           // 0 while starting
  TimestampTz started_at;
};

struct DatabaseSlot {
  Oid database; // InvalidOid: free
  SchedulerState state;
  pid_t scheduler_pid;
  Latch *scheduler_latch;
  TimestampTz started_at;
  TimestampTz restart_after; // when Exited or Paused: not before this
  int failures;              // consecutive abnormal scheduler exits (restart backoff)
  TimestampTz next_run_at;   // 0: none
  char next_job[NAMEDATALEN];
  char last_error[kErrorLength];
  TimestampTz last_error_at;
  std::uint64_t checked_generation; // install_generation when the scheduler looked for the extension
  RunningJob jobs[kMaxJobsPerDatabase];
};

struct Shared {
  LWLock *lock;
  pid_t launcher_pid;
  Latch *launcher_latch;
  // Bumped when a CREATE EXTENSION commits (and when a launcher starts): a database found without the extension at an
  // older generation is looked at again. A counter, not a flag, so that a scheduler whose look raced with the commit
  // cannot consume the news before it has reported "not installed".
  std::uint64_t install_generation;
  // Connectable databases that got no slot at the launcher's last pass (whether they have the extension is not known
  // until a scheduler looks): listed in optimize.scheduler_status as waiting, with waiting_reason.
  int nwaiting;
  Oid waiting[kMaxWaitingDatabases];
  char waiting_reason[kErrorLength];
  TimestampTz waiting_since;
  int nslots;
  DatabaseSlot slots[FLEXIBLE_ARRAY_MEMBER];
};

// nullptr unless pg_optimize was preloaded.
Shared *shared();

// Called from _PG_init when preloading: chains the shared memory request and startup hooks.
void install_shared_memory_hooks();

// Find the slot of a database, under the lock held by the caller. nullptr when none.
DatabaseSlot *find_slot(Shared *s, Oid database);

// A job run about to start, checked against both budgets and entered in one step under the lock (so that two
// processes cannot both take the last place): pg_optimize.max_parallel_jobs in the database, pg_optimize.max_workers
// cluster-wide (schedulers and jobs). The entry's run_id is the run's id in optimize.job_runs (taken beforehand from
// its sequence); the job worker fills in its pid, and removes the entry when it exits.
enum class Reservation {
  Reserved,     // entered in the database's slot
  Unslotted,    // allowed, but the database has no slot (no scheduler): nothing to enter
  DatabaseFull, // max_parallel_jobs jobs of the database run
  ClusterFull,  // max_workers schedulers and jobs run
};
Reservation reserve_job(Oid database, std::int64_t run_id, std::int64_t job_id);
// Removes the entry of a run (one the worker never took over, or whose worker is gone).
void release_job(Oid database, std::int64_t run_id);

// Copies `text` into a fixed buffer, truncated.
void copy_text(char *buffer, std::size_t size, const char *text);

// Wake the launcher (rescan: also retry the databases where the extension was missing). Safe without shared memory.
void wake_launcher(bool rescan);
// Wake the scheduler of a database, if it has one.
void wake_scheduler(Oid database);
// Both, when the current transaction commits (after CREATE EXTENSION, optimize.schedule, alter_job...);
// extension_created: that transaction is a CREATE EXTENSION, so the launcher looks again at the databases it found
// without the extension.
void wake_at_commit(Oid database, bool extension_created = false);
// A NOTICE that automation is off (no preloading), raised as the current transaction commits.
void notice_automation_off_at_commit();

} // namespace pgo::scheduler
