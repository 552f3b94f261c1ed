#include "scheduler/job_store.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/maintenance_plan.hpp"
#include "core/report.hpp"
#include "scheduler/scheduler_settings.hpp"

namespace pgo::scheduler {
namespace {

constexpr const char *kJobColumns =
    "id, name, kind, coalesce(target::oid, 0), schedule, enabled, extract(epoch FROM max_runtime), "
    "extract(epoch FROM lock_timeout), max_retries, options::text, owner::oid, extract(epoch FROM next_run), "
    "extract(epoch FROM last_run), extract(epoch FROM created_at), consecutive_failures, coalesce(last_status, ''), "
    "coalesce(last_message, '')";

double to_double(const pg::SqlValue &v) { return v ? std::stod(*v) : 0.0; }
std::int64_t to_int64(const pg::SqlValue &v) { return v ? std::stoll(*v) : 0; }
std::optional<double> to_optional(const pg::SqlValue &v) {
  return v ? std::optional<double>(std::stod(*v)) : std::nullopt;
}

Job job_from(const pg::SqlRow &r) {
  Job j;
  j.id = to_int64(r[0]);
  j.name = r[1].value_or("");
  j.kind = r[2].value_or("");
  j.target = static_cast<std::uint32_t>(to_int64(r[3]));
  j.schedule = r[4].value_or("");
  j.enabled = r[5].value_or("f") == "t";
  j.max_runtime_s = to_double(r[6]);
  j.lock_timeout_s = to_double(r[7]);
  j.max_retries = static_cast<int>(to_int64(r[8]));
  j.options = r[9].value_or("{}");
  j.owner = static_cast<std::uint32_t>(to_int64(r[10]));
  j.next_run = to_optional(r[11]);
  j.last_run = to_optional(r[12]);
  j.created_at = to_double(r[13]);
  j.consecutive_failures = static_cast<int>(to_int64(r[14]));
  j.last_status = r[15].value_or("");
  j.last_message = r[16].value_or("");
  return j;
}

std::string epoch_text(double epoch) { return fmt::format("{:.6f}", epoch); }

} // namespace

std::vector<Job> load_jobs(pg::Spi &spi, bool enabled_only) {
  const pg::SqlResult r = spi.run(
      fmt::format("SELECT {} FROM optimize.jobs {} ORDER BY id", kJobColumns, enabled_only ? "WHERE enabled" : ""), {},
      true);
  std::vector<Job> jobs;
  for (const pg::SqlRow &row : r.rows)
    jobs.push_back(job_from(row));
  return jobs;
}

std::optional<Job> find_job(pg::Spi &spi, const std::string &name) {
  const pg::SqlResult r =
      spi.run(fmt::format("SELECT {} FROM optimize.jobs WHERE name = $1", kJobColumns), {name}, false);
  if (r.rows.empty())
    return std::nullopt;
  return job_from(r.rows.front());
}

std::optional<Job> find_job(pg::Spi &spi, std::int64_t id) {
  const pg::SqlResult r = spi.run(fmt::format("SELECT {} FROM optimize.jobs WHERE id = $1::bigint", kJobColumns),
                                  {std::to_string(id)}, false);
  if (r.rows.empty())
    return std::nullopt;
  return job_from(r.rows.front());
}

std::int64_t insert_run(pg::Spi &spi, std::optional<std::int64_t> job_id, const std::string &job_name,
                        std::uint32_t owner, const std::string &target, const std::string &status,
                        const std::string &message) {
  const pg::SqlResult r =
      spi.run("INSERT INTO optimize.job_runs (job_id, job, owner, target, status, message, finished_at) "
              "VALUES ($1::bigint, $2, $3::oid::regrole, nullif($4, ''), $5, nullif($6, ''), "
              "CASE WHEN $5 <> 'running' THEN clock_timestamp() END) RETURNING id",
              {job_id ? pg::SqlValue(std::to_string(*job_id)) : std::nullopt, job_name, std::to_string(owner), target,
               status, message});
  return to_int64(r.scalar());
}

void set_run_pid(pg::Spi &spi, std::int64_t run_id, int pid) {
  spi.run("UPDATE optimize.job_runs SET pid = $2::int WHERE id = $1::bigint",
          {std::to_string(run_id), std::to_string(pid)});
}

void finish_run(pg::Spi &spi, std::int64_t run_id, const std::string &status, const std::string &message,
                const std::string &details) {
  spi.run("UPDATE optimize.job_runs SET status = $2, message = nullif($3, ''), details = $4::jsonb, "
          "finished_at = clock_timestamp() WHERE id = $1::bigint",
          {std::to_string(run_id), status, message, details});
}

std::optional<std::string> run_status(pg::Spi &spi, std::int64_t run_id) {
  const pg::SqlResult r =
      spi.run("SELECT status FROM optimize.job_runs WHERE id = $1::bigint", {std::to_string(run_id)}, false);
  return r.scalar();
}

void set_next_run(pg::Spi &spi, std::int64_t job_id, std::optional<double> next_run) {
  spi.run("UPDATE optimize.jobs SET next_run = to_timestamp($2::float8) WHERE id = $1::bigint",
          {std::to_string(job_id), next_run ? pg::SqlValue(epoch_text(*next_run)) : std::nullopt});
}

void mark_started(pg::Spi &spi, std::int64_t job_id, double now, double next_run) {
  spi.run("UPDATE optimize.jobs SET last_run = to_timestamp($2::float8), next_run = to_timestamp($3::float8), "
          "last_status = 'running' WHERE id = $1::bigint",
          {std::to_string(job_id), epoch_text(now), epoch_text(next_run)});
}

bool skipped_during_current_run(pg::Spi &spi, std::int64_t job_id) {
  return spi.run("SELECT 1 FROM optimize.job_runs s WHERE s.job_id = $1::bigint AND s.status = 'skipped' "
                 "AND s.started_at >= (SELECT max(r.started_at) FROM optimize.job_runs r WHERE r.job_id = $1::bigint "
                 "AND r.status = 'running') LIMIT 1",
                 {std::to_string(job_id)}, true)
             .processed > 0;
}

bool is_failure(const std::string &status) { return status == "failed" || status == "timeout" || status == "crashed"; }

void record_outcome(pg::Spi &spi, const Job &job, const std::string &status, const std::string &message, double now,
                    std::optional<double> regular_next_run) {
  if (status == "skipped") {
    spi.run("UPDATE optimize.jobs SET last_status = 'skipped', last_message = nullif($2, '') WHERE id = $1::bigint",
            {std::to_string(job.id), message});
    return;
  }
  if (!is_failure(status)) {
    spi.run("UPDATE optimize.jobs SET last_status = $2, last_message = nullif($3, ''), consecutive_failures = 0 "
            "WHERE id = $1::bigint",
            {std::to_string(job.id), status, message});
    return;
  }
  // The failure count comes from the row itself: another run may have ended meanwhile.
  const pg::SqlResult r = spi.run("UPDATE optimize.jobs SET last_status = $2, last_message = nullif($3, ''), "
                                  "consecutive_failures = consecutive_failures + 1 WHERE id = $1::bigint "
                                  "RETURNING consecutive_failures, max_retries, extract(epoch FROM next_run)",
                                  {std::to_string(job.id), status, message});
  if (r.rows.empty())
    return; // unscheduled meanwhile
  const int failures = static_cast<int>(to_int64(r.rows[0][0]));
  const int max_retries = static_cast<int>(to_int64(r.rows[0][1]));
  if (failures > max_retries) {
    disable_job(spi, job.id,
                fmt::format("disabled after {} consecutive failures (max_retries {}); last: {}", failures, max_retries,
                            message));
    return;
  }
  // Back off: the next try no sooner than the retry delay, which doubles with each failure.
  const double delay = static_cast<double>(
      core::retry_delay_seconds(failures, settings::retry_min_delay_s, settings::retry_max_delay_s));
  const double regular = regular_next_run.value_or(to_optional(r.rows[0][2]).value_or(now));
  if (regular < now + delay)
    set_next_run(spi, job.id, now + delay);
}

void disable_job(pg::Spi &spi, std::int64_t job_id, const std::string &message) {
  spi.run("UPDATE optimize.jobs SET enabled = false, last_message = $2 || '; re-enable it with "
          "SELECT optimize.alter_job(' || quote_literal(name) || ', enabled => true);' WHERE id = $1::bigint",
          {std::to_string(job_id), message});
}

int mark_orphaned_runs(pg::Spi &spi, const std::vector<std::int64_t> &keep) {
  std::string ids = "{";
  for (std::size_t i = 0; i < keep.size(); i++)
    ids += (i ? "," : "") + std::to_string(keep[i]);
  ids += "}";
  const pg::SqlResult r =
      spi.run("UPDATE optimize.job_runs SET status = 'crashed', finished_at = clock_timestamp(), "
              "message = 'the job worker ended without recording a result (terminated, crashed, or the server "
              "restarted)' WHERE status = 'running' AND id <> ALL ($1::bigint[]) RETURNING job_id",
              {ids});
  for (const pg::SqlRow &row : r.rows)
    if (row[0])
      spi.run("UPDATE optimize.jobs SET last_status = 'crashed', consecutive_failures = consecutive_failures + 1, "
              "last_message = 'the job worker ended without recording a result' WHERE id = $1::bigint",
              {*row[0]});
  return static_cast<int>(r.processed);
}

std::string json_string(const std::string &text) {
  std::string out;
  core::append_json_string(text, out);
  return out;
}

} // namespace pgo::scheduler
