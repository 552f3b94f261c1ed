// Query latency: per-database latency histograms, per-statement-shape statistics and N+1 detection, fed by the
// executor and utility hooks. Needs shared_preload_libraries; without it the views return no rows and say why.
#pragma once

#include <vector>

namespace pgo::core {
struct Report;
}
namespace pgo::health {
struct Metric;
struct Alert;
} // namespace pgo::health

namespace pgo::latency {

// From _PG_init: defines the settings; when preloaded also turns query ids on, requests shared memory and installs
// the hooks.
void initialize();

// For the health functions (one call each): metric rows for this database, the latency_target and n_plus_one
// alerts, and the report's latency sections.
void add_metrics(std::vector<health::Metric> &metrics);
void add_alerts(std::vector<health::Alert> &alerts);
void add_report_sections(core::Report &report);

} // namespace pgo::latency
