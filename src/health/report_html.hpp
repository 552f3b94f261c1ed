// optimize.report('html'): the report's sections with charts (src/core/chart.hpp) drawn from the same health data,
// the latency histogram, optimize.snapshots (trends) and optimize.job_runs (a timeline), plus the index advice of
// optimize.index_advice when that view exists.
#pragma once

#include <string>

#include "core/report.hpp"
#include "health/health_data.hpp"

namespace pgo::health {

std::string html_report(const core::Report &report, HealthData &data);

} // namespace pgo::health
