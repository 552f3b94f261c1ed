#include "core/config_advice.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace {

using pgo::core::config_recommendations;
using pgo::core::ConfigInputs;
using pgo::core::format_memory;
using pgo::core::format_seconds;
using pgo::core::parse_storage;
using pgo::core::Recommendation;
using pgo::core::recommended_max_connections;
using pgo::core::Storage;
using pgo::core::storage_name;

constexpr std::int64_t kKB = 1024;
constexpr std::int64_t kMB = 1024 * kKB;
constexpr std::int64_t kGB = 1024 * kMB;
constexpr std::int64_t kTB = 1024 * kGB;

ConfigInputs inputs(std::int64_t memory = 16 * kGB, int current_max_connections = 100, int cpus = 8,
                    Storage storage = Storage::Ssd) {
  ConfigInputs in;
  in.total_memory_bytes = memory;
  in.storage = storage;
  in.current_max_connections = current_max_connections;
  in.cpu_count = cpus;
  return in;
}

ConfigInputs with_pool(int pool, std::int64_t memory = 16 * kGB) {
  ConfigInputs in = inputs(memory);
  in.max_client_connections = pool;
  return in;
}

Recommendation find(const std::vector<Recommendation> &recs, const std::string &setting) {
  for (const Recommendation &r : recs)
    if (r.setting == setting)
      return r;
  ADD_FAILURE() << "no recommendation for " << setting;
  return {};
}

std::string value_of(const ConfigInputs &in, const std::string &setting) {
  return find(config_recommendations(in), setting).value;
}

std::vector<std::string> settings(const std::vector<Recommendation> &recs) {
  std::vector<std::string> names;
  for (const Recommendation &r : recs)
    names.push_back(r.setting);
  return names;
}

// The unit tests link gtest without gmock, so no HasSubstr.
::testing::AssertionResult contains(const std::string &text, const std::string &part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << '"' << text << "\" does not contain \"" << part << '"';
}

pgo::Error error_from(const std::function<void()> &f) {
  try {
    f();
  } catch (const pgo::Error &e) {
    return e;
  }
  ADD_FAILURE() << "no pgo::Error thrown";
  return pgo::Error(pgo::sqlstate::kInternalError, "");
}

// Every input error: invalid_parameter_value, a message naming the value, a hint saying what is accepted.
void expect_invalid(const std::function<void()> &f, const std::string &in_message, const std::string &in_hint) {
  const pgo::Error e = error_from(f);
  EXPECT_EQ(e.sqlstate(), pgo::sqlstate::kInvalidParameterValue);
  EXPECT_TRUE(contains(e.message(), in_message));
  EXPECT_FALSE(e.hint().empty());
  EXPECT_TRUE(contains(e.hint(), in_hint));
  // Lower case up to the value, which is quoted as given.
  const std::string words = e.message().substr(0, e.message().find(':'));
  for (char c : words)
    EXPECT_FALSE(std::isupper(static_cast<unsigned char>(c))) << e.message();
}

