// The scheduler ("pg_optimize scheduler"): one per database with the extension. Sleeps on its latch until the next
// job is due (or a job ends, or optimize.schedule()/alter_job() wake it), then starts the due jobs in job workers,
// at most pg_optimize.max_parallel_jobs at once, never two runs of one job. An ERROR in an iteration is logged,
// kept in optimize.scheduler_status and retried; a job row it cannot use (bad schedule, dropped owner) is skipped or
// disabled with the reason, never a restart loop.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/schedule.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/server_time.hpp"
#include "pg/spi.hpp"
#include "pg/toplevel.hpp"
#include "pg/transaction.hpp"
#include "scheduler/job_plan.hpp"
#include "scheduler/job_store.hpp"
#include "scheduler/scheduler_settings.hpp"
#include "scheduler/security.hpp"
#include "scheduler/shared_state.hpp"
#include "scheduler/signals.hpp"
#include "scheduler/workers.hpp"

extern "C" {
#include "access/xact.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

PGDLLEXPORT void pgo_scheduler_main(Datum arg);
}

namespace pgo::scheduler {
namespace {

Oid database = InvalidOid;

// Job workers this scheduler started (plain data: no destructors in a worker's globals).
struct Launched {
  std::int64_t run_id;
  std::int64_t job_id;
  BackgroundWorkerHandle *handle;
};
Launched launched[kMaxJobsPerDatabase];

constexpr double kMaxSleepSeconds = 300;
constexpr double kRunningJobsPollSeconds = 5;

bool extension_installed() {
  return pg::guard([] { return OidIsValid(get_extension_oid("pg_optimize", true)); });
}

bool relation_exists(Oid relid) {
  return pg::guard([&] { return SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)); });
}

bool role_exists(Oid role) {
  return pg::guard([&] { return SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)); });
}

// Why a job row cannot run as it stands (a superuser may have written it by hand), or "".
std::string row_problem(const Job &job) {
  try {
    check_job_row(job);
    return "";
  } catch (const Error &e) {
    return e.message();
  }
}

// Runs of this database that are running now, by shared memory (what the job workers published).
struct Running {
  std::vector<std::int64_t> run_ids;
  std::vector<std::int64_t> job_ids;
  int in_database = 0;
  int cluster_workers = 0; // schedulers and jobs, cluster-wide
};

Running running_now() {
  Running r;
  r.run_ids.reserve(kMaxJobsPerDatabase); // nothing may throw while the lock is held
  r.job_ids.reserve(kMaxJobsPerDatabase);
  Shared *s = shared();
  LWLockAcquire(s->lock, LW_SHARED);
  for (int i = 0; i < s->nslots; i++) {
    const DatabaseSlot &slot = s->slots[i];
    if (slot.state == SchedulerState::Idle || slot.state == SchedulerState::Starting)
      r.cluster_workers++;
    for (const RunningJob &j : slot.jobs) {
      if (j.run_id == 0)
        continue;
      r.cluster_workers++;
      if (slot.database == database) {
        r.in_database++;
        r.run_ids.push_back(j.run_id);
        r.job_ids.push_back(j.job_id);
      }
    }
  }
  LWLockRelease(s->lock);
  return r;
}

void forget_run(std::int64_t run_id) { release_job(database, run_id); }

