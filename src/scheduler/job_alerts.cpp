#include "scheduler/job_alerts.hpp"

#include "pg/spi.hpp"

namespace pgo::scheduler {

std::vector<JobProblem> job_problems() {
  pg::Spi spi;
  const pg::SqlResult r =
      spi.run("SELECT name, coalesce(last_status, ''), consecutive_failures, max_retries, NOT enabled, "
              "coalesce(last_message, '') FROM optimize.jobs "
              "WHERE (consecutive_failures > 0 AND last_status IN ('failed', 'timeout', 'crashed')) "
              "   OR (NOT enabled AND last_message LIKE '%re-enable it with%') ORDER BY name",
              {}, true);
  std::vector<JobProblem> out;
  for (const pg::SqlRow &row : r.rows) {
    JobProblem p;
    p.name = row[0].value_or("");
    p.status = row[1].value_or("");
    p.failures = std::stoi(row[2].value_or("0"));
    p.max_retries = std::stoi(row[3].value_or("0"));
    p.disabled = row[4].value_or("f") == "t";
    p.message = row[5].value_or("");
    out.push_back(std::move(p));
  }
  return out;
}

} // namespace pgo::scheduler
