// Alerts of partition maintenance for optimize.alerts: rows in the default partition of a managed table
// (rows_in_default_partition) and partitions missing in the premake window (partitions_missing, time keys).
#pragma once

#include <vector>

#include "health/alerts.hpp"

namespace pgo::partition {

void add_alerts(std::vector<health::Alert> &alerts);

} // namespace pgo::partition
