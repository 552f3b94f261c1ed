#include "scheduler/shared_state.hpp"

#include <cstring>

#include "pg/guard.hpp"
#include "scheduler/scheduler_settings.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"
}

namespace pgo::scheduler {
namespace {

Shared *state = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

constexpr const char *kTrancheName = "pg_optimize scheduler";

Size shared_size() { return add_size(offsetof(Shared, slots), mul_size(sizeof(DatabaseSlot), settings::max_workers)); }

void request_shared_memory() {
  if (previous_request_hook != nullptr)
    previous_request_hook();
  RequestAddinShmemSpace(shared_size());
  RequestNamedLWLockTranche(kTrancheName, 1);
}

void startup_shared_memory() {
  if (previous_startup_hook != nullptr)
    previous_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  state = static_cast<Shared *>(ShmemInitStruct("pg_optimize scheduler", shared_size(), &found));
  if (!found) {
    std::memset(static_cast<void *>(state), 0, shared_size());
    state->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
    state->nslots = settings::max_workers;
  }
  LWLockRelease(AddinShmemInitLock);
}

// Databases whose scheduler is to be woken when the current transaction commits.
Oid wake_database = InvalidOid;
bool wake_extension_created = false;
bool wake_registered = false;

// A NOTICE that automation is off, for the end of CREATE EXTENSION: its script runs with client_min_messages raised
// to WARNING, so a NOTICE raised inside it would never reach the client.
bool automation_notice_pending = false;

void wake_on_commit(XactEvent event, void *) {
  if (event == XACT_EVENT_PRE_COMMIT && automation_notice_pending) {
    automation_notice_pending = false;
    ereport(NOTICE, (errmsg("pg_optimize automation is off: jobs will not run on their schedule"),
                     errhint("Add pg_optimize to shared_preload_libraries and restart the server; every SQL function "
                             "works without it.")));
  }
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
    automation_notice_pending = false;
  if (event == XACT_EVENT_COMMIT && OidIsValid(wake_database)) {
    wake_launcher(wake_extension_created);
    wake_scheduler(wake_database);
  }
  if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_COMMIT ||
      event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE) {
    wake_database = InvalidOid;
    wake_extension_created = false;
  }
}

void register_callback() {
  if (!wake_registered) {
    pg::guard([] { RegisterXactCallback(wake_on_commit, nullptr); });
    wake_registered = true;
  }
}

} // namespace

const char *state_name(SchedulerState s) {
  switch (s) {
  case SchedulerState::Free:
    return "free";
  case SchedulerState::Starting:
    return "starting";
  case SchedulerState::Idle:
    return "running";
  case SchedulerState::NotInstalled:
    return "extension not installed";
  case SchedulerState::Excluded:
    return "excluded by pg_optimize.databases";
  case SchedulerState::Paused:
    return "paused";
  case SchedulerState::Exited:
    return "exited with an error";
  case SchedulerState::Waiting:
    return "waiting for a worker";
  }
  return "unknown";
}

Shared *shared() { return state; }

void install_shared_memory_hooks() {
  previous_request_hook = shmem_request_hook;
  shmem_request_hook = request_shared_memory;
  previous_startup_hook = shmem_startup_hook;
  shmem_startup_hook = startup_shared_memory;
}

DatabaseSlot *find_slot(Shared *s, Oid database) {
  for (int i = 0; i < s->nslots; i++)
    if (s->slots[i].database == database && s->slots[i].state != SchedulerState::Free)
      return &s->slots[i];
  return nullptr;
}

Reservation reserve_job(Oid database, std::int64_t run_id, std::int64_t job_id) {
  Shared *s = state;
  if (s == nullptr)
    return Reservation::Unslotted;
  Reservation result = Reservation::Unslotted;
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  int cluster = 0, in_database = 0;
  RunningJob *free_entry = nullptr;
  DatabaseSlot *own = find_slot(s, database);
  for (int i = 0; i < s->nslots; i++) {
    DatabaseSlot &slot = s->slots[i];
    if (slot.state == SchedulerState::Idle || slot.state == SchedulerState::Starting)
      cluster++;
    for (RunningJob &j : slot.jobs) {
      if (j.run_id != 0) {
        cluster++;
        in_database += &slot == own;
      } else if (&slot == own && free_entry == nullptr) {
        free_entry = &j;
      }
    }
  }
  if (own != nullptr && (in_database >= settings::max_parallel_jobs || free_entry == nullptr))
    result = Reservation::DatabaseFull;
  else if (cluster >= settings::max_workers)
    result = Reservation::ClusterFull;
  else if (own != nullptr) {
    *free_entry = RunningJob{run_id, job_id, 0, GetCurrentTimestamp()};
    result = Reservation::Reserved;
  }
  LWLockRelease(s->lock);
  return result;
}

void release_job(Oid database, std::int64_t run_id) {
  Shared *s = state;
  if (s == nullptr)
    return;
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  if (DatabaseSlot *slot = find_slot(s, database))
    for (RunningJob &j : slot->jobs)
      if (j.run_id == run_id)
        j = RunningJob{0, 0, 0, 0};
  LWLockRelease(s->lock);
}

void copy_text(char *buffer, std::size_t size, const char *text) {
  if (size == 0)
    return;
  std::size_t n = text == nullptr ? 0 : std::strlen(text);
  if (n >= size)
    n = size - 1;
  // Do not cut a multibyte UTF-8 character in two.
  while (n > 0 && n < std::strlen(text) && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    n--;
  if (n > 0)
    std::memcpy(buffer, text, n);
  buffer[n] = '\0';
}

void wake_launcher(bool rescan) {
  if (state == nullptr)
    return;
  LWLockAcquire(state->lock, LW_EXCLUSIVE);
  if (rescan)
    state->install_generation++;
  Latch *latch = state->launcher_latch;
  LWLockRelease(state->lock);
  if (latch != nullptr)
    SetLatch(latch);
}

void wake_scheduler(Oid database) {
  if (state == nullptr)
    return;
  LWLockAcquire(state->lock, LW_SHARED);
  DatabaseSlot *slot = find_slot(state, database);
  Latch *latch = slot != nullptr ? slot->scheduler_latch : nullptr;
  LWLockRelease(state->lock);
  if (latch != nullptr)
    SetLatch(latch);
}

void wake_at_commit(Oid database, bool extension_created) {
  if (state == nullptr)
    return;
  register_callback();
  wake_database = database;
  wake_extension_created = wake_extension_created || extension_created;
}

void notice_automation_off_at_commit() {
  register_callback();
  automation_notice_pending = true;
}

} // namespace pgo::scheduler
