// The SQL API of the automation: optimize.schedule(), alter_job(), unschedule(), run_job(), run_maintenance() and
// the scheduler_status view. Every function pins search_path for the statements it runs, checks the caller and its
// input in C before anything is written, and then writes with the rights of the owner of optimize.jobs (which grants
// no INSERT, UPDATE or DELETE to anyone else), with the caller as the job's owner; a failed call leaves nothing
// behind.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/maintenance_plan.hpp"
#include "core/schedule.hpp"
#include "pg/barrier.hpp"
#include "pg/compat.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"
#include "pg/server_time.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "scheduler/job_plan.hpp"
#include "scheduler/job_store.hpp"
#include "scheduler/scheduler_settings.hpp"
#include "scheduler/security.hpp"
#include "scheduler/shared_state.hpp"
#include "scheduler/workers.hpp"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

namespace pgo::scheduler {
namespace {

constexpr const char *kJobList = "SELECT name, kind, schedule, enabled FROM optimize.jobs; lists the jobs you can see.";

void require_primary(const char *what) {
  if (pg::guard([] { return RecoveryInProgress(); }))
    throw Error("25006", fmt::format("cannot {} during recovery", what), "",
                "Jobs are kept and run on the primary; a standby runs none until it is promoted.");
}

std::string required_text(FunctionCallInfo fcinfo, int n, const char *name, const char *hint) {
  auto v = pg::text_argument(fcinfo, n);
  if (!v)
    throw Error(sqlstate::kNullValueNotAllowed, fmt::format("{} must not be NULL", name), "", hint);
  return *v;
}

// An interval argument as seconds (months count 30 days, as extract(epoch) does), with its text.
struct IntervalArg {
  double seconds;
  std::string text;
};
std::optional<IntervalArg> interval_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n))
    return std::nullopt;
  const Interval *iv = PG_GETARG_INTERVAL_P(n);
  IntervalArg a;
  a.seconds = static_cast<double>(iv->time) / USECS_PER_SEC + static_cast<double>(iv->day) * SECS_PER_DAY +
              static_cast<double>(iv->month) * DAYS_PER_MONTH * SECS_PER_DAY;
  char *s = pg::guard([&] { return DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(iv))); });
  a.text = s;
  pfree(s);
  return a;
}

void check_positive(const std::optional<IntervalArg> &a, const char *name, const char *example) {
  if (a && !(a->seconds >= 0.001))
    throw Error(sqlstate::kInvalidParameterValue, fmt::format("{} must be a positive interval, not {}", name, a->text),
                "", fmt::format("For example {} => '{}'.", name, example));
}

void check_name(const std::string &name) {
  if (name.empty() || name.size() > 200 || name.find_first_of("\n\r\t") != std::string::npos)
    throw Error(sqlstate::kInvalidParameterValue, "a job name must be 1 to 200 characters on one line", "",
                "For example 'vacuum_orders_nightly'.");
}

Error job_exists(const std::string &name) {
  return Error("42710", fmt::format("job \"{}\" already exists", name), "",
               "Change it with optimize.alter_job(), or choose another name (job names are unique across roles).");
}

// Runs a statement that writes a job's name: a name taken by another role's job, which the caller cannot see (row-level
// security) and so could not check first, gets the same clear error as a visible one.
pg::SqlResult write_job(pg::Spi &spi, const std::string &sql, const std::vector<pg::SqlValue> &params,
                        const std::string &name) {
  try {
    return spi.run(sql, params);
  } catch (const Error &e) {
    if (e.sqlstate() == "23505")
      throw job_exists(name);
    throw;
  }
}

