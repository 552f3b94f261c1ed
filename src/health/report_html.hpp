// optimize.report('html'): the report's sections with charts (src/core/chart.hpp) drawn from the same health data,
// the latency histogram, optimize.snapshots (trends) and optimize.job_runs (a timeline), plus the index advice of
// optimize.index_advice when that view exists.
#pragma once

#include <string>
#include <vector>

#include "core/report.hpp"
#include "health/health_data.hpp"

namespace pgo::health {

// The tables report() lists by dead tuples and by estimated bloat, most first (only tables with some): the HTML report
// draws the same ones.
struct TableTops {
  std::vector<TableHealth> by_dead, by_bloat;
};

// `data` gives the tables' names.
std::string html_report(const core::Report &report, const TableTops &tables, HealthData &data);

} // namespace pgo::health
