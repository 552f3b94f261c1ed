// Partition naming, bound arithmetic and the plan of one maintenance pass for a RANGE-partitioned table.
//
// PostgreSQL-free. Time keys are handled as seconds since 1970-01-01 00:00 UTC: every bound is aligned in UTC (a
// timestamptz partition of a day runs from 00:00+00 to the next 00:00+00 whatever the session's TimeZone; a timestamp
// without time zone or a date is read as if it were UTC). Integer keys are handled as their values.
//
// Alignment (the start of the slot that holds a value):
// - N hours: multiples of N hours since 1970-01-01 00:00;
// - N days: multiples of N days since 1970-01-01, except whole weeks (7, 14, ... days), which start on a Monday
//   (multiples since Monday 1970-01-05);
// - N months: month numbers (year * 12 + month - 1) that are multiples of N, so 3 months are calendar quarters and
//   12 months calendar years;
// - integer step N: multiples of N.
// Names: <table>_p<YYYYMMDD>_<HH> for hours, <table>_p<YYYYMMDD> for days and weeks, <table>_p<YYYYMM> for months,
// <table>_p<start> for integers, the table's part cut so that the whole fits in 63 bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pgo::core {

enum class PartitionKeyType { Timestamptz, Timestamp, Date, Integer };
enum class StepUnit { Hours, Days, Months, Integer };

struct PartitionStep {
  StepUnit unit = StepUnit::Days;
  std::int64_t count = 1;
};

// The step an interval (its three fields, as PostgreSQL stores them) gives for a time key. Throws pgo::Error 22023
// for a mix of fields, a non-positive interval or one that is not whole hours, and 42804 when the key cannot take it
// (hours on a date key).
PartitionStep time_step(PartitionKeyType key, std::int32_t months, std::int32_t days, std::int64_t microseconds);
// The step of an integer key; throws pgo::Error 22023 unless positive.
PartitionStep integer_step(std::int64_t step);

// The start of the slot holding `value`, and the start `n` slots after `start`.
std::int64_t align_down(const PartitionStep &step, std::int64_t value);
std::int64_t advance(const PartitionStep &step, std::int64_t start, std::int64_t n);

// The name suffix of the partition starting at `start` ("p20261130", "p202611", "p20261130_06", "p1000").
std::string partition_suffix(const PartitionStep &step, std::int64_t start);
// <table>_<suffix> in at most max_bytes; `clip(text, bytes)` answers how many bytes of text to keep so that no
// character is cut (the default assumes UTF-8).
using ClipFunction = std::function<std::size_t(const std::string &, std::size_t)>;
std::size_t clip_utf8(const std::string &text, std::size_t max_bytes);
std::string partition_name(const std::string &table, const std::string &suffix, std::size_t max_bytes = 63,
                           const ClipFunction &clip = clip_utf8);

// A bound as an SQL literal's text for the key type ("2026-11-30 00:00:00+00", "2026-11-30 00:00:00", "2026-11-30",
// "1000"), unquoted.
std::string bound_text(PartitionKeyType key, std::int64_t value);

// A partition's range; std::nullopt for MINVALUE (lower) or MAXVALUE (upper). Upper bounds are exclusive.
struct PartitionRange {
  std::optional<std::int64_t> lower, upper;
};
struct ExistingPartition {
  std::string name;
  PartitionRange range;
};

struct NewPartition {
  std::string suffix;
  std::int64_t lower = 0, upper = 0;
};

struct PartitionPassPlan {
  std::vector<NewPartition> create;      // slots of the premake window no partition touches
  std::vector<NewPartition> overlapping; // slots of the window a partition with other bounds covers in part or whole
  std::vector<std::string> retire;       // partitions entirely below the retention cutoff, oldest first
};

// One maintenance pass: the slot holding `current` and `premake` slots after it must exist; partitions whose upper
// bound is at or below `cutoff` (when given) are retired. A slot that any existing partition touches is never
// created (hand-made partitions are respected); it is listed in `overlapping` unless the partitions there cover it
// whole. Throws pgo::Error 22023 for a negative premake.
PartitionPassPlan plan_partition_pass(const PartitionStep &step, const std::vector<ExistingPartition> &existing,
                                      std::int64_t current, int premake, std::optional<std::int64_t> cutoff);

// Slots of the window [slot of current, premake slots after it] that the existing partitions do not cover whole.
std::vector<NewPartition> uncovered_slots(const PartitionStep &step, const std::vector<ExistingPartition> &existing,
                                          std::int64_t current, int premake);

} // namespace pgo::core