void set_status(const char *next_job, double next_run_epoch, const char *error) {
  Shared *s = shared();
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  if (DatabaseSlot *slot = find_slot(s, database)) {
    copy_text(slot->next_job, sizeof(slot->next_job), next_job);
    slot->next_run_at = next_run_epoch > 0
                            ? static_cast<TimestampTz>((next_run_epoch - (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
                                                                             static_cast<double>(SECS_PER_DAY)) *
                                                       USECS_PER_SEC)
                            : 0;
    if (error != nullptr) {
      copy_text(slot->last_error, sizeof(slot->last_error), error);
      slot->last_error_at = GetCurrentTimestamp();
    }
  }
  LWLockRelease(s->lock);
}

// Workers this scheduler started that have ended: a run still 'running' never recorded its end.
void reap(pg::Spi &spi) {
  for (Launched &l : launched) {
    if (l.handle == nullptr)
      continue;
    pid_t pid = 0;
    const BgwHandleStatus status = pg::guard([&] { return GetBackgroundWorkerPid(l.handle, &pid); });
    if (status == BGWH_POSTMASTER_DIED)
      proc_exit(1);
    if (status != BGWH_STOPPED)
      continue;
    if (run_status(spi, l.run_id).value_or("") == "running") {
      // A job row a user holds locked: looked at again on the next pass (the scheduler never waits on it).
      if (!lock_job(spi, l.job_id) && find_job(spi, l.job_id))
        continue;
      finish_run(spi, l.run_id, "crashed",
                 "the job worker ended without recording a result (terminated, or it crashed)", "{}");
      if (auto job = find_job(spi, l.job_id))
        record_outcome(spi, *job, "crashed", "the job worker ended without recording a result", pg::now_epoch(),
                       std::nullopt);
    }
    forget_run(l.run_id);
    pfree(l.handle);
    l = Launched{0, 0, nullptr};
  }
}

struct ToLaunch {
  Job job;
  std::int64_t run_id;
};

// One pass: returns the epoch of the next due job (0: none), filling `launch` with the jobs to start now.
double plan_pass(pg::Spi &spi, std::vector<ToLaunch> &launch, bool &waiting_for_budget, std::string &next_name) {
  const double now = pg::now_epoch();
  const pg::SessionTimeZone tz;
  Running running = running_now();
  int db_budget = settings::max_parallel_jobs - running.in_database;
  int cluster_budget = settings::max_workers - running.cluster_workers;
  double earliest = 0;
  auto consider = [&](double when, const std::string &name) {
    if (earliest == 0 || when < earliest) {
      earliest = when;
      next_name = name;
    }
  };
  // Rows a user holds locked are left for a later pass.
  for (const Job &job : load_jobs(spi, true, /*lock_rows=*/true)) {
    core::Schedule schedule;
    try {
      schedule = core::parse_schedule(job.schedule);
    } catch (const Error &e) {
      ereport(WARNING, (errmsg("pg_optimize: job \"%s\" disabled: %s", job.name.c_str(), e.message().c_str())));
      disable_job(spi, job.id, "invalid schedule: " + e.message());
      continue;
    }
    auto next_after = [&](double t) {
      return static_cast<double>(core::next_run(schedule, static_cast<std::int64_t>(t), tz));
    };
    if (!job.next_run) {
      const double next = next_after(now);
      set_next_run(spi, job.id, next);
      consider(next, job.name);
      continue;
    }
    if (*job.next_run > now) {
      consider(*job.next_run, job.name);
      continue;
    }
    // Due. The next occurrence keeps the job's rhythm, unless the server was down past it.
    double following = next_after(*job.next_run);
    if (following <= now)
      following = next_after(now);
    if (std::find(running.job_ids.begin(), running.job_ids.end(), job.id) != running.job_ids.end()) {
      // Recorded once per run that is still going, however often the schedule comes round meanwhile.
      if (!skipped_during_current_run(spi, job.id))
        insert_run(spi, job.id, job.name, job.owner, "", "skipped", "the previous run is still running");
      set_next_run(spi, job.id, following);
      consider(following, job.name);
      continue;
    }
    if (db_budget <= 0 || cluster_budget <= 0) {
      waiting_for_budget = true;
      continue;
    }
    // A row that cannot run as it stands is skipped with the reason: logged and recorded the first time, not at
    // every occurrence (a job due every second must not fill the history or the log).
    std::string reason;
    if (!role_exists(job.owner))
      reason = fmt::format("the job's owner (role OID {}) no longer exists", job.owner);
    else if (std::string invalid = row_problem(job); !invalid.empty())
      reason = invalid;
    else if (job.target != 0 && !relation_exists(job.target))
      reason = fmt::format("the job's target (relation OID {}) no longer exists", job.target);
    if (!reason.empty()) {
      if (job.last_status != "skipped" || job.last_message != reason) {
        ereport(LOG, (errmsg("pg_optimize: job \"%s\" skipped: %s", job.name.c_str(), reason.c_str()),
                      errhint("Fix the job with optimize.alter_job() or remove it with optimize.unschedule().")));
        insert_run(spi, job.id, job.name, job.owner, "", "skipped", reason);
        record_outcome(spi, job, "skipped", reason, now, following);
      }
      set_next_run(spi, job.id, following);
      consider(following, job.name);
      continue;
    }
    // The budget again, under the lock, with the run's place taken in the same step: a run_job() or another
    // database's scheduler may have taken the last place since running_now().
    const std::int64_t run_id = next_run_id(spi);
    const Reservation reserved = reserve_job(database, run_id, job.id);
    if (reserved != Reservation::Reserved && reserved != Reservation::Unslotted) {
      waiting_for_budget = true;
      continue;
    }
    launch.push_back(ToLaunch{job, run_id}); // released by the caller if this pass fails
    insert_run(spi, job.id, job.name, job.owner, "", "running", "", run_id);
    mark_started(spi, job.id, now, following);
    running.job_ids.push_back(job.id);
    db_budget--;
    cluster_budget--;
    consider(following, job.name);
  }
  return earliest;
}

void launch_jobs(const std::vector<ToLaunch> &launch) {
  for (const ToLaunch &l : launch) {
    Launched *free_entry = nullptr;
    for (Launched &e : launched)
      if (e.handle == nullptr) {
        free_entry = &e;
        break;
      }
    BackgroundWorkerHandle *handle = nullptr;
    if (free_entry != nullptr) {
      const JobWorkerArgs args{database, l.job.owner, JobMode::Scheduled, l.job.id, l.run_id};
      handle = start_job_worker(args, l.job.name.c_str(), MyProcPid);
    }
    if (handle == nullptr)
      forget_run(l.run_id);
    if (handle != nullptr) {
      *free_entry = Launched{l.run_id, l.job.id, handle};
      continue;
    }
    pg::in_transaction([&](pg::Spi &spi) {
      const std::string message =
          "no free background worker slot: raise max_worker_processes (and pg_optimize.max_workers)";
      finish_run(spi, l.run_id, "skipped", message, "{}");
      record_outcome(spi, l.job, "skipped", message, pg::now_epoch(), std::nullopt);
    });
    ereport(WARNING,
            (errmsg("pg_optimize: could not start job \"%s\": no free background worker slot", l.job.name.c_str()),
             errhint("Raise max_worker_processes.")));
  }
}

enum class Exit { NotInstalled, Terminated };

Exit run() {
  // Claim our slot (the launcher made it).
  {
    Shared *s = shared();
    bool ours = false;
    LWLockAcquire(s->lock, LW_EXCLUSIVE);
    if (DatabaseSlot *slot = find_slot(s, database)) {
      if (slot->scheduler_pid == 0 || slot->scheduler_pid == MyProcPid) {
        slot->scheduler_pid = MyProcPid;
        slot->scheduler_latch = MyLatch;
        slot->state = SchedulerState::Starting; // Idle once the extension is found
        slot->started_at = GetCurrentTimestamp();
        // Read before the look for the extension below: a CREATE EXTENSION that look misses commits later, and
        // bumps the generation after this read, so the launcher will look again.
        slot->checked_generation = s->install_generation;
        ours = true;
      }
    }
    LWLockRelease(s->lock);
    if (!ours)
      return Exit::Terminated; // another scheduler serves this database
  }

  // Runs left 'running' by workers that are gone (a crash, a restart) are marked 'crashed'.
  bool installed = true;
  pg::in_transaction([&](pg::Spi &spi) {
    installed = extension_installed();
    if (installed) {
      const int orphans = mark_orphaned_runs(spi, running_now().run_ids);
      if (orphans > 0)
        ereport(LOG, (errmsg("pg_optimize: marked %d interrupted job run(s) as crashed", orphans)));
    }
  });
  if (!installed)
    return Exit::NotInstalled;
  {
    Shared *s = shared();
    LWLockAcquire(s->lock, LW_EXCLUSIVE);
    if (DatabaseSlot *slot = find_slot(s, database); slot != nullptr && slot->state == SchedulerState::Starting)
      slot->state = SchedulerState::Idle;
    LWLockRelease(s->lock);
  }

  int consecutive_errors = 0;
  while (keep_running()) {
    double sleep_s = kMaxSleepSeconds;
    std::vector<ToLaunch> launch;
    try {
      bool waiting_for_budget = false;
      std::string next_name;
      double next = 0;
      pg::in_transaction([&](pg::Spi &spi) {
        installed = extension_installed();
        if (!installed)
          return;
        reap(spi);
        next = plan_pass(spi, launch, waiting_for_budget, next_name);
      });
      if (!installed)
        return Exit::NotInstalled;
      launch_jobs(launch);
      set_status(next_name.c_str(), next, consecutive_errors > 0 ? "" : nullptr);
      consecutive_errors = 0;
      if (!launch.empty())
        sleep_s = 0; // look again at once: more may be due
      else if (next > 0)
        sleep_s = std::clamp(next - pg::now_epoch(), 0.0, kMaxSleepSeconds);
      if (waiting_for_budget)
        sleep_s = std::min(sleep_s, 10.0); // a job ending wakes us sooner
      // A worker's end reaches us as a latch set by the postmaster (bgw_notify_pid). Under load on PostgreSQL 18 a
      // run of a terminated worker was seen still 'running' minutes later: while workers of ours run, look at their
      // handles every few seconds as well (a shared-memory read each).
      if (std::any_of(std::begin(launched), std::end(launched), [](const Launched &l) { return l.handle != nullptr; }))
        sleep_s = std::min(sleep_s, kRunningJobsPollSeconds);
    } catch (const Error &e) {
      for (const ToLaunch &l : launch)
        forget_run(l.run_id); // places reserved by a pass whose transaction did not commit
      if (terminate_requested)
        continue; // the SIGTERM's cancel ended a wait: leave now
      consecutive_errors++;
      set_status("", 0, e.message().c_str());
      ereport(WARNING, (errmsg("pg_optimize scheduler: %s", e.message().c_str()),
                        errdetail("The scheduler goes on and tries again.")));
      sleep_s = std::min(300.0, 5.0 * consecutive_errors);
    }
    if (sleep_s > 0) {
      const long ms = static_cast<long>(sleep_s * 1000) + 1;
      const int rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION);
      if (rc & WL_LATCH_SET)
        ResetLatch(MyLatch);
    }
  }
  return Exit::Terminated;
}