// Reads a SHOW-style memory or time value back, to check it against value_in_base_units.
std::int64_t read_back(const std::string &value) {
  std::size_t digits = 0;
  const std::int64_t n = std::stoll(value, &digits);
  const std::string unit = value.substr(digits);
  const std::pair<const char *, std::int64_t> units[] = {{"TB", kTB},  {"GB", kGB}, {"MB", kMB}, {"kB", kKB}, {"B", 1},
                                                         {"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1},    {"", 1}};
  for (const auto &[name, size] : units)
    if (unit == name)
      return n * size;
  ADD_FAILURE() << "unknown unit in " << value;
  return -1;
}

// Formatting.

TEST(ConfigAdvice, FormatMemoryUsesLargestExactUnit) {
  EXPECT_EQ(format_memory(kKB), "1kB");
  EXPECT_EQ(format_memory(64 * kKB), "64kB");
  EXPECT_EQ(format_memory(1536 * kKB), "1536kB");
  EXPECT_EQ(format_memory(kMB), "1MB");
  EXPECT_EQ(format_memory(16 * kMB), "16MB");
  EXPECT_EQ(format_memory(16 * kMB + 8 * kKB), "16392kB");
  EXPECT_EQ(format_memory(1536 * kMB), "1536MB");
  EXPECT_EQ(format_memory(4 * kGB), "4GB");
  EXPECT_EQ(format_memory(1536 * kGB), "1536GB");
  EXPECT_EQ(format_memory(kTB), "1TB");
  EXPECT_EQ(format_memory(1024 * kTB), "1024TB");
  EXPECT_EQ(format_memory(8 * kTB - kMB), "8388607MB");
}

TEST(ConfigAdvice, FormatMemoryOddSizesAndNonPositive) {
  EXPECT_EQ(format_memory(1), "1B");
  EXPECT_EQ(format_memory(1000), "1000B");
  EXPECT_EQ(format_memory(kKB + 1), "1025B");
  EXPECT_EQ(format_memory(0), "0");
  EXPECT_EQ(format_memory(-1), "-1");
  EXPECT_EQ(format_memory(-kMB), "-1048576");
}

TEST(ConfigAdvice, FormatSecondsLikeShow) {
  EXPECT_EQ(format_seconds(1), "1s");
  EXPECT_EQ(format_seconds(30), "30s");
  EXPECT_EQ(format_seconds(60), "1min");
  EXPECT_EQ(format_seconds(90), "90s");
  EXPECT_EQ(format_seconds(120), "2min");
  EXPECT_EQ(format_seconds(3600), "1h");
  EXPECT_EQ(format_seconds(5400), "90min");
  EXPECT_EQ(format_seconds(86400), "1d");
  EXPECT_EQ(format_seconds(0), "0");
  EXPECT_EQ(format_seconds(-1), "-1");
}

// Storage.

TEST(ConfigAdvice, ParseStorageIgnoresCaseAndSpace) {
  EXPECT_EQ(parse_storage("ssd"), Storage::Ssd);
  EXPECT_EQ(parse_storage("SSD"), Storage::Ssd);
  EXPECT_EQ(parse_storage("  Hdd\t"), Storage::Hdd);
  EXPECT_EQ(parse_storage("\nNetWork \n"), Storage::Network);
  for (Storage s : {Storage::Ssd, Storage::Hdd, Storage::Network})
    EXPECT_EQ(parse_storage(storage_name(s)), s);
  EXPECT_STREQ(storage_name(Storage::Network), "network");
}

TEST(ConfigAdvice, ParseStorageRejectsOthers) {
  for (const char *bad : {"tape", "", "   ", "ss d", "nvme", "ssd,hdd", "hdd2"})
    expect_invalid([&] { parse_storage(bad); }, "storage", "storage must be one of: ssd, hdd, network");
  expect_invalid([] { parse_storage(" Tape"); }, "invalid storage: \" Tape\"", "ssd, hdd, network");
}

// The shape of the answer.

TEST(ConfigAdvice, FixedOrderWithoutPool) {
  EXPECT_EQ(settings(config_recommendations(inputs())),
            (std::vector<std::string>{"shared_buffers", "effective_cache_size", "maintenance_work_mem", "work_mem",
                                      "wal_buffers", "checkpoint_completion_target", "default_statistics_target",
                                      "random_page_cost", "effective_io_concurrency", "autovacuum_max_workers",
                                      "autovacuum_naptime", "autovacuum_vacuum_scale_factor",
                                      "autovacuum_analyze_scale_factor"}));
}

TEST(ConfigAdvice, MaxConnectionsComesFirstOnlyWithPool) {
  const std::vector<std::string> names = settings(config_recommendations(with_pool(150)));
  ASSERT_EQ(names.size(), 14u);
  EXPECT_EQ(names.front(), "max_connections");
  EXPECT_EQ(std::vector<std::string>(names.begin() + 1, names.end()), settings(config_recommendations(inputs())));
}

TEST(ConfigAdvice, SixteenGigabytesOnSsd) {
  struct Expected {
    const char *setting, *value;
    std::int64_t base;
    const char *kind;
  };
  const Expected expected[] = {
      {"shared_buffers", "4GB", 4 * kGB, "memory"},
      {"effective_cache_size", "12GB", 12 * kGB, "memory"},
      {"maintenance_work_mem", "819MB", 819 * kMB, "memory"},
      {"work_mem", "40MB", 40 * kMB, "memory"},
      {"wal_buffers", "16MB", 16 * kMB, "memory"},
      {"checkpoint_completion_target", "0.9", -1, "number"},
      {"default_statistics_target", "100", 100, "count"},
      {"random_page_cost", "1.1", -1, "number"},
      {"effective_io_concurrency", "200", 200, "count"},
      {"autovacuum_max_workers", "4", 4, "count"},
      {"autovacuum_naptime", "30s", 30, "time"},
      {"autovacuum_vacuum_scale_factor", "0.1", -1, "number"},
      {"autovacuum_analyze_scale_factor", "0.05", -1, "number"},
  };
  const std::vector<Recommendation> recs = config_recommendations(inputs());
  ASSERT_EQ(recs.size(), std::size(expected));
  for (std::size_t i = 0; i < recs.size(); ++i) {
    SCOPED_TRACE(expected[i].setting);
    EXPECT_EQ(recs[i].setting, expected[i].setting);
    EXPECT_EQ(recs[i].value, expected[i].value);
    EXPECT_EQ(recs[i].value_in_base_units, expected[i].base);
    EXPECT_EQ(recs[i].unit_kind, expected[i].kind);
  }
}

TEST(ConfigAdvice, ReasonsAreOneLineEach) {
  for (const ConfigInputs &in : {inputs(), with_pool(150), inputs(256 * kMB, 100, 1, Storage::Hdd),
                                 inputs(64 * kTB, 5000, 128, Storage::Network)})
    for (const Recommendation &r : config_recommendations(in)) {
      SCOPED_TRACE(r.setting);
      EXPECT_FALSE(r.reason.empty());
      EXPECT_EQ(r.reason.find('\n'), std::string::npos);
      EXPECT_NE(r.reason.back(), '.');
    }
}

TEST(ConfigAdvice, BaseValuesMatchPrintedValues) {
  for (std::int64_t memory : {256 * kMB, 1000 * kMB + 12345, 16 * kGB, 100 * kGB, 31 * kTB, 64 * kTB})
    for (const Recommendation &r : config_recommendations(with_pool(37, memory))) {
      SCOPED_TRACE(r.setting + " = " + r.value);
      if (r.unit_kind == "number") {
        EXPECT_EQ(r.value_in_base_units, -1);
      } else {
        EXPECT_EQ(read_back(r.value), r.value_in_base_units);
      }
      if (r.unit_kind == "memory") {
        EXPECT_EQ(r.value_in_base_units % kMB, 0) << "memory is recommended in whole MB";
      }
    }
}

// shared_buffers.

TEST(ConfigAdvice, SharedBuffersIsAQuarterRoundedDownToMegabytes) {
  EXPECT_EQ(value_of(inputs(16 * kGB), "shared_buffers"), "4GB");
  EXPECT_EQ(value_of(inputs(1000 * kMB), "shared_buffers"), "250MB");
  EXPECT_EQ(value_of(inputs(1003 * kMB), "shared_buffers"), "250MB");
  EXPECT_EQ(value_of(inputs(6 * kGB), "shared_buffers"), "1536MB");
  EXPECT_EQ(value_of(inputs(16318412 * kKB), "shared_buffers"), "3983MB"); // a MemTotal as Linux reports it
  const Recommendation r = find(config_recommendations(inputs()), "shared_buffers");
  EXPECT_TRUE(contains(r.reason, "25% of 16GB of memory"));
}

TEST(ConfigAdvice, SharedBuffersAtLeast128MB) {
  EXPECT_EQ(value_of(inputs(256 * kMB), "shared_buffers"), "128MB");
  EXPECT_EQ(value_of(inputs(511 * kMB), "shared_buffers"), "128MB");
  EXPECT_EQ(value_of(inputs(512 * kMB), "shared_buffers"), "128MB");
  EXPECT_EQ(value_of(inputs(516 * kMB), "shared_buffers"), "129MB");
  EXPECT_TRUE(contains(find(config_recommendations(inputs(256 * kMB)), "shared_buffers").reason, "default of 128MB"));
}

TEST(ConfigAdvice, SharedBuffersCappedAtPostgresMaximum) {
  // INT_MAX / 2 blocks of 8kB is 8kB short of 8TB: a quarter of 32TB is already too much.
  EXPECT_EQ(value_of(inputs(31 * kTB), "shared_buffers"), "7936GB");
  EXPECT_EQ(value_of(inputs(32 * kTB), "shared_buffers"), "8388607MB");
  EXPECT_EQ(value_of(inputs(64 * kTB), "shared_buffers"), "8388607MB");
  EXPECT_TRUE(
      contains(find(config_recommendations(inputs(64 * kTB)), "shared_buffers").reason, "most PostgreSQL accepts"));
}

TEST(ConfigAdvice, MemoryThatIsNotWholeMegabytesIsDescribedApproximately) {
  EXPECT_TRUE(contains(find(config_recommendations(inputs(16318412 * kKB)), "shared_buffers").reason,
                       "25% of about 15.6GB of memory"));
  EXPECT_TRUE(contains(find(config_recommendations(inputs(16 * kGB + 1)), "shared_buffers").reason,
                       "25% of about 16GB of memory"));
}

// effective_cache_size.

TEST(ConfigAdvice, EffectiveCacheSizeIsThreeQuarters) {
  EXPECT_EQ(value_of(inputs(16 * kGB), "effective_cache_size"), "12GB");
  EXPECT_EQ(value_of(inputs(256 * kMB), "effective_cache_size"), "192MB");
  EXPECT_EQ(value_of(inputs(1 * kGB), "effective_cache_size"), "768MB");
  EXPECT_EQ(value_of(inputs(1001 * kMB), "effective_cache_size"), "750MB");
  EXPECT_EQ(value_of(inputs(20 * kTB), "effective_cache_size"), "15TB");
}

TEST(ConfigAdvice, EffectiveCacheSizeCappedAtPostgresMaximum) {
  EXPECT_EQ(value_of(inputs(22 * kTB), "effective_cache_size"), "16777215MB"); // INT_MAX blocks, in whole MB
  EXPECT_EQ(value_of(inputs(64 * kTB), "effective_cache_size"), "16777215MB");
}

// maintenance_work_mem.

TEST(ConfigAdvice, MaintenanceWorkMemIsFivePercent) {
  EXPECT_EQ(value_of(inputs(16 * kGB), "maintenance_work_mem"), "819MB");
  EXPECT_EQ(value_of(inputs(2000 * kMB), "maintenance_work_mem"), "100MB");
  EXPECT_EQ(value_of(inputs(39 * kGB), "maintenance_work_mem"), "1996MB");
}

TEST(ConfigAdvice, MaintenanceWorkMemBetween64MBAnd2GB) {
  EXPECT_EQ(value_of(inputs(256 * kMB), "maintenance_work_mem"), "64MB");
  EXPECT_EQ(value_of(inputs(1 * kGB), "maintenance_work_mem"), "64MB");
  EXPECT_EQ(value_of(inputs(1280 * kMB), "maintenance_work_mem"), "64MB");
  EXPECT_EQ(value_of(inputs(1300 * kMB), "maintenance_work_mem"), "65MB");
  EXPECT_EQ(value_of(inputs(40 * kGB), "maintenance_work_mem"), "2GB");
  EXPECT_EQ(value_of(inputs(41 * kGB), "maintenance_work_mem"), "2GB");
  EXPECT_EQ(value_of(inputs(64 * kTB), "maintenance_work_mem"), "2GB");
}

// work_mem.

TEST(ConfigAdvice, WorkMemFormula) {
  // (16GB - 4GB) / (100 * 3) = 40.96MB.
  const Recommendation r = find(config_recommendations(inputs()), "work_mem");
  EXPECT_EQ(r.value, "40MB");
  EXPECT_TRUE(contains(r.reason, "(16GB of memory - 4GB shared_buffers) / (3 * 100 max_connections)"));
  EXPECT_TRUE(contains(r.reason, "between 4MB and 256MB"));
  // (16GB - 4GB) / (400 * 3) = 10.24MB.
  EXPECT_EQ(value_of(inputs(16 * kGB, 400), "work_mem"), "10MB");
  // (64GB - 16GB) / (50 * 3) = 327.68MB, over the maximum; (64GB - 16GB) / (200 * 3) = 81.92MB.
  EXPECT_EQ(value_of(inputs(64 * kGB, 50), "work_mem"), "256MB");
  EXPECT_EQ(value_of(inputs(64 * kGB, 200), "work_mem"), "81MB");
}

TEST(ConfigAdvice, WorkMemClampedTo4MBAnd256MB) {
  EXPECT_EQ(value_of(inputs(1600 * kMB), "work_mem"), "4MB");        // exactly (1600 - 400) / 300
  EXPECT_EQ(value_of(inputs(1 * kGB), "work_mem"), "4MB");           // 2.56MB
  EXPECT_EQ(value_of(inputs(256 * kMB, 262143), "work_mem"), "4MB"); // far below 1MB
  EXPECT_EQ(value_of(inputs(100 * kGB), "work_mem"), "256MB");       // exactly (100GB - 25GB) / 300
  EXPECT_EQ(value_of(inputs(99 * kGB), "work_mem"), "253MB");
  EXPECT_EQ(value_of(inputs(64 * kTB, 1), "work_mem"), "256MB");
}

TEST(ConfigAdvice, WorkMemUsesRecommendedMaxConnectionsWhenPoolGiven) {
  // A pool of 150 asks for max_connections = 200: (16GB - 4GB) / (200 * 3) = 20.48MB, not the 40MB for 100.
  const Recommendation r = find(config_recommendations(with_pool(150)), "work_mem");
  EXPECT_EQ(r.value, "20MB");
  EXPECT_TRUE(contains(r.reason, "(3 * 200 recommended max_connections)"));
}

// Fixed values.

TEST(ConfigAdvice, FixedValues) {
  for (Storage s : {Storage::Ssd, Storage::Hdd, Storage::Network}) {
    const std::vector<Recommendation> recs = config_recommendations(inputs(16 * kGB, 100, 8, s));
    EXPECT_EQ(find(recs, "checkpoint_completion_target").value, "0.9");
    EXPECT_EQ(find(recs, "wal_buffers").value, "16MB");
    EXPECT_EQ(find(recs, "wal_buffers").value_in_base_units, 16 * kMB);
    EXPECT_EQ(find(recs, "default_statistics_target").value, "100");
    EXPECT_EQ(find(recs, "autovacuum_vacuum_scale_factor").value, "0.1");
    EXPECT_EQ(find(recs, "autovacuum_analyze_scale_factor").value, "0.05");
    EXPECT_EQ(find(recs, "autovacuum_naptime").value, "30s");
    EXPECT_EQ(find(recs, "autovacuum_naptime").value_in_base_units, 30);
    EXPECT_EQ(find(recs, "autovacuum_naptime").unit_kind, "time");
  }
}

// By storage.

TEST(ConfigAdvice, StorageDecidesRandomPageCostAndIoConcurrency) {
  const auto for_storage = [](Storage s, const char *setting) {
    return find(config_recommendations(inputs(16 * kGB, 100, 8, s)), setting);
  };
  EXPECT_EQ(for_storage(Storage::Ssd, "random_page_cost").value, "1.1");
  EXPECT_EQ(for_storage(Storage::Hdd, "random_page_cost").value, "4");
  EXPECT_EQ(for_storage(Storage::Network, "random_page_cost").value, "1.5");
  EXPECT_EQ(for_storage(Storage::Hdd, "random_page_cost").value_in_base_units, -1);
  EXPECT_EQ(for_storage(Storage::Hdd, "random_page_cost").unit_kind, "number");
  EXPECT_EQ(for_storage(Storage::Ssd, "effective_io_concurrency").value, "200");
  EXPECT_EQ(for_storage(Storage::Hdd, "effective_io_concurrency").value, "2");
  EXPECT_EQ(for_storage(Storage::Network, "effective_io_concurrency").value, "100");
  EXPECT_EQ(for_storage(Storage::Network, "effective_io_concurrency").value_in_base_units, 100);
  EXPECT_EQ(for_storage(Storage::Network, "effective_io_concurrency").unit_kind, "count");
  EXPECT_EQ(for_storage(parse_storage(" HDD "), "random_page_cost").value, "4");
}

// autovacuum_max_workers.

TEST(ConfigAdvice, AutovacuumWorkersHalfTheCpusBetween3And8) {
  const auto workers = [](int cpus) { return value_of(inputs(16 * kGB, 100, cpus), "autovacuum_max_workers"); };
  EXPECT_EQ(workers(1), "3");
  EXPECT_EQ(workers(2), "3");
  EXPECT_EQ(workers(7), "3");
  EXPECT_EQ(workers(8), "4");
  EXPECT_EQ(workers(9), "4");
  EXPECT_EQ(workers(12), "6");
  EXPECT_EQ(workers(16), "8");
  EXPECT_EQ(workers(17), "8");
  EXPECT_EQ(workers(256), "8");
  const auto reason = [](int cpus) {
    return find(config_recommendations(inputs(16 * kGB, 100, cpus)), "autovacuum_max_workers").reason;
  };
  EXPECT_TRUE(contains(reason(1), "At least 3 even with 1 CPU,"));
  EXPECT_TRUE(contains(reason(5), "At least 3 even with 5 CPUs,"));
  EXPECT_TRUE(contains(reason(7), "Half of the 7 CPUs, rounded down:"));
  EXPECT_TRUE(contains(reason(12), "Half of the 12 CPUs:"));
  EXPECT_TRUE(contains(reason(16), "Half of the 16 CPUs"));
  EXPECT_TRUE(contains(reason(18), "At most 8 even with 18 CPUs"));
}

// max_connections.

TEST(ConfigAdvice, MaxConnectionsForAPoolOf150Is200) {
  EXPECT_EQ(recommended_max_connections(150), 200); // 150 + 38 + 3 = 191
  const Recommendation r = find(config_recommendations(with_pool(150)), "max_connections");
  EXPECT_EQ(r.value, "200");
  EXPECT_EQ(r.value_in_base_units, 200);
  EXPECT_EQ(r.unit_kind, "count");
  EXPECT_TRUE(contains(r.reason, "A pool of 150 plus 25% headroom (38) plus 3"));
}

TEST(ConfigAdvice, MaxConnectionsRoundsUpToTens) {
  EXPECT_EQ(recommended_max_connections(1), 10);    // 1 + 1 + 3 = 5
  EXPECT_EQ(recommended_max_connections(5), 10);    // 5 + 2 + 3 = 10: already a multiple
  EXPECT_EQ(recommended_max_connections(13), 20);   // 13 + 4 + 3 = 20
  EXPECT_EQ(recommended_max_connections(14), 30);   // 14 + 4 + 3 = 21
  EXPECT_EQ(recommended_max_connections(100), 130); // 100 + 25 + 3 = 128
  EXPECT_EQ(recommended_max_connections(1000), 1260);
}

TEST(ConfigAdvice, MaxConnectionsUpToPostgresLimit) {
  EXPECT_EQ(recommended_max_connections(209709), 262140); // 209709 + 52428 + 3, the last multiple of 10 allowed
  expect_invalid([] { recommended_max_connections(209710); }, "209710", "between 1 and 209709");
  expect_invalid([] { config_recommendations(with_pool(std::numeric_limits<int>::max())); }, "2147483647", "209709");
  EXPECT_TRUE(contains(error_from([] { recommended_max_connections(209710); }).detail(), "262143"));
}

// Errors.

TEST(ConfigAdvice, RejectsNonPositiveMemory) {
  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min()})
    expect_invalid([&] { config_recommendations(inputs(bad)); }, "invalid total_memory_bytes: " + std::to_string(bad),
                   "between 268435456 (256MB)");
  expect_invalid([] { config_recommendations(ConfigInputs{}); }, "total_memory_bytes: 0", "NULL");
}

