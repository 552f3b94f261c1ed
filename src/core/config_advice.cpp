#include "core/config_advice.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace pgo::core {
namespace {

constexpr std::int64_t kKB = 1024;
constexpr std::int64_t kMB = 1024 * kKB;
constexpr std::int64_t kGB = 1024 * kMB;
constexpr std::int64_t kTB = 1024 * kGB;

// Below 256MB the rules make no sense (128MB of shared_buffers alone); above 64TB they were never meant to apply.
constexpr std::int64_t kMinMemory = 256 * kMB;
constexpr std::int64_t kMaxMemory = 64 * kTB;

// PostgreSQL's upper limits (guc.c), counted in 8kB blocks, rounded down to whole MB. A build with bigger blocks
// allows more, so these stay safe there.
constexpr std::int64_t kBlock = 8 * kKB;
constexpr std::int64_t kIntMax = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxSharedBuffers = (kIntMax / 2) * kBlock / kMB * kMB;
constexpr std::int64_t kMaxEffectiveCacheSize = kIntMax * kBlock / kMB * kMB;

constexpr int kMaxBackends = (1 << 18) - 1; // MAX_BACKENDS: the most max_connections accepts
constexpr int kReservedConnections = 3;     // superuser_reserved_connections' default

constexpr std::int64_t kMinSharedBuffers = 128 * kMB; // PostgreSQL's default
constexpr std::int64_t kMinMaintenanceWorkMem = 64 * kMB;
constexpr std::int64_t kMaxMaintenanceWorkMem = 2 * kGB;
constexpr std::int64_t kMinWorkMem = 4 * kMB; // PostgreSQL's default
constexpr std::int64_t kMaxWorkMem = 256 * kMB;
constexpr int kWorkMemPerConnection = 3; // sorts and hashes a typical connection runs at once

constexpr std::int64_t floor_mb(std::int64_t bytes) { return bytes / kMB * kMB; }

constexpr std::int64_t connections_for_pool(std::int64_t pool) {
  const std::int64_t needed = pool + (pool + 3) / 4 + kReservedConnections;
  return (needed + 9) / 10 * 10;
}

// The largest pool whose max_connections still fits; connections_for_pool grows with the pool.
constexpr int largest_pool() {
  int fits = 1, too_big = kMaxBackends;
  while (too_big - fits > 1) {
    const int mid = fits + (too_big - fits) / 2;
    if (connections_for_pool(mid) <= kMaxBackends)
      fits = mid;
    else
      too_big = mid;
  }
  return fits;
}
constexpr int kMaxPool = largest_pool();

[[noreturn]] void invalid(std::string message, std::string detail, std::string hint) {
  throw Error(sqlstate::kInvalidParameterValue, std::move(message), std::move(detail), std::move(hint));
}

void check_memory(std::int64_t bytes) {
  const std::string hint =
      fmt::format("total_memory_bytes must be between {} (256MB) and {} (64TB), or NULL to detect the server's memory",
                  kMinMemory, kMaxMemory);
  if (bytes <= 0)
    invalid(fmt::format("invalid total_memory_bytes: {}", bytes), "memory must be positive", hint);
  if (bytes < kMinMemory)
    invalid(fmt::format("invalid total_memory_bytes: {}", bytes),
            "less than 256MB is too little for these rules, which start from 128MB of shared_buffers", hint);
  if (bytes > kMaxMemory)
    invalid(fmt::format("invalid total_memory_bytes: {}", bytes), "more than 64TB is beyond what these rules are for",
            hint);
}

void check_pool(int pool) {
  const std::string hint = fmt::format(
      "max_client_connections, the application's total pool size including overflow, must be between 1 and {}, or "
      "NULL to leave max_connections alone",
      kMaxPool);
  if (pool < 1)
    invalid(fmt::format("invalid max_client_connections: {}", pool), "a pool needs at least one connection", hint);
  if (pool > kMaxPool)
    invalid(fmt::format("invalid max_client_connections: {}", pool),
            fmt::format("max_connections would have to be {}, above PostgreSQL's limit of {}",
                        connections_for_pool(pool), kMaxBackends),
            hint);
}

void check_inputs(const ConfigInputs &in) {
  check_memory(in.total_memory_bytes);
  if (in.max_client_connections)
    check_pool(*in.max_client_connections);
  if (in.current_max_connections < 1 || in.current_max_connections > kMaxBackends)
    invalid(fmt::format("invalid current max_connections: {}", in.current_max_connections), {},
            fmt::format("max_connections must be between 1 and {}", kMaxBackends));
  if (in.cpu_count < 1)
    invalid(fmt::format("invalid cpu count: {}", in.cpu_count), {}, "the cpu count must be at least 1");
}

// For reasons: exact when the size is whole MB (as every computed one is), else rounded to a tenth ("about 15.6GB"),
// which reads better than a detected size's exact kB.
std::string describe_memory(std::int64_t bytes) {
  if (bytes % kMB == 0)
    return format_memory(bytes);
  const bool tb = bytes >= kTB, gb = bytes >= kGB;
  const double scaled = static_cast<double>(bytes) / static_cast<double>(tb ? kTB : gb ? kGB : kMB);
  std::string number = fmt::format("{:.1f}", scaled);
  if (number.size() > 2 && number.compare(number.size() - 2, 2, ".0") == 0)
    number.resize(number.size() - 2);
  return fmt::format("about {}{}", number, tb ? "TB" : gb ? "GB" : "MB");
}

Recommendation memory(const char *setting, std::int64_t bytes, std::string reason) {
  return {setting, format_memory(bytes), bytes, "memory", std::move(reason)};
}

Recommendation count(const char *setting, std::int64_t n, std::string reason) {
  return {setting, fmt::format("{}", n), n, "count", std::move(reason)};
}

// Shortest representation that reads back as the same double: 1.1, 0.05, 4 (as SHOW prints reals).
Recommendation real(const char *setting, double x, std::string reason) {
  return {setting, fmt::format("{}", x), -1, "number", std::move(reason)};
}

Recommendation seconds(const char *setting, std::int64_t s, std::string reason) {
  return {setting, format_seconds(s), s, "time", std::move(reason)};
}

struct Unit {
  const char *name;
  std::int64_t size;
};

// As PostgreSQL's SHOW does: the first (largest) unit that divides the value exactly; no unit for zero or less.
template <std::size_t N> std::string with_largest_unit(std::int64_t n, const Unit (&units)[N]) {
  if (n <= 0)
    return fmt::format("{}", n);
  for (const Unit &unit : units)
    if (n % unit.size == 0)
      return fmt::format("{}{}", n / unit.size, unit.name);
  return fmt::format("{}", n); // not reached: the last unit has size 1
}

} // namespace

