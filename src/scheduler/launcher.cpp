// The launcher ("pg_optimize launcher"): one per cluster, connected to the shared catalogs only. Keeps one scheduler
// running in every database that allows connections (restricted by pg_optimize.databases), within
// pg_optimize.max_workers. A scheduler that finds no extension says so and is started again only when CREATE
// EXTENSION wakes the launcher; one that fails is restarted with a doubling delay (at most five minutes), never in a
// tight loop. Starts after recovery: nothing runs on a standby until it is promoted.
#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/catalog_scan.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/toplevel.hpp"
#include "scheduler/scheduler_settings.hpp"
#include "scheduler/security.hpp"
#include "scheduler/shared_state.hpp"
#include "scheduler/signals.hpp"
#include "scheduler/workers.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "replication/logicallauncher.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"
#include "utils/wait_event.h"

PGDLLEXPORT void pgo_launcher_main(Datum arg);
}

namespace pgo::scheduler {
namespace {

// The handle of the scheduler started for each slot (in TopMemoryContext), nullptr when none.
BackgroundWorkerHandle **handles = nullptr;

// Databases found without the extension whose slot was given to another database, with the install generation of
// that finding. Slots are as many as pg_optimize.max_workers: with more databases than that, those without the
// extension must not keep theirs, or a database that has it could be left without a scheduler.
std::unordered_map<Oid, std::uint64_t> not_installed;

struct DatabaseEntry {
  Oid oid;
  std::string name;
};

std::vector<DatabaseEntry> connectable_databases() {
  std::vector<DatabaseEntry> out;
  pg::guard([] {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
  });
  try {
    catalog::CatalogScan scan(DatabaseRelationId);
    while (HeapTuple tuple = scan.next()) {
      const auto *db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
      if (!db->datallowconn || db->datistemplate || db->datconnlimit == DATCONNLIMIT_INVALID_DB)
        continue;
      out.push_back(DatabaseEntry{db->oid, NameStr(db->datname)});
    }
    scan.close();
    pg::guard([] { CommitTransactionCommand(); });
  } catch (...) {
    pg::recover_from_error();
    throw;
  }
  return out;
}

// pg_optimize.databases as a list of names; empty: all.
std::vector<std::string> wanted_names() {
  std::vector<std::string> out;
  const char *text = settings::databases;
  if (text == nullptr || *text == '\0')
    return out;
  std::string current;
  bool quoted = false;
  for (const char *p = text;; p++) {
    if (*p == '"') {
      quoted = !quoted;
    } else if ((*p == ',' && !quoted) || *p == '\0') {
      const auto b = current.find_first_not_of(" \t"), e = current.find_last_not_of(" \t");
      if (b != std::string::npos)
        out.push_back(current.substr(b, e - b + 1));
      current.clear();
      if (*p == '\0')
        break;
    } else {
      current += *p;
    }
  }
  return out;
}

} // namespace

bool database_wanted(const std::string &name) {
  const std::vector<std::string> wanted = wanted_names();
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
}

namespace {

TimestampTz backoff(int failures) {
  const long seconds = std::min(300L, 1L << std::min(failures, 9));
  return GetCurrentTimestamp() + static_cast<TimestampTz>(seconds) * USECS_PER_SEC;
}

// Background workers left, at the least, for parallel query and logical replication (PostgreSQL's default of 8 less
// pg_optimize's default 4 and its launcher).
constexpr int kRoomForOthers = 3;

// The max_worker_processes that gives pg_optimize `workers` and its launcher and leaves kRoomForOthers.
int needed_worker_processes(int workers) { return workers + 1 + kRoomForOthers; }

std::string budget_reason() {
  return "waiting for a place: pg_optimize.max_workers = " + std::to_string(settings::max_workers) +
         " schedulers and jobs run; raise pg_optimize.max_workers (restart)";
}

// At start: what pg_optimize takes of max_worker_processes, and exactly what to raise when it does not fit.
void report_worker_budget() {
  const int ours = settings::max_workers + 1;
  const int left = max_worker_processes - ours;
  ereport(LOG, (errmsg("pg_optimize launcher started: pg_optimize.max_workers = %d schedulers and jobs plus the "
                       "launcher may use %d of max_worker_processes = %d, leaving %d for parallel query "
                       "(max_parallel_workers = %d) and logical replication (max_logical_replication_workers = %d)",
                       settings::max_workers, ours, max_worker_processes, std::max(left, 0), max_parallel_workers,
                       max_logical_replication_workers)));
  if (ours > max_worker_processes)
    ereport(WARNING,
            (errmsg("pg_optimize.max_workers = %d plus its launcher exceed max_worker_processes = %d",
                    settings::max_workers, max_worker_processes),
             errdetail("Schedulers and jobs beyond the background worker slots cannot start, and parallel query and "
                       "logical replication get none."),
             errhint("Raise max_worker_processes to %d (restart), or lower pg_optimize.max_workers to %d.",
                     needed_worker_processes(settings::max_workers),
                     std::max(1, max_worker_processes - 1 - kRoomForOthers))));
  else if (left < kRoomForOthers)
    ereport(WARNING,
            (errmsg("pg_optimize.max_workers = %d leaves %d of max_worker_processes = %d for parallel query and "
                    "logical replication",
                    settings::max_workers, left, max_worker_processes),
             errhint("Raise max_worker_processes to %d (restart), or lower pg_optimize.max_workers.",
                     needed_worker_processes(settings::max_workers))));
}

// One pass over the databases. Returns how long to sleep (ms).
long pass() {
  const std::vector<DatabaseEntry> databases = connectable_databases();
  const std::vector<std::string> wanted = wanted_names();
  auto is_wanted = [&](const std::string &name) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  };
  Shared *s = shared();
  const TimestampTz now = GetCurrentTimestamp();
  long sleep_ms = settings::launcher_naptime_s * 1000L;
  // Reserved before the lock is taken: nothing below may throw while it is held.
  std::vector<int> to_start;
  std::vector<pid_t> to_stop;
  std::vector<std::pair<Oid, std::uint64_t>> reclaimed; // slots taken from databases without the extension
  to_start.reserve(s->nslots);
  to_stop.reserve(s->nslots);
  reclaimed.reserve(s->nslots);
  bool out_of_slots = false;
  const std::string slot_budget_reason = budget_reason();
  const std::string waiting_reason =
      "no scheduler slot free (pg_optimize.max_workers = " + std::to_string(settings::max_workers) +
      " slots are taken; a database without the extension gives its slot up once found); raise "
      "pg_optimize.max_workers (restart) or name the databases in pg_optimize.databases";
  std::vector<Oid> unslotted; // databases that got no slot
  unslotted.reserve(databases.size());
  bool probing = false; // a scheduler is starting or has not yet looked for the extension: slots may free up

  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  const std::uint64_t generation = s->install_generation;
  int workers = 0;
  for (int i = 0; i < s->nslots; i++) {
    DatabaseSlot &slot = s->slots[i];
    if (slot.state == SchedulerState::Free)
      continue;
    for (const RunningJob &j : slot.jobs)
      workers += j.run_id != 0;
    // A scheduler we started that has ended without saying why (an ERROR or a crash): restart it later.
    if (handles[i] != nullptr) {
      pid_t pid = 0;
      if (GetBackgroundWorkerPid(handles[i], &pid) == BGWH_STOPPED) {
        pfree(handles[i]);
        handles[i] = nullptr;
        slot.scheduler_pid = 0;
        slot.scheduler_latch = nullptr;
        if (slot.state == SchedulerState::Idle || slot.state == SchedulerState::Starting) {
          slot.state = SchedulerState::Exited;
          slot.failures++;
          slot.restart_after = backoff(slot.failures);
          copy_text(slot.last_error, sizeof(slot.last_error), "the scheduler ended unexpectedly (see the server log)");
          slot.last_error_at = now;
        }
      }
    }
    if (slot.state == SchedulerState::Idle || slot.state == SchedulerState::Starting)
      workers++;
    // Running steadily for ten minutes clears the restart backoff.
    if (slot.state == SchedulerState::Idle && slot.failures > 0 && now - slot.started_at > 600 * USECS_PER_SEC)
      slot.failures = 0;
    const auto db = std::find_if(databases.begin(), databases.end(),
                                 [&](const DatabaseEntry &d) { return d.oid == slot.database; });
    const bool jobs_running =
        std::any_of(std::begin(slot.jobs), std::end(slot.jobs), [](const RunningJob &j) { return j.run_id != 0; });
    if (db == databases.end() || !is_wanted(db->name)) {
      if (slot.scheduler_pid != 0)
        to_stop.push_back(slot.scheduler_pid);
      else if (!jobs_running && handles[i] == nullptr)
        slot = DatabaseSlot{}; // gone or left out: free the slot
      else
        slot.state = SchedulerState::Excluded;
      continue;
    }
    if (slot.state == SchedulerState::NotInstalled && slot.checked_generation != generation) {
      slot.state = SchedulerState::Exited; // a CREATE EXTENSION since it looked: look again
      slot.restart_after = now;
    }
    if (slot.state == SchedulerState::Starting)
      probing = true;
  }
  auto known_without_extension = [&](Oid database) {
    if (std::any_of(reclaimed.begin(), reclaimed.end(), [&](const auto &r) { return r.first == database; }))
      return true;
    const auto known = not_installed.find(database);
    return known != not_installed.end() && known->second == generation;
  };
  // A slot whose database was found without the extension, with nothing running there, can go to another database.
  auto reclaimable = [&](int i) {
    const DatabaseSlot &slot = s->slots[i];
    return slot.state == SchedulerState::NotInstalled && slot.scheduler_pid == 0 && handles[i] == nullptr &&
           std::none_of(std::begin(slot.jobs), std::end(slot.jobs), [](const RunningJob &j) { return j.run_id != 0; });
  };
  for (const DatabaseEntry &db : databases) {
    if (!is_wanted(db.name))
      continue;
    int index = -1;
    for (int i = 0; i < s->nslots && index < 0; i++)
      if (s->slots[i].state != SchedulerState::Free && s->slots[i].database == db.oid)
        index = i;
    if (index < 0) {
      if (known_without_extension(db.oid))
        continue;
      for (int i = 0; i < s->nslots && index < 0; i++)
        if (s->slots[i].state == SchedulerState::Free)
          index = i;
      for (int i = 0; i < s->nslots && index < 0; i++)
        if (reclaimable(i)) {
          reclaimed.emplace_back(s->slots[i].database, s->slots[i].checked_generation);
          index = i;
        }
      if (index < 0) {
        out_of_slots = true;
        unslotted.push_back(db.oid);
        continue;
      }
      s->slots[index] = DatabaseSlot{};
      s->slots[index].database = db.oid;
      s->slots[index].state = SchedulerState::Exited;
      s->slots[index].restart_after = now;
    }
    DatabaseSlot &slot = s->slots[index];
    if (slot.state == SchedulerState::Excluded) {
      slot.state = SchedulerState::Exited;
      slot.restart_after = now;
    }
    if ((slot.state == SchedulerState::Exited || slot.state == SchedulerState::Paused ||
         slot.state == SchedulerState::Waiting) &&
        handles[index] == nullptr && slot.scheduler_pid == 0) {
      if (slot.restart_after <= now) {
        if (workers < settings::max_workers) {
          slot.state = SchedulerState::Starting;
          workers++;
          to_start.push_back(index);
        } else {
          out_of_slots = true;
          if (slot.state != SchedulerState::Waiting) {
            slot.state = SchedulerState::Waiting;
            copy_text(slot.last_error, sizeof(slot.last_error), slot_budget_reason.c_str());
            slot.last_error_at = now;
          }
        }
      } else {
        sleep_ms = std::min(sleep_ms, static_cast<long>((slot.restart_after - now) / 1000) + 1);
      }
    }
  }
  s->nwaiting = 0;
  for (Oid db : unslotted)
    if (s->nwaiting < kMaxWaitingDatabases)
      s->waiting[s->nwaiting++] = db;
  if (!unslotted.empty()) {
    copy_text(s->waiting_reason, sizeof(s->waiting_reason), waiting_reason.c_str());
    if (s->waiting_since == 0)
      s->waiting_since = now;
  } else {
    s->waiting_since = 0;
  }
  LWLockRelease(s->lock);

