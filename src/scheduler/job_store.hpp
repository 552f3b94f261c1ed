// The job store: optimize.jobs and optimize.job_runs, read and written through SPI by the schedulers, the job workers
// and the SQL API. Times are epoch seconds. Needs a transaction (and an Spi connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/spi.hpp"

namespace pgo::scheduler {

struct Job {
  std::int64_t id = 0;
  std::string name;
  std::string kind;
  std::uint32_t target = 0; // regclass; 0: automatic selection
  std::string schedule;
  bool enabled = true;
  double max_runtime_s = 3600;
  double lock_timeout_s = 5;
  int max_retries = 5;
  std::string options; // jsonb text
  std::uint32_t owner = 0;
  std::optional<double> next_run;
  std::optional<double> last_run;
  double created_at = 0;
  int consecutive_failures = 0;
  std::string last_status;
  std::string last_message;
};

// Every job (the caller's row-level security applies), or only the enabled ones. lock_rows: each row locked FOR NO
// KEY UPDATE, rows another session holds locked left out (SKIP LOCKED): the scheduler never waits on a user's lock.
std::vector<Job> load_jobs(pg::Spi &spi, bool enabled_only, bool lock_rows = false);
std::optional<Job> find_job(pg::Spi &spi, const std::string &name);
std::optional<Job> find_job(pg::Spi &spi, std::int64_t id);

// A run id taken from optimize.job_runs_id_seq now (visible at once, whatever becomes of the transaction).
std::int64_t next_run_id(pg::Spi &spi);
// A run row, committed by the caller's transaction, with the given id (one from next_run_id()) or a new one. Returns
// its id. The job's oldest finished runs beyond pg_optimize.history_per_job go at the same time.
std::int64_t insert_run(pg::Spi &spi, std::optional<std::int64_t> job_id, const std::string &job_name,
                        std::uint32_t owner, const std::string &target, const std::string &status,
                        const std::string &message, std::optional<std::int64_t> run_id = std::nullopt);
// Deletes the finished runs of a job beyond pg_optimize.history_per_job (by job_id, or by name for ad-hoc runs).
void prune_history(pg::Spi &spi, std::optional<std::int64_t> job_id, const std::string &job_name);
// Locks a job's row FOR NO KEY UPDATE unless another session holds it (SKIP LOCKED): false then, or when it is gone.
bool lock_job(pg::Spi &spi, std::int64_t job_id);
void set_run_pid(pg::Spi &spi, std::int64_t run_id, int pid);
// Ends a run; details is a jsonb object text.
void finish_run(pg::Spi &spi, std::int64_t run_id, const std::string &status, const std::string &message,
                const std::string &details);
// The status of a run, nullopt when it does not exist.
std::optional<std::string> run_status(pg::Spi &spi, std::int64_t run_id);

void set_next_run(pg::Spi &spi, std::int64_t job_id, std::optional<double> next_run);
// Marks a job started now: last_run, next_run, last_status 'running'.
void mark_started(pg::Spi &spi, std::int64_t job_id, double now, double next_run);
// Records how a run of a job ended: succeeded resets the failure count; a failure (failed, timeout, crashed) counts,
// pushes next_run back by the retry delay and disables the job after max_retries; skipped changes neither.
void record_outcome(pg::Spi &spi, const Job &job, const std::string &status, const std::string &message, double now,
                    std::optional<double> regular_next_run);
void disable_job(pg::Spi &spi, std::int64_t job_id, const std::string &message);

// Runs left 'running' by workers that are gone: marked 'crashed'. keep: run ids of workers still alive.
int mark_orphaned_runs(pg::Spi &spi, const std::vector<std::int64_t> &keep);

// Whether the failure statuses count against max_retries.
bool is_failure(const std::string &status);

// Whether a run of the job was skipped since its current run started (one such row per run is enough).
bool skipped_during_current_run(pg::Spi &spi, std::int64_t job_id);

// jsonb/text helpers for building details.
std::string json_string(const std::string &text);

} // namespace pgo::scheduler