Storage parse_storage(std::string_view text) {
  std::string word;
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  const auto first = std::find_if_not(text.begin(), text.end(), is_space);
  const auto last = std::find_if_not(text.rbegin(), text.rend(), is_space).base();
  for (auto it = first; it < last; ++it)
    word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(*it))));
  if (word == "ssd")
    return Storage::Ssd;
  if (word == "hdd")
    return Storage::Hdd;
  if (word == "network")
    return Storage::Network;
  invalid(fmt::format("invalid storage: \"{}\"", text), {}, "storage must be one of: ssd, hdd, network");
}

const char *storage_name(Storage storage) {
  switch (storage) {
  case Storage::Ssd:
    return "ssd";
  case Storage::Hdd:
    return "hdd";
  case Storage::Network:
    return "network";
  }
  return "ssd";
}

std::string format_memory(std::int64_t bytes) {
  static constexpr Unit units[] = {{"TB", kTB}, {"GB", kGB}, {"MB", kMB}, {"kB", kKB}, {"B", 1}};
  return with_largest_unit(bytes, units);
}

std::string format_seconds(std::int64_t seconds) {
  static constexpr Unit units[] = {{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}};
  return with_largest_unit(seconds, units);
}

int recommended_max_connections(int max_client_connections) {
  check_pool(max_client_connections);
  return static_cast<int>(connections_for_pool(max_client_connections));
}

