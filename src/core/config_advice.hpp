// PostgreSQL configuration advice: the arithmetic behind optimize.config_recommendations().
//
// PostgreSQL-free: the SQL side detects what the caller left NULL (memory), reads the server's max_connections and
// CPU count, and hands plain numbers in here. Values come out as postgresql.conf accepts them and SHOW prints them, so
// each one can go into ALTER SYSTEM SET as it is. Bad input throws pgo::Error with SQLSTATE 22023 and a hint.
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgo::core {

enum class Storage { Ssd, Hdd, Network };

// "ssd", "hdd" or "network", in any case, surrounding white space ignored; anything else throws.
Storage parse_storage(std::string_view text);

// The lower-case name parse_storage reads back.
const char *storage_name(Storage storage);

struct ConfigInputs {
  std::int64_t total_memory_bytes = 0; // 256MB to 64TB
  Storage storage = Storage::Ssd;
  // The application's total pool size including overflow; max_connections is recommended only when it is given, and
  // then work_mem is sized for the recommended max_connections rather than the current one.
  std::optional<int> max_client_connections;
  int current_max_connections = 0; // the server's max_connections, 1 to 262143
  int cpu_count = 0;               // at least 1
};

struct Recommendation {
  std::string setting; // the parameter's name
  std::string value;   // as postgresql.conf accepts it and SHOW prints it: "4GB", "30s", "1.1", "200"
  // Bytes for memory, seconds for time, the integer itself for counts; -1 for reals, which have no exact integer form.
  std::int64_t value_in_base_units = -1;
  std::string unit_kind; // "memory", "time", "number" (a real) or "count" (an integer)
  std::string reason;    // one sentence saying why
};

// In this order: max_connections (only when max_client_connections is given), shared_buffers, effective_cache_size,
// maintenance_work_mem, work_mem, wal_buffers, checkpoint_completion_target, default_statistics_target,
// random_page_cost, effective_io_concurrency, autovacuum_max_workers, autovacuum_naptime,
// autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor.
std::vector<Recommendation> config_recommendations(const ConfigInputs &inputs);

// The pool plus 25% headroom (rounded up) plus the 3 superuser-reserved slots, rounded up to a multiple of 10:
// 150 -> 200. Throws unless 1 <= max_client_connections and the result fits PostgreSQL's limit of 262143.
int recommended_max_connections(int max_client_connections);

// Bytes with the largest of kB, MB, GB, TB that divides them exactly, as SHOW prints memory: 4GB, 1536MB, 64kB.
// A size that is not a whole number of kB is written in B (postgresql.conf accepts that too); zero and negative
// values are written without a unit, as SHOW writes -1 ("use the default").
std::string format_memory(std::int64_t bytes);

// Seconds with the largest of d, h, min, s that divides them exactly, as SHOW prints time: 30s, 1min, 90s, 1h.
// Zero and negative values are written without a unit.
std::string format_seconds(std::int64_t seconds);

} // namespace pgo::core
