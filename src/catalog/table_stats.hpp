// Activity statistics of one table or index, through PostgreSQL's own statistics functions (pg_stat_get_*), which
// read the cumulative statistics snapshot of the current transaction. Calling the functions keeps us independent of
// the statistics structs, whose fields change between major versions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace pgo::catalog {

struct TableActivity {
  std::int64_t live_tuples = 0;
  std::int64_t dead_tuples = 0;
  std::int64_t seq_scans = 0;
  std::int64_t mod_since_analyze = 0;
  std::int64_t ins_since_vacuum = 0;
  std::int64_t blocks_read = 0; // from disk or the OS cache
  std::int64_t blocks_hit = 0;  // from shared buffers
  std::optional<TimestampTz> last_vacuum, last_autovacuum, last_analyze, last_autoanalyze;
};

struct IndexActivity {
  std::int64_t scans = 0;
  std::int64_t tuples_read = 0;
  std::int64_t tuples_fetched = 0;
  std::int64_t blocks_read = 0;
  std::int64_t blocks_hit = 0;
};

TableActivity table_activity(Oid table);
IndexActivity index_activity(Oid index);

} // namespace pgo::catalog