TEST(ConfigAdvice, RejectsAbsurdMemory) {
  expect_invalid([] { config_recommendations(inputs(256 * kMB - 1)); }, "268435455", "256MB");
  expect_invalid([] { config_recommendations(inputs(1000)); }, "1000", "256MB");
  expect_invalid([] { config_recommendations(inputs(64 * kTB + 1)); }, "70368744177665", "70368744177664 (64TB)");
  expect_invalid([] { config_recommendations(inputs(std::numeric_limits<std::int64_t>::max())); },
                 "9223372036854775807", "64TB");
  EXPECT_NO_THROW(config_recommendations(inputs(256 * kMB)));
  EXPECT_NO_THROW(config_recommendations(inputs(64 * kTB)));
}

TEST(ConfigAdvice, RejectsNonPositivePool) {
  expect_invalid([] { config_recommendations(with_pool(0)); }, "invalid max_client_connections: 0", "between 1");
  expect_invalid([] { config_recommendations(with_pool(-5)); }, "invalid max_client_connections: -5", "NULL");
  expect_invalid([] { recommended_max_connections(0); }, "max_client_connections: 0", "overflow");
}

TEST(ConfigAdvice, RejectsBadCurrentMaxConnections) {
  expect_invalid([] { config_recommendations(inputs(16 * kGB, 0)); }, "max_connections: 0", "between 1 and 262143");
  expect_invalid([] { config_recommendations(inputs(16 * kGB, -1)); }, "max_connections: -1", "262143");
  expect_invalid([] { config_recommendations(inputs(16 * kGB, 262144)); }, "max_connections: 262144", "262143");
  EXPECT_NO_THROW(config_recommendations(inputs(16 * kGB, 262143)));
  EXPECT_NO_THROW(config_recommendations(inputs(16 * kGB, 1)));
}

TEST(ConfigAdvice, RejectsCpuCountBelowOne) {
  expect_invalid([] { config_recommendations(inputs(16 * kGB, 100, 0)); }, "invalid cpu count: 0", "at least 1");
  expect_invalid([] { config_recommendations(inputs(16 * kGB, 100, -4)); }, "invalid cpu count: -4", "at least 1");
}

} // namespace