bool exit_state_set = false;

void leave_slot(int, Datum) {
  Shared *s = shared();
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  if (DatabaseSlot *slot = find_slot(s, database)) {
    // Ended by SIGTERM (die() ends the process from wherever it waited): restarted after a pause.
    if (terminate_requested && !exit_state_set && slot->scheduler_pid == MyProcPid &&
        slot->state != SchedulerState::Paused) {
      slot->state = SchedulerState::Exited;
      slot->restart_after = GetCurrentTimestamp() + 10 * USECS_PER_SEC;
      copy_text(slot->last_error, sizeof(slot->last_error), "stopped by SIGTERM");
      slot->last_error_at = GetCurrentTimestamp();
    }
    if (slot->scheduler_pid == MyProcPid) {
      slot->scheduler_pid = 0;
      slot->scheduler_latch = nullptr;
    }
  }
  Latch *launcher = s->launcher_latch;
  LWLockRelease(s->lock);
  if (launcher != nullptr)
    SetLatch(launcher);
}

void set_exit_state(SchedulerState state, const char *error, double restart_in_s) {
  exit_state_set = true;
  Shared *s = shared();
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  if (DatabaseSlot *slot = find_slot(s, database)) {
    if (slot->state != SchedulerState::Paused) { // DROP/ALTER DATABASE set it and its end time
      slot->state = state;
      slot->restart_after = GetCurrentTimestamp() + static_cast<TimestampTz>(restart_in_s * USECS_PER_SEC);
    }
    if (error != nullptr) {
      copy_text(slot->last_error, sizeof(slot->last_error), error);
      slot->last_error_at = GetCurrentTimestamp();
    }
  }
  LWLockRelease(s->lock);
}

} // namespace
} // namespace pgo::scheduler

void pgo_scheduler_main(Datum arg) {
  using namespace pgo::scheduler;
  database = DatumGetObjectId(arg);
  prepare_worker_process(/*cancel_waits=*/true);
  BackgroundWorkerInitializeConnectionByOid(database, InvalidOid, 0);
  before_shmem_exit(leave_slot, 0);
  pgstat_report_appname("pg_optimize scheduler");
  const Exit exit = pgo::pg::barrier([] {
    pin_worker_settings();
    return run();
  });
  if (exit == Exit::NotInstalled)
    set_exit_state(SchedulerState::NotInstalled, nullptr, 0);
  else
    set_exit_state(SchedulerState::Exited, "stopped by SIGTERM", 10);
  proc_exit(0);
}
