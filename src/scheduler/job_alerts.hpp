// Jobs in trouble, for optimize.alerts: failing (warning) or disabled after too many failures or for a bad row
// (critical). Read through SPI with the caller's rights: a role sees its own jobs, pg_monitor every job.
#pragma once

#include <string>
#include <vector>

namespace pgo::scheduler {

struct JobProblem {
  std::string name;
  std::string status; // last_status
  int failures = 0;
  int max_retries = 0;
  bool disabled = false;
  std::string message;
};

std::vector<JobProblem> job_problems();

} // namespace pgo::scheduler
