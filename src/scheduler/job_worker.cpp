// The job worker ("pg_optimize job" in pg_stat_activity): runs one job, or one optimize.run_maintenance(), in the
// job's database, as the job's owner, each statement as a top-level statement in its own transaction with the job's
// lock_timeout and what is left of its max_runtime as statement_timeout; records the outcome in optimize.job_runs and
// optimize.jobs. The run row is committed before any work starts, so a crash leaves a 'running' row that the
// scheduler marks 'crashed'.
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/schedule.hpp"
#include "pg/barrier.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"
#include "pg/server_time.hpp"
#include "pg/spi.hpp"
#include "pg/toplevel.hpp"
#include "pg/transaction.hpp"
#include "scheduler/job_plan.hpp"
#include "scheduler/job_store.hpp"
#include "scheduler/security.hpp"
#include "scheduler/shared_state.hpp"
#include "scheduler/workers.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

PGDLLEXPORT void pgo_job_main(Datum arg);
}

namespace pgo::scheduler {
namespace {

JobWorkerArgs args;

// Our entry in the database's list of running jobs: the pid once started, removed at exit whatever the exit.
void publish_pid(std::int64_t run_id) {
  Shared *s = shared();
  if (s == nullptr)
    return;
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  if (DatabaseSlot *slot = find_slot(s, args.database)) {
    RunningJob *free_entry = nullptr;
    bool found = false;
    for (RunningJob &j : slot->jobs) {
      if (j.run_id == run_id && run_id != 0 && !found) {
        j.pid = MyProcPid;
        found = true;
      } else if (j.run_id == 0 && free_entry == nullptr) {
        free_entry = &j;
      }
    }
    if (!found && free_entry != nullptr) // manual and maintenance runs register themselves
      *free_entry = RunningJob{run_id, args.job_id, MyProcPid, GetCurrentTimestamp()};
  }
  LWLockRelease(s->lock);
}

void unpublish(int, Datum) {
  Shared *s = shared();
  if (s == nullptr)
    return;
  LWLockAcquire(s->lock, LW_EXCLUSIVE);
  for (int i = 0; i < s->nslots; i++)
    for (RunningJob &j : s->slots[i].jobs)
      if (j.pid == MyProcPid)
        j = RunningJob{0, 0, 0, 0};
  Latch *latch = nullptr;
  if (DatabaseSlot *slot = find_slot(s, args.database))
    latch = slot->scheduler_latch;
  LWLockRelease(s->lock);
  if (latch != nullptr)
    SetLatch(latch);
}

std::int64_t dead_tuples(Oid relid) { return pg::call_int64(pg_stat_get_dead_tuples, ObjectIdGetDatum(relid)); }

void set_setting(const char *name, const std::string &value) {
  const char *v = value.c_str();
  pg::guard([&] { SetConfigOption(name, v, PGC_SUSET, PGC_S_SESSION); });
}

struct ActionResult {
  std::string status = "succeeded";
  std::string message;
  double duration_ms = 0;
  std::optional<std::int64_t> dead_before, dead_after;
};

// Runs one statement as the job's owner, so the owner's rights and no more apply, and SET ROLE cannot change that
// back (SECURITY_LOCAL_USERID_CHANGE). Not a security-restricted operation: REFRESH ... CONCURRENTLY needs a
// temporary table, and VACUUM, ANALYZE and REFRESH run the owner's functions restricted by themselves.
// The job's own lock_timeout, for its statements only (bookkeeping keeps kBookkeepingLockTimeout).
std::string job_lock_timeout = "5s";

ActionResult execute(const JobAction &action, Oid owner) {
  ActionResult r;
  const bool vacuums = action.planned.sql.rfind("VACUUM", 0) == 0;
  if (vacuums && OidIsValid(action.relation))
    r.dead_before = pg::in_transaction([&](pg::Spi &) { return dead_tuples(action.relation); });
  Oid saved_user = InvalidOid;
  int saved_context = 0;
  GetUserIdAndSecContext(&saved_user, &saved_context);
  const auto start = std::chrono::steady_clock::now();
  try {
    set_setting("lock_timeout", job_lock_timeout);
    SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
    pg::run_toplevel_statement(action.planned.sql);
    SetUserIdAndSecContext(saved_user, saved_context);
    set_setting("lock_timeout", kBookkeepingLockTimeout);
  } catch (const Error &e) {
    SetUserIdAndSecContext(saved_user, saved_context);
    set_setting("lock_timeout", kBookkeepingLockTimeout);
    r.status = e.sqlstate() == "57014" || e.sqlstate() == "55P03" ? "timeout" : "failed";
    r.message = e.message();
    if (e.sqlstate() == "55P03")
      r.message += " (the job's lock_timeout: it gave way instead of blocking other sessions)";
    else if (e.sqlstate() == "57014")
      r.message += " (the job's max_runtime)";
  }
  r.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (vacuums && OidIsValid(action.relation) && r.status == "succeeded")
    r.dead_after = pg::in_transaction([&](pg::Spi &) { return dead_tuples(action.relation); });
  return r;
}

std::string action_json(const JobAction &a, const ActionResult &r) {
  std::string json = fmt::format(
      "{{\"action\": {}, \"object\": {}, \"reason\": {}, \"sql\": {}, \"status\": {}, \"duration_ms\": {:.1f}",
      json_string(a.planned.action), json_string(a.planned.object), json_string(a.planned.reason),
      json_string(a.planned.sql), json_string(r.status), r.duration_ms);
  if (!r.message.empty())
    json += ", \"message\": " + json_string(r.message);
  if (r.dead_before)
    json += fmt::format(", \"dead_tuples_before\": {}", *r.dead_before);
  if (r.dead_after)
    json += fmt::format(", \"dead_tuples_after\": {}", *r.dead_after);
  return json + "}";
}

void record_job_outcome(const Job &job, const std::string &status, const std::string &message) {
  constexpr int kTries = 60;
  for (int attempt = 0; attempt < kTries; attempt++) {
    const bool done = pg::in_transaction([&](pg::Spi &spi) {
      if (!lock_job(spi, job.id))
        return spi.run("SELECT 1 FROM optimize.jobs WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
                       {std::to_string(job.id)}, true)
                   .processed == 0; // gone: nothing to record
      std::optional<double> regular;
      try {
        regular = static_cast<double>(core::next_run(
            core::parse_schedule(job.schedule), static_cast<std::int64_t>(pg::now_epoch()), pg::SessionTimeZone()));
      } catch (const Error &) {
      }
      record_outcome(spi, job, status, message, pg::now_epoch(), regular);
      return true;
    });
    if (done)
      return;
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    CHECK_FOR_INTERRUPTS();
  }
  ereport(LOG, (errmsg("pg_optimize job \"%s\": its row in optimize.jobs stayed locked by another session; the "
                       "outcome is recorded in optimize.job_runs only",
                       job.name.c_str())));
}

void run() {
  // 1. The job and its run row, committed before the work starts.
  struct Setup {
    Job job;
    std::int64_t run_id = 0;
    bool gone = false;
  };
  Setup setup = pg::in_transaction([&](pg::Spi &spi) {
    Setup s;
    if (args.mode == JobMode::Maintenance) {
      s.job.name = "run_maintenance";
      s.job.kind = "vacuum_analyze";
      s.job.owner = args.owner;
      s.job.max_runtime_s = 24 * 3600;
      s.job.lock_timeout_s = 5;
      s.run_id = insert_run(spi, std::nullopt, s.job.name, args.owner, "", "running", "", args.run_id);
    } else if (auto job = find_job(spi, args.job_id)) {
      s.job = *job;
      s.run_id = args.mode == JobMode::Manual
                     ? insert_run(spi, job->id, job->name, job->owner, job->target ? std::to_string(job->target) : "",
                                  "running", "run by optimize.run_job", args.run_id)
                     : args.run_id;
    } else {
      s.gone = true;
      s.run_id = args.run_id;
      if (args.mode == JobMode::Scheduled)
        finish_run(spi, s.run_id, "skipped", "the job was removed before it started", "{}");
    }
    if (!s.gone) {
      set_run_pid(spi, s.run_id, MyProcPid);
      if (s.job.target != 0)
        spi.run("UPDATE optimize.job_runs SET target = $2::pg_catalog.oid::pg_catalog.regclass::pg_catalog.text "
                "WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
                {std::to_string(s.run_id), std::to_string(s.job.target)});
    }
    return s;
  });
  if (setup.gone)
    return;
  publish_pid(setup.run_id);
  const Job &job = setup.job;
  pgstat_report_appname(fmt::format("pg_optimize job {}", job.name).c_str());

  // 2. What to do. A job that cannot run as it stands is skipped, with the reason.
  std::vector<JobAction> actions;
  std::string skip_reason;
  try {
    actions = pg::in_transaction([&](pg::Spi &) {
      check_job_row(job);
      return args.mode == JobMode::Maintenance ? plan_maintenance(job.owner) : plan_job(job);
    });
  } catch (const Error &e) {
    skip_reason = e.message();
  }

  // 3. The work, each statement in its own transaction, within the job's time budget.
  const JobOptions options =
      skip_reason.empty() && args.mode != JobMode::Maintenance
          ? pg::in_transaction([&](pg::Spi &) { return parse_job_options(job.kind, job.options); })
          : JobOptions{};
  // Jobs pace VACUUM like autovacuum does (a manual VACUUM runs unthrottled), unless the job says otherwise.
  // autovacuum's -1 means "the same as vacuum_cost_delay/limit": then the server's own stay in force.
  auto autovacuum_setting = [](const char *name) -> std::optional<std::string> {
    const char *value = GetConfigOption(name, true, false);
    if (value == nullptr || std::string(value) == "-1")
      return std::nullopt;
    return std::string(value);
  };
  if (options.cost_delay_ms)
    set_setting("vacuum_cost_delay", fmt::format("{}", *options.cost_delay_ms));
  else if (auto delay = autovacuum_setting("autovacuum_vacuum_cost_delay"))
    set_setting("vacuum_cost_delay", *delay);
  if (options.cost_limit)
    set_setting("vacuum_cost_limit", std::to_string(*options.cost_limit));
  else if (auto limit = autovacuum_setting("autovacuum_vacuum_cost_limit"))
    set_setting("vacuum_cost_limit", *limit);
  job_lock_timeout = fmt::format("{}", std::max(1.0, job.lock_timeout_s * 1000));

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(job.max_runtime_s);
  // (GetConfigOption answers in a static buffer: one call at a time.)
  const std::string cost_delay = GetConfigOption("vacuum_cost_delay", false, false);
  const std::string cost_limit = GetConfigOption("vacuum_cost_limit", false, false);
  std::string details =
      fmt::format("{{\"vacuum_cost_delay_ms\": {}, \"vacuum_cost_limit\": {}, \"actions\": [", cost_delay, cost_limit);
  int succeeded = 0, failed = 0, timeouts = 0, not_run = 0;
  std::string first_problem;
  for (std::size_t i = 0; i < actions.size(); i++) {
    const double left_ms =
        std::chrono::duration<double, std::milli>(deadline - std::chrono::steady_clock::now()).count();
    ActionResult r;
    if (left_ms < 1) {
      r.status = "not run";
      r.message = "max_runtime reached before this step";
      not_run++;
    } else {
      set_setting("statement_timeout", fmt::format("{:.0f}", std::max(1.0, left_ms)));
      r = execute(actions[i], job.owner);
      if (r.status == "succeeded")
        succeeded++;
      else if (r.status == "timeout")
        timeouts++;
      else
        failed++;
      if (r.status != "succeeded" && first_problem.empty())
        first_problem = actions[i].planned.object + ": " + r.message;
    }
    details += (i ? ", " : "") + action_json(actions[i], r);
    CHECK_FOR_INTERRUPTS();
  }
  set_setting("statement_timeout", "0");
  details += "]}";

  std::string status, message;
  if (!skip_reason.empty()) {
    status = "skipped";
    message = skip_reason;
  } else {
    status = timeouts > 0 || not_run > 0 ? "timeout" : failed > 0 ? "failed" : "succeeded";
    message = actions.empty() ? "nothing to do"
                              : fmt::format("{} of {} steps succeeded{}", succeeded, actions.size(),
                                            first_problem.empty() ? "" : "; " + first_problem);
    if (not_run > 0)
      message += fmt::format("; {} not run within max_runtime", not_run);
  }

  // 4. The outcome: the run first (no user can lock it), then the job's row, which a user may hold locked for a
  // while: tried again each second for a bounded time, never waited on (a SIGTERM ends the worker meanwhile).
  pg::in_transaction([&](pg::Spi &spi) { finish_run(spi, setup.run_id, status, message, details); });
  if (args.mode != JobMode::Maintenance)
    record_job_outcome(job, status, message);
  if (status != "succeeded")
    ereport(LOG, (errmsg("pg_optimize job \"%s\": %s: %s", job.name.c_str(), status.c_str(), message.c_str())));
}

} // namespace
} // namespace pgo::scheduler

void pgo_job_main(Datum) {
  using namespace pgo::scheduler;
  std::memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  BackgroundWorkerInitializeConnectionByOid(args.database, InvalidOid, 0);
  before_shmem_exit(unpublish, 0);
  pgo::pg::barrier([] {
    pin_worker_settings();
    run();
  });
}