// A target must suit the kind, and the caller must be allowed to maintain it.
void check_target(core::JobKind kind, Oid target) {
  if (!OidIsValid(target))
    return;
  if (!core::job_kind_takes_target(kind))
    throw Error(sqlstate::kInvalidParameterValue, fmt::format("{} jobs take no target", core::job_kind_name(kind)), "",
                "Leave target out (NULL) for snapshot and cleanup jobs.");
  const char relkind = pg::guard([&] { return get_rel_relkind(target); });
  char *name_c = pg::guard([&] { return get_rel_name(target); });
  const std::string name = name_c ? name_c : std::to_string(target);
  if (relkind == '\0')
    throw Error("42P01", fmt::format("relation with OID {} does not exist", target));
  if (kind == core::JobKind::RefreshMaterializedViews && relkind != RELKIND_MATVIEW)
    throw Error("42809", fmt::format("\"{}\" is not a materialized view", name), "",
                "refresh_materialized_views jobs take a materialized view, or no target for all of them.");
  if (kind == core::JobKind::PartitionMaintenance && relkind != RELKIND_PARTITIONED_TABLE)
    throw Error("42809", fmt::format("\"{}\" is not a partitioned table", name), "",
                "partition_maintenance jobs take a table registered with optimize.manage_partitions(), or no target "
                "for all of yours.");
  if (kind != core::JobKind::RefreshMaterializedViews && relkind != RELKIND_RELATION && relkind != RELKIND_MATVIEW &&
      relkind != RELKIND_PARTITIONED_TABLE)
    throw Error("42809", fmt::format("\"{}\" is not a table or materialized view", name), "",
                fmt::format("{} jobs take a table, a partitioned table or a materialized view, or no target for every "
                            "table that needs it.",
                            core::job_kind_name(kind)));
  const Oid user = GetUserId();
  if (!pg::guard([&] { return pg::compat::can_maintain(target, user); }))
    throw Error("42501", fmt::format("permission denied to schedule {} on \"{}\"", core::job_kind_name(kind), name),
                "A job runs with its owner's rights, and you could not run it on this relation yourself.",
                "Only the owner of the relation (or, from PostgreSQL 17, a role with the MAINTAIN privilege on it) can "
                "schedule maintenance of it.");
}

void notice_if_not_automated() {
  if (shared() != nullptr)
    return;
  ereport(NOTICE, (errmsg("pg_optimize automation is off: jobs run only through optimize.run_job()"),
                   errhint("Add pg_optimize to shared_preload_libraries and restart the server to run jobs on their "
                           "schedule.")));
}

// The job by name, whoever owns it (names are unique across roles), read with the rights of the table's owner.
std::optional<Job> any_job(const std::string &name) {
  AsJobsOwner owner_rights;
  pg::Spi spi;
  return find_job(spi, name);
}

// The job, as the caller may change or run it: theirs (or a role's whose privileges they have), unless superuser. A
// job the caller may not even see (row-level security: neither theirs nor pg_monitor) does not exist for them.
Job job_for_change(const std::string &name) {
  auto job = any_job(name);
  const Oid user = GetUserId();
  if (job) {
    const Oid owner = job->owner;
    if (pg::guard([&] { return superuser() || has_privs_of_role(user, owner); }))
      return *job;
    if (pg::guard([&] { return has_privs_of_role(user, ROLE_PG_MONITOR); }))
      throw Error("42501", fmt::format("only the owner of job \"{}\" or a superuser can change or run it", name));
  }
  throw Error("42704", fmt::format("job \"{}\" does not exist", name), "", kJobList);
}

// A statement that must change exactly the job's row: a job removed meanwhile is a clear error, never a success.
void expect_one_row(const pg::SqlResult &r, const std::string &name) {
  if (r.processed != 1)
    throw Error("42704", fmt::format("job \"{}\" was removed or renamed meanwhile", name), "",
                "Look at optimize.jobs and try again.");
}

bool job_running(std::int64_t job_id) {
  Shared *s = shared();
  if (s == nullptr)
    return false;
  bool running = false;
  LWLockAcquire(s->lock, LW_SHARED);
  if (DatabaseSlot *slot = find_slot(s, MyDatabaseId))
    for (const RunningJob &j : slot->jobs)
      running = running || (j.run_id != 0 && j.job_id == job_id);
  LWLockRelease(s->lock);
  return running;
}

