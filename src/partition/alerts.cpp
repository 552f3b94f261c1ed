#include "partition/alerts.hpp"

#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/error.hpp"
#include "partition/maintenance.hpp"
#include "pg/server_time.hpp"

namespace pgo::partition {

void add_alerts(std::vector<health::Alert> &alerts) {
  pg::Spi spi;
  // The 0.2 library over a database still at 0.1 (before ALTER EXTENSION UPDATE) has no registrations to read.
  if (spi.run("SELECT pg_catalog.to_regclass('optimize.partition_config') IS NULL").scalar().value_or("t") == "t")
    return;
  for (const Registration &g : read_registrations(spi, InvalidOid)) {
    if (!exists(g.parent))
      continue;
    PartitionedTable t;
    core::PartitionStep step;
    try {
      t = read_partitioned_table(spi, g.parent);
      step = registration_step(spi, t, g);
    } catch (const Error &) {
      continue; // the table changed beyond maintenance (its pass reports why)
    }
    const std::string quoted = catalog::quote_literal(t.qualified);
    if (const Partition *d = t.default_partition()) {
      // Statistics, not a scan: an alert never waits for a lock on a user's table.
      const pg::SqlResult r =
          spi.run("SELECT GREATEST(pg_catalog.pg_stat_get_live_tuples(c.oid), c.reltuples::pg_catalog.int8) "
                  "FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
                  {std::to_string(d->oid)}, true);
      const double rows = std::stod(r.scalar().value_or("0"));
      if (rows > 0)
        alerts.push_back(health::Alert{
            "warning", "rows_in_default_partition", d->qualified, rows, 0,
            fmt::format("about {:.0f} rows of {} landed in its default partition: no partition holds their key", rows,
                        t.qualified),
            fmt::format("See SELECT {0}, count(*) FROM {1} GROUP BY 1; raise premake with "
                        "optimize.manage_partitions({2}, ...), or move the rows: detach the default partition, run "
                        "SELECT * FROM optimize.run_partition_maintenance({2}), insert the rows back",
                        catalog::quote_identifier(t.key_column), d->qualified, quoted)});
    }
    if (t.key_type == core::PartitionKeyType::Integer)
      continue; // the window of an integer key follows the largest value, which only a scan tells
    const auto missing = core::uncovered_slots(step, t.ranges(), static_cast<std::int64_t>(pg::now_epoch()), g.premake);
    if (!missing.empty())
      alerts.push_back(
          health::Alert{"warning", "partitions_missing", t.qualified, static_cast<double>(missing.size()), 0,
                        fmt::format("{} of the {} partitions from now on are missing, the first from {}",
                                    missing.size(), g.premake + 1, core::bound_text(t.key_type, missing.front().lower)),
                        fmt::format("SELECT * FROM optimize.run_partition_maintenance({}); and see last_result in "
                                    "optimize.partition_config (a partition held by another session is skipped)",
                                    quoted)});
  }
}

} // namespace pgo::partition