  for (const auto &[database, checked] : reclaimed)
    not_installed[database] = checked;
  for (auto it = not_installed.begin(); it != not_installed.end();) // forget databases that are gone
    if (std::none_of(databases.begin(), databases.end(), [&](const DatabaseEntry &d) { return d.oid == it->first; }))
      it = not_installed.erase(it);
    else
      ++it;
  for (pid_t pid : to_stop)
    kill(pid, SIGTERM);
  for (int index : to_start) {
    const Oid db = s->slots[index].database;
    BackgroundWorkerHandle *handle = start_scheduler(db, MyProcPid);
    LWLockAcquire(s->lock, LW_EXCLUSIVE);
    if (handle != nullptr) {
      handles[index] = handle;
    } else {
      DatabaseSlot &slot = s->slots[index];
      slot.state = SchedulerState::Exited;
      slot.failures++;
      slot.restart_after = backoff(slot.failures);
      copy_text(slot.last_error, sizeof(slot.last_error),
                "no free background worker slot for the scheduler: raise max_worker_processes");
      slot.last_error_at = GetCurrentTimestamp();
    }
    LWLockRelease(s->lock);
  }
  // Not while schedulers are still finding out whether their database has the extension: those without it give
  // their slot up on the next pass.
  static bool warned = false;
  if (out_of_slots && !probing && to_start.empty() && !warned) {
    const int wanted_workers = settings::max_workers + static_cast<int>(unslotted.size());
    ereport(WARNING,
            (errmsg("pg_optimize: not every database gets a scheduler: pg_optimize.max_workers = %d is in use",
                    settings::max_workers),
             errdetail("optimize.scheduler_status lists the databases that wait, with the reason."),
             errhint("Raise pg_optimize.max_workers to at least %d and max_worker_processes to at least %d (both "
                     "need a restart), or list the databases that need a scheduler in pg_optimize.databases.",
                     wanted_workers, needed_worker_processes(wanted_workers))));
    warned = true;
  }
  return sleep_ms;
}

void run() {
  Shared *s = shared();
  handles = static_cast<BackgroundWorkerHandle **>(
      pg::guard([&] { return MemoryContextAllocZero(TopMemoryContext, sizeof(void *) * s->nslots); }));
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  s->launcher_pid = MyProcPid;
  s->launcher_latch = MyLatch;
  // Whatever a previous launcher knew is stale: every database found without the extension is looked at again.
  s->install_generation++;
  LWLockRelease(s->lock);

  int consecutive_errors = 0;
  while (keep_running()) {
    long sleep_ms;
    try {
      sleep_ms = pass();
      consecutive_errors = 0;
    } catch (const Error &e) {
      consecutive_errors++;
      ereport(WARNING, (errmsg("pg_optimize launcher: %s", e.message().c_str()),
                        errdetail("The launcher goes on and tries again.")));
      sleep_ms = std::min(300000L, 5000L * consecutive_errors);
    }
    const int rc =
        WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, std::max(1L, sleep_ms), PG_WAIT_EXTENSION);
    if (rc & WL_LATCH_SET)
      ResetLatch(MyLatch);
  }
}

void leave(int, Datum) {
  Shared *s = shared();
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  if (s->launcher_pid == MyProcPid) {
    s->launcher_pid = 0;
    s->launcher_latch = nullptr;
  }
  LWLockRelease(s->lock);
}

} // namespace
} // namespace pgo::scheduler

void pgo_launcher_main(Datum) {
  using namespace pgo::scheduler;
  prepare_worker_process(/*cancel_waits=*/false);
  BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
  before_shmem_exit(leave, 0);
  pgo::pg::barrier([] {
    pin_worker_settings();
    report_worker_budget();
    run();
  });
  proc_exit(0);
}