// A place for a job run within pg_optimize.max_parallel_jobs and pg_optimize.max_workers, waited for at most
// pg_optimize.worker_wait_timeout; refused with a clear error after that.
void reserve_place(std::int64_t run_id, std::int64_t job_id, const std::string &what) {
  const TimestampTz deadline =
      GetCurrentTimestamp() + static_cast<TimestampTz>(settings::worker_wait_timeout_ms) * 1000;
  for (;;) {
    const Reservation r = reserve_job(MyDatabaseId, run_id, job_id);
    if (r == Reservation::Reserved || r == Reservation::Unslotted)
      return;
    if (GetCurrentTimestamp() >= deadline) {
      const bool database_full = r == Reservation::DatabaseFull;
      throw Error("53000",
                  fmt::format("cannot start {}: {} pg_optimize jobs already run {}", what,
                              database_full ? settings::max_parallel_jobs : settings::max_workers,
                              database_full ? "in this database (pg_optimize.max_parallel_jobs)"
                                            : "or wait in the cluster with the schedulers (pg_optimize.max_workers)"),
                  fmt::format("Waited {} ms (pg_optimize.worker_wait_timeout) for one to end.",
                              settings::worker_wait_timeout_ms),
                  database_full ? "Try again when a job has ended, or raise pg_optimize.max_parallel_jobs."
                                : "Try again when a job has ended, or raise pg_optimize.max_workers (and "
                                  "max_worker_processes).");
    }
    pg::guard([] {
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100, PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
      CHECK_FOR_INTERRUPTS();
    });
  }
}

// Starts a job worker for a run whose id is taken here (the worker records it under that id) and waits for it to
// end; returns the run's id. A worker that ended before it could be waited for, or a pid used again by another
// process, cannot mislead it: the run is looked up by its id.
std::int64_t run_and_wait(JobWorkerArgs args, const std::string &label, const std::string &job_name) {
  {
    AsJobsOwner owner_rights;
    pg::Spi spi;
    args.run_id = next_run_id(spi);
  }
  reserve_place(args.run_id, args.job_id, fmt::format("job \"{}\"", job_name));
  BackgroundWorkerHandle *handle = nullptr;
  try {
    handle = start_job_worker(args, label.c_str(), MyProcPid);
    if (handle == nullptr)
      throw Error("53000", "could not start a job worker: no free background worker slot", "",
                  "Raise max_worker_processes, or try again when fewer jobs run.");
    pid_t pid = 0;
    const BgwHandleStatus started = pg::guard([&] { return WaitForBackgroundWorkerStartup(handle, &pid); });
    if (started == BGWH_STARTED)
      pg::guard([&] { WaitForBackgroundWorkerShutdown(handle); });
  } catch (...) {
    // A worker that never started leaves its place to us; one that runs removes it itself when it ends.
    pid_t pid = 0;
    if (handle == nullptr || GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED)
      release_job(MyDatabaseId, args.run_id);
    throw;
  }
  release_job(MyDatabaseId, args.run_id); // if the worker ended before it took the place over
  AsJobsOwner owner_rights;               // a member of the job's owning role may not see the run itself
  pg::Spi spi;
  const pg::SqlResult r = spi.run("SELECT 1 FROM optimize.job_runs WHERE id OPERATOR(pg_catalog.=) "
                                  "$1::pg_catalog.int8",
                                  {std::to_string(args.run_id)}, /*read_only=*/false); // a new snapshot
  if (r.processed == 0)
    throw Error(sqlstate::kInternalError, fmt::format("the job worker for \"{}\" recorded no run", job_name),
                "It was unable to start, was terminated, or the job was removed meanwhile; see the server log.");
  return args.run_id;
}

} // namespace
} // namespace pgo::scheduler

using namespace pgo;
using namespace pgo::scheduler;