std::vector<Recommendation> config_recommendations(const ConfigInputs &in) {
  check_inputs(in);
  const std::int64_t mem = in.total_memory_bytes;
  const std::string mem_text = describe_memory(mem);
  std::vector<Recommendation> out;

  int connections = in.current_max_connections;
  const char *connections_source = "max_connections";
  if (in.max_client_connections) {
    const int pool = *in.max_client_connections;
    connections = recommended_max_connections(pool);
    connections_source = "recommended max_connections";
    out.push_back(count("max_connections", connections,
                        fmt::format("A pool of {} plus 25% headroom ({}) plus {} superuser-reserved slots, rounded up "
                                    "to a multiple of 10: every pooled connection gets a slot and admin or monitoring "
                                    "sessions still fit",
                                    pool, (pool + 3) / 4, kReservedConnections)));
  }

  const std::int64_t quarter = floor_mb(mem / 4);
  const std::int64_t shared_buffers = std::clamp(quarter, kMinSharedBuffers, kMaxSharedBuffers);
  std::string sb_reason;
  if (quarter < kMinSharedBuffers)
    sb_reason = fmt::format("PostgreSQL's default of 128MB, because 25% of {} of memory would be less and a smaller "
                            "cache only adds reads",
                            mem_text);
  else if (quarter > kMaxSharedBuffers)
    sb_reason = fmt::format("The most PostgreSQL accepts, because 25% of {} of memory would be more; the rest is left "
                            "to the OS page cache",
                            mem_text);
  else
    sb_reason = fmt::format("25% of {} of memory, rounded down to whole MB: PostgreSQL's own cache, with the rest left "
                            "to the OS page cache that PostgreSQL reads through as well",
                            mem_text);
  out.push_back(memory("shared_buffers", shared_buffers, std::move(sb_reason)));

  const std::int64_t three_quarters = floor_mb(mem * 3 / 4);
  out.push_back(
      memory("effective_cache_size", std::min(three_quarters, kMaxEffectiveCacheSize),
             fmt::format("75% of {} of memory{}: tells the planner how much data shared_buffers and the OS page cache "
                         "together hold, so that index scans are costed as the cached reads they mostly are (nothing "
                         "is allocated)",
                         mem_text,
                         three_quarters > kMaxEffectiveCacheSize ? ", capped at the most PostgreSQL accepts"
                                                                 : ", rounded down to whole MB")));

  out.push_back(memory("maintenance_work_mem",
                       std::clamp(floor_mb(mem / 20), kMinMaintenanceWorkMem, kMaxMaintenanceWorkMem),
                       fmt::format("5% of {} of memory, rounded down to whole MB and kept between 64MB and 2GB: "
                                   "VACUUM, CREATE INDEX and ADD FOREIGN KEY run faster with more, and few of them run "
                                   "at once",
                                   mem_text)));

  const std::int64_t per_operation =
      floor_mb((mem - shared_buffers) / (static_cast<std::int64_t>(connections) * kWorkMemPerConnection));
  out.push_back(
      memory("work_mem", std::clamp(per_operation, kMinWorkMem, kMaxWorkMem),
             fmt::format("({} of memory - {} shared_buffers) / ({} * {} {}), rounded down to whole MB and "
                         "kept between 4MB and 256MB: every connection may run about {} sorts or hashes at "
                         "once, each allowed up to work_mem, and together they must fit beside shared_buffers",
                         mem_text, format_memory(shared_buffers), kWorkMemPerConnection, connections,
                         connections_source, kWorkMemPerConnection)));

  out.push_back(
      memory("wal_buffers", 16 * kMB,
             "The size of a WAL segment and the most the automatic setting would pick, so that bursts of concurrent "
             "commits do not wait for WAL writes"));

  out.push_back(real("checkpoint_completion_target", 0.9,
                     "Spreads each checkpoint's writes over 90% of the time until the next one instead of writing "
                     "them in a burst"));

  out.push_back(count("default_statistics_target", 100,
                      "Enough sampled rows for good estimates on most columns without slowing ANALYZE; raise it only "
                      "for the columns whose estimates are off (ALTER TABLE ... ALTER COLUMN ... SET STATISTICS)"));

  switch (in.storage) {
  case Storage::Ssd:
    out.push_back(real("random_page_cost", 1.1,
                       "On SSD a random read costs hardly more than a sequential one, so index scans should not be "
                       "costed as if the disk had to seek"));
    out.push_back(count("effective_io_concurrency", 200,
                        "SSDs serve many requests at once, so bitmap heap scans can prefetch many pages ahead"));
    break;
  case Storage::Hdd:
    out.push_back(real("random_page_cost", 4,
                       "On spinning disks a random read needs a seek and costs several sequential ones, which "
                       "PostgreSQL's default of 4 reflects"));
    out.push_back(count("effective_io_concurrency", 2,
                        "A spinning disk serves few requests at once, so deep prefetching would only add seeks"));
    break;
  case Storage::Network:
    out.push_back(real("random_page_cost", 1.5,
                       "On network storage random and sequential reads both pay the network's latency, so random "
                       "reads cost only somewhat more"));
    out.push_back(count("effective_io_concurrency", 100,
                        "Network storage hides its latency best with many requests in flight, so bitmap heap scans "
                        "should prefetch well ahead"));
    break;
  }

  const int workers = std::max(3, std::min(in.cpu_count / 2, 8));
  std::string workers_reason;
  if (in.cpu_count / 2 < 3)
    workers_reason =
        fmt::format("At least 3 even with {} CPU{}, so that small tables keep being vacuumed while a large "
                    "one takes a worker for a long time",
                    in.cpu_count, in.cpu_count == 1 ? "" : "s");
  else if (in.cpu_count / 2 > 8)
    workers_reason = fmt::format("At most 8 even with {} CPUs: the workers share one vacuum I/O budget, so more of "
                                 "them would not vacuum faster",
                                 in.cpu_count);
  else
    workers_reason = fmt::format("Half of the {} CPUs{}: small tables keep being vacuumed while workers are busy with "
                                 "large ones, and the other half of the CPUs stays free for queries",
                                 in.cpu_count, in.cpu_count % 2 == 0 ? "" : ", rounded down");
  out.push_back(count("autovacuum_max_workers", workers, std::move(workers_reason)));

  out.push_back(seconds("autovacuum_naptime", 30,
                        "Looks for tables to vacuum every 30 seconds instead of every minute, so busy tables are "
                        "cleaned up sooner"));

  out.push_back(real("autovacuum_vacuum_scale_factor", 0.1,
                     "Vacuums a table once 10% of its rows are dead instead of 20%, which keeps large tables from "
                     "bloating between vacuums"));

  out.push_back(real("autovacuum_analyze_scale_factor", 0.05,
                     "Analyzes a table once 5% of its rows have changed instead of 10%, which keeps the planner's "
                     "statistics of large tables current"));
  return out;
}

} // namespace pgo::core
