#include "scheduler/job_store.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/maintenance_plan.hpp"
#include "core/report.hpp"
#include "scheduler/scheduler_settings.hpp"

namespace pgo::scheduler {
namespace {

constexpr const char *kJobColumns =
    "id, name, kind, coalesce(target::pg_catalog.oid, 0), schedule, enabled, extract(epoch FROM max_runtime), "
    "extract(epoch FROM lock_timeout), max_retries, options::pg_catalog.text, owner::pg_catalog.oid, "
    "extract(epoch FROM next_run), extract(epoch FROM last_run), extract(epoch FROM created_at), "
    "consecutive_failures, coalesce(last_status, ''), coalesce(last_message, '')";

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

pg::SqlValue or_null(const std::string &text) { return text.empty() ? std::nullopt : pg::SqlValue(text); }

std::string epoch_text(double epoch) { return fmt::format("{:.6f}", epoch); }

} // namespace

std::vector<Job> load_jobs(pg::Spi &spi, bool enabled_only, bool lock_rows) {
  const pg::SqlResult r =
      spi.run(fmt::format("SELECT {} FROM optimize.jobs {} ORDER BY id{}", kJobColumns,
                          enabled_only ? "WHERE enabled" : "", lock_rows ? " FOR NO KEY UPDATE SKIP LOCKED" : ""),
              {}, !lock_rows);
  std::vector<Job> jobs;
  for (const pg::SqlRow &row : r.rows)
    jobs.push_back(job_from(row));
  return jobs;
}

std::optional<Job> find_job(pg::Spi &spi, const std::string &name) {
  const pg::SqlResult r = spi.run(
      fmt::format("SELECT {} FROM optimize.jobs WHERE name OPERATOR(pg_catalog.=) $1", kJobColumns), {name}, false);
  if (r.rows.empty())
    return std::nullopt;
  return job_from(r.rows.front());
}

std::optional<Job> find_job(pg::Spi &spi, std::int64_t id) {
  const pg::SqlResult r = spi.run(
      fmt::format("SELECT {} FROM optimize.jobs WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8", kJobColumns),
      {std::to_string(id)}, false);
  if (r.rows.empty())
    return std::nullopt;
  return job_from(r.rows.front());
}

std::int64_t next_run_id(pg::Spi &spi) {
  return to_int64(spi.run("SELECT pg_catalog.nextval('optimize.job_runs_id_seq'::pg_catalog.regclass)").scalar());
}

std::int64_t insert_run(pg::Spi &spi, std::optional<std::int64_t> job_id, const std::string &job_name,
                        std::uint32_t owner, const std::string &target, const std::string &status,
                        const std::string &message, std::optional<std::int64_t> run_id) {
  const std::int64_t id = run_id ? *run_id : next_run_id(spi);
  spi.run("INSERT INTO optimize.job_runs (id, job_id, job, owner, target, status, message, finished_at) "
          "VALUES ($7::pg_catalog.int8, $1::pg_catalog.int8, $2, $3::pg_catalog.oid::pg_catalog.regrole, "
          "$4, $5, $6, "
          "CASE WHEN $5 OPERATOR(pg_catalog.<>) 'running' THEN pg_catalog.clock_timestamp() END)",
          {job_id ? pg::SqlValue(std::to_string(*job_id)) : std::nullopt, job_name, std::to_string(owner),
           or_null(target), status, or_null(message), std::to_string(id)});
  prune_history(spi, job_id, job_name);
  return id;
}

void prune_history(pg::Spi &spi, std::optional<std::int64_t> job_id, const std::string &job_name) {
  // The newest pg_optimize.history_per_job finished runs of the job stay; a job due every second must not write
  // 86,400 rows a day between two cleanups. By job_id (indexed) when there is one, else by name.
  const std::string per_job = std::to_string(settings::history_per_job);
  if (job_id)
    spi.run("DELETE FROM optimize.job_runs WHERE id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT r.id FROM "
            "optimize.job_runs r WHERE r.job_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8 AND r.status "
            "OPERATOR(pg_catalog.<>) 'running' ORDER BY r.started_at DESC, r.id DESC OFFSET $2::pg_catalog.int8))",
            {std::to_string(*job_id), per_job});
  else
    spi.run("DELETE FROM optimize.job_runs WHERE id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT r.id FROM "
            "optimize.job_runs r WHERE r.job_id IS NULL AND r.job OPERATOR(pg_catalog.=) $1 AND r.status "
            "OPERATOR(pg_catalog.<>) 'running' ORDER BY r.started_at DESC, r.id DESC OFFSET $2::pg_catalog.int8))",
            {job_name, per_job});
}

void set_run_pid(pg::Spi &spi, std::int64_t run_id, int pid) {
  spi.run("UPDATE optimize.job_runs SET pid = $2::pg_catalog.int4 WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
          {std::to_string(run_id), std::to_string(pid)});
}

void finish_run(pg::Spi &spi, std::int64_t run_id, const std::string &status, const std::string &message,
                const std::string &details) {
  spi.run("UPDATE optimize.job_runs SET status = $2, message = $3, details = $4::pg_catalog.jsonb, "
          "finished_at = pg_catalog.clock_timestamp() WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
          {std::to_string(run_id), status, or_null(message), details});
}

std::optional<std::string> run_status(pg::Spi &spi, std::int64_t run_id) {
  const pg::SqlResult r =
      spi.run("SELECT status FROM optimize.job_runs WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
              {std::to_string(run_id)}, false);
  return r.scalar();
}

bool lock_job(pg::Spi &spi, std::int64_t job_id) {
  return spi.run("SELECT 1 FROM optimize.jobs WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8 "
                 "FOR NO KEY UPDATE SKIP LOCKED",
                 {std::to_string(job_id)})
             .processed > 0;
}

void set_next_run(pg::Spi &spi, std::int64_t job_id, std::optional<double> next_run) {
  spi.run("UPDATE optimize.jobs SET next_run = pg_catalog.to_timestamp($2::pg_catalog.float8) "
          "WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
          {std::to_string(job_id), next_run ? pg::SqlValue(epoch_text(*next_run)) : std::nullopt});
}

void mark_started(pg::Spi &spi, std::int64_t job_id, double now, double next_run) {
  spi.run("UPDATE optimize.jobs SET last_run = pg_catalog.to_timestamp($2::pg_catalog.float8), "
          "next_run = pg_catalog.to_timestamp($3::pg_catalog.float8), last_status = 'running' "
          "WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
          {std::to_string(job_id), epoch_text(now), epoch_text(next_run)});
}

bool skipped_during_current_run(pg::Spi &spi, std::int64_t job_id) {
  return spi.run("SELECT 1 FROM optimize.job_runs s WHERE s.job_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8 "
                 "AND s.status OPERATOR(pg_catalog.=) 'skipped' AND s.started_at OPERATOR(pg_catalog.>=) "
                 "(SELECT pg_catalog.max(r.started_at) FROM optimize.job_runs r WHERE r.job_id "
                 "OPERATOR(pg_catalog.=) $1::pg_catalog.int8 AND r.status OPERATOR(pg_catalog.=) 'running') LIMIT 1",
                 {std::to_string(job_id)}, true)
             .processed > 0;
}

bool is_failure(const std::string &status) { return status == "failed" || status == "timeout" || status == "crashed"; }

void record_outcome(pg::Spi &spi, const Job &job, const std::string &status, const std::string &message, double now,
                    std::optional<double> regular_next_run) {
  const std::string where = " WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8";
  if (status == "skipped") {
    spi.run("UPDATE optimize.jobs SET last_status = 'skipped', last_message = $2" + where,
            {std::to_string(job.id), or_null(message)});
    return;
  }
  if (!is_failure(status)) {
    spi.run("UPDATE optimize.jobs SET last_status = $2, last_message = $3, consecutive_failures = 0" + where,
            {std::to_string(job.id), status, or_null(message)});
    return;
  }
  // The failure count comes from the row itself: another run may have ended meanwhile.
  const pg::SqlResult r =
      spi.run("UPDATE optimize.jobs SET last_status = $2, last_message = $3, "
              "consecutive_failures = consecutive_failures OPERATOR(pg_catalog.+) 1" +
                  where + " RETURNING consecutive_failures, max_retries, extract(epoch FROM next_run)",
              {std::to_string(job.id), status, or_null(message)});
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
  spi.run("UPDATE optimize.jobs SET enabled = false, last_message = $2 OPERATOR(pg_catalog.||) '; re-enable it with "
          "SELECT optimize.alter_job(' OPERATOR(pg_catalog.||) pg_catalog.quote_literal(name) "
          "OPERATOR(pg_catalog.||) ', enabled => true);' WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
          {std::to_string(job_id), message});
}

int mark_orphaned_runs(pg::Spi &spi, const std::vector<std::int64_t> &keep) {
  std::string ids = "{";
  for (std::size_t i = 0; i < keep.size(); i++)
    ids += (i ? "," : "") + std::to_string(keep[i]);
  ids += "}";
  const pg::SqlResult r =
      spi.run("UPDATE optimize.job_runs SET status = 'crashed', finished_at = pg_catalog.clock_timestamp(), "
              "message = 'the job worker ended without recording a result (terminated, crashed, or the server "
              "restarted)' WHERE status OPERATOR(pg_catalog.=) 'running' AND id OPERATOR(pg_catalog.<>) ALL "
              "($1::pg_catalog.int8[]) RETURNING job_id",
              {ids});
  // A job row a user holds locked keeps its count: the scheduler never waits on a user's lock.
  for (const pg::SqlRow &row : r.rows)
    if (row[0] && lock_job(spi, std::stoll(*row[0])))
      spi.run("UPDATE optimize.jobs SET last_status = 'crashed', consecutive_failures = consecutive_failures "
              "OPERATOR(pg_catalog.+) 1, last_message = 'the job worker ended without recording a result' "
              "WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
              {*row[0]});
  return static_cast<int>(r.processed);
}

std::string json_string(const std::string &text) {
  std::string out;
  core::append_json_string(text, out);
  return out;
}

} // namespace pgo::scheduler