// optimize.schedule(name, kind, schedule, target, options, max_runtime, lock_timeout, max_retries, enabled)
PGO_FUNCTION(pgo_schedule) {
  PinnedSearchPath pinned;
  require_primary("schedule a job");
  const std::string name = required_text(fcinfo, 0, "name", "Give the job a unique name.");
  check_name(name);
  const std::string kind_text =
      required_text(fcinfo, 1, "kind", ("The kinds are: " + core::job_kind_names() + ".").c_str());
  const core::JobKind kind = job_kind(kind_text);
  const Oid caller = GetUserId();
  check_kind_allowed_for(kind_text.c_str(), caller);
  const std::string schedule_text =
      required_text(fcinfo, 2, "schedule",
                    "Use an interval such as '30 seconds' or '1 day', or a cron expression such as '0 3 * * *'.");
  core::parse_schedule(schedule_text);
  const Oid target = PG_ARGISNULL(3) ? InvalidOid : PG_GETARG_OID(3);
  check_target(kind, target);
  if (PG_ARGISNULL(4))
    throw Error(sqlstate::kNullValueNotAllowed, "options must not be NULL", "", "Pass '{}' for no options.");
  char *options_c = pg::guard([&] { return JsonbToCString(nullptr, &PG_GETARG_JSONB_P(4)->root, 0); });
  const std::string options = options_c;
  const auto max_runtime = interval_arg(fcinfo, 5);
  const auto lock_timeout = interval_arg(fcinfo, 6);
  if (!max_runtime || !lock_timeout)
    throw Error(sqlstate::kNullValueNotAllowed, "max_runtime and lock_timeout must not be NULL", "",
                "Leave them out for the defaults (1 hour, 5 seconds).");
  check_positive(max_runtime, "max_runtime", "30 minutes");
  check_positive(lock_timeout, "lock_timeout", "5 seconds");
  if (PG_ARGISNULL(7) || PG_GETARG_INT32(7) < 0)
    throw Error(sqlstate::kInvalidParameterValue, "max_retries must be 0 or more", "",
                "After max_retries consecutive failures a job is disabled; 0 disables it at its first failure.");
  if (PG_ARGISNULL(8))
    throw Error(sqlstate::kNullValueNotAllowed, "enabled must not be NULL");
  const bool enabled = PG_GETARG_BOOL(8);

  if (any_job(name))
    throw job_exists(name);
  // Options are checked against the kind before anything is written.
  parse_job_options(kind_text, options);
  // The first run is left to the scheduler, which works it out in the server's time zone (not the caller's).
  AsJobsOwner owner_rights;
  pg::Spi spi;
  const pg::SqlResult r = write_job(
      spi,
      "INSERT INTO optimize.jobs (name, kind, target, schedule, enabled, max_runtime, lock_timeout, max_retries, "
      "options, owner) VALUES ($1, $2, $3::pg_catalog.oid::pg_catalog.regclass, $4, $5::pg_catalog.bool, "
      "$6::pg_catalog.interval, $7::pg_catalog.interval, $8::pg_catalog.int4, $9::pg_catalog.jsonb, "
      "$10::pg_catalog.oid::pg_catalog.regrole) RETURNING id",
      {name, kind_text, OidIsValid(target) ? pg::SqlValue(std::to_string(target)) : std::nullopt, schedule_text,
       enabled ? "true" : "false", max_runtime->text, lock_timeout->text, std::to_string(PG_GETARG_INT32(7)), options,
       std::to_string(caller)},
      name);
  wake_at_commit(MyDatabaseId);
  notice_if_not_automated();
  return Int64GetDatum(std::stoll(*r.scalar()));
}

// optimize.alter_job(name, schedule, enabled, target, options, max_runtime, lock_timeout, max_retries, new_name)
PGO_FUNCTION(pgo_alter_job) {
  PinnedSearchPath pinned;
  require_primary("change a job");
  const std::string name = required_text(fcinfo, 0, "name", kJobList);
  const Job job = job_for_change(name);
  const core::JobKind kind = job_kind(job.kind);
  std::vector<std::string> sets;
  std::vector<pg::SqlValue> params{std::to_string(job.id)};
  // Adds "<expression with $n>" with its parameter; `assignment` holds {} for the parameter's place.
  auto set = [&](const std::string &assignment, pg::SqlValue value) {
    params.push_back(std::move(value));
    sets.push_back(fmt::format(fmt::runtime(assignment), "$" + std::to_string(params.size())));
  };
  const auto schedule_text = pg::text_argument(fcinfo, 1);
  if (schedule_text) {
    core::parse_schedule(*schedule_text);
    set("schedule = {}", *schedule_text);
    sets.push_back("next_run = NULL"); // the scheduler works it out, in the server's time zone
  }
  if (!PG_ARGISNULL(2)) {
    const bool enabled = PG_GETARG_BOOL(2);
    set("enabled = {}::pg_catalog.bool", enabled ? "true" : "false");
    // Re-enabling is a fresh start: the failure count goes, and so does a retry delay (the scheduler works out the
    // next run again).
    if (enabled)
      sets.push_back(schedule_text ? "consecutive_failures = 0"
                                   : "consecutive_failures = 0, next_run = CASE WHEN enabled THEN next_run END");
  }
  if (!PG_ARGISNULL(3)) {
    const Oid target = PG_GETARG_OID(3); // '-' (0) makes the target automatic
    check_target(kind, target);
    set("target = {}::pg_catalog.oid::pg_catalog.regclass",
        OidIsValid(target) ? pg::SqlValue(std::to_string(target)) : std::nullopt);
  }
  if (!PG_ARGISNULL(4)) {
    char *options_c = pg::guard([&] { return JsonbToCString(nullptr, &PG_GETARG_JSONB_P(4)->root, 0); });
    const std::string options = options_c;
    parse_job_options(job.kind, options);
    set("options = {}::pg_catalog.jsonb", options);
  }
  const auto max_runtime = interval_arg(fcinfo, 5);
  check_positive(max_runtime, "max_runtime", "30 minutes");
  if (max_runtime)
    set("max_runtime = {}::pg_catalog.interval", max_runtime->text);
  const auto lock_timeout = interval_arg(fcinfo, 6);
  check_positive(lock_timeout, "lock_timeout", "5 seconds");
  if (lock_timeout)
    set("lock_timeout = {}::pg_catalog.interval", lock_timeout->text);
  if (!PG_ARGISNULL(7)) {
    if (PG_GETARG_INT32(7) < 0)
      throw Error(sqlstate::kInvalidParameterValue, "max_retries must be 0 or more");
    set("max_retries = {}::pg_catalog.int4", std::to_string(PG_GETARG_INT32(7)));
  }
  const std::optional<std::string> new_name = pg::text_argument(fcinfo, 8);
  if (new_name) {
    check_name(*new_name);
    if (*new_name != name && any_job(*new_name))
      throw job_exists(*new_name);
    set("name = {}", *new_name);
  }
  if (sets.empty())
    throw Error(sqlstate::kInvalidParameterValue, "nothing to change", "",
                "Pass at least one of schedule, enabled, target, options, max_runtime, lock_timeout, max_retries or "
                "new_name.");
  std::string sql = "UPDATE optimize.jobs SET ";
  for (std::size_t i = 0; i < sets.size(); i++)
    sql += (i ? ", " : "") + sets[i];
  AsJobsOwner owner_rights;
  pg::Spi spi;
  expect_one_row(
      write_job(spi, sql + " WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8", params, new_name.value_or(name)),
      name);
  wake_at_commit(MyDatabaseId);
  return Int64GetDatum(job.id);
}

PGO_FUNCTION(pgo_unschedule) {
  PinnedSearchPath pinned;
  require_primary("remove a job");
  const std::string name = required_text(fcinfo, 0, "name", kJobList);
  const Job job = job_for_change(name);
  AsJobsOwner owner_rights;
  pg::Spi spi;
  expect_one_row(spi.run("DELETE FROM optimize.jobs WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
                         {std::to_string(job.id)}),
                 name);
  wake_at_commit(MyDatabaseId);
  return BoolGetDatum(true);
}

PGO_FUNCTION(pgo_run_job) {
  PinnedSearchPath pinned;
  require_primary("run a job");
  const std::string name = required_text(fcinfo, 0, "name", kJobList);
  const Job job = job_for_change(name);
  if (job_running(job.id))
    throw Error("55006", fmt::format("job \"{}\" is running already", name), "",
                "A job never runs twice at once; see optimize.job_runs for the run in progress.");
  const JobWorkerArgs args{MyDatabaseId, job.owner, JobMode::Manual, job.id, 0};
  return Int64GetDatum(run_and_wait(args, job.name, job.name));
}

PGO_FUNCTION(pgo_plan_maintenance) {
  PinnedSearchPath pinned;
  const std::vector<JobAction> actions = plan_maintenance(GetUserId());
  pg::ResultSet out(fcinfo);
  for (const JobAction &a : actions) {
    out.begin_row();
    out.add_text(a.planned.action);
    out.add_text(a.planned.object);
    out.add_text(a.planned.reason);
    out.add_text(a.planned.sql);
    out.end_row();
  }
  return out.done();
}

PGO_FUNCTION(pgo_run_maintenance) {
  PinnedSearchPath pinned;
  require_primary("run maintenance");
  const JobWorkerArgs args{MyDatabaseId, GetUserId(), JobMode::Maintenance, 0, 0};
  return Int64GetDatum(run_and_wait(args, "run_maintenance", "run_maintenance"));
}

PGO_FUNCTION(pgo_scheduler_status) {
  pg::ResultSet out(fcinfo);
  Shared *s = shared();
  if (s == nullptr) {
    ereport(NOTICE, (errmsg("pg_optimize automation is off: no scheduler runs"),
                     errhint("Add pg_optimize to shared_preload_libraries and restart the server.")));
    return out.done();
  }
  std::vector<DatabaseSlot> slots(static_cast<std::size_t>(s->nslots));
  std::vector<Oid> waiting(kMaxWaitingDatabases);
  char waiting_reason[kErrorLength];
  LWLockAcquire(s->lock, LW_SHARED);
  for (int i = 0; i < s->nslots; i++)
    slots[i] = s->slots[i];
  waiting.resize(static_cast<std::size_t>(s->nwaiting));
  for (int i = 0; i < s->nwaiting; i++)
    waiting[i] = s->waiting[i];
  std::memcpy(waiting_reason, s->waiting_reason, sizeof(waiting_reason));
  const TimestampTz waiting_since = s->waiting_since;
  LWLockRelease(s->lock);
  // Databases without a slot: every one the launcher could not give one, and this one (it has the extension) if it
  // is in neither list.
  bool this_listed = std::find(waiting.begin(), waiting.end(), MyDatabaseId) != waiting.end();
  for (const DatabaseSlot &slot : slots)
    this_listed = this_listed || (slot.state != SchedulerState::Free && slot.database == MyDatabaseId);
  if (!this_listed)
    waiting.push_back(MyDatabaseId);
  for (Oid database : waiting) {
    char *db = pg::guard([&] { return get_database_name(database); });
    if (db == nullptr)
      continue;
    if (!database_wanted(db)) {
      out.begin_row();
      out.add_name(db);
      out.add_null();
      out.add_text(state_name(SchedulerState::Excluded));
      out.add_int32(0);
      for (int i = 0; i < 5; i++)
        out.add_null();
      out.end_row();
      continue;
    }
    out.begin_row();
    out.add_name(db);
    out.add_null();
    out.add_text("waiting for a slot");
    out.add_int32(0);
    out.add_null();
    out.add_null();
    out.add_null();
    out.add_text(waiting_since != 0 ? waiting_reason
                                    : "the launcher has not given this database a scheduler yet (see the server log)");
    if (waiting_since != 0)
      out.add_timestamp(waiting_since);
    else
      out.add_null();
    out.end_row();
  }
  for (const DatabaseSlot &slot : slots) {
    if (slot.state == SchedulerState::Free)
      continue;
    char *db = pg::guard([&] { return get_database_name(slot.database); });
    if (db == nullptr)
      continue; // dropped
    int running = 0;
    for (const RunningJob &j : slot.jobs)
      running += j.run_id != 0;
    out.begin_row();
    out.add_name(db);
    if (slot.scheduler_pid != 0)
      out.add_int32(slot.scheduler_pid);
    else
      out.add_null();
    out.add_text(state_name(slot.state));
    out.add_int32(running);
    if (slot.next_job[0] != '\0')
      out.add_text(slot.next_job);
    else
      out.add_null();
    if (slot.next_run_at != 0)
      out.add_timestamp(slot.next_run_at);
    else
      out.add_null();
    if (slot.started_at != 0)
      out.add_timestamp(slot.started_at);
    else
      out.add_null();
    if (slot.last_error[0] != '\0') {
      out.add_text(slot.last_error);
      out.add_timestamp(slot.last_error_at);
    } else {
      out.add_null();
      out.add_null();
    }
    out.end_row();
  }
  return out.done();
}

PGO_FUNCTION(pgo_wake_scheduler) {
  if (shared() == nullptr)
    notice_automation_off_at_commit();
  else
    wake_at_commit(MyDatabaseId, /*extension_created=*/true); // called by the extension script only
  PG_RETURN_VOID();
}
