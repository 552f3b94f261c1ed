#include "core/partition_bounds.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/schedule.hpp"

namespace pgo::core {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMonday19700105 = 4 * kDay;
constexpr std::int64_t kMicrosPerHour = 3600LL * 1000000LL;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

Error out_of_range() {
  return Error("22003", "partition bound out of range", "",
               "The key's values are too close to the limits of its type for this step.");
}

std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    throw out_of_range();
  return r;
}
std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    throw out_of_range();
  return r;
}

// Length in seconds (or values) of a fixed-length step, with the origin its slots are counted from.
std::int64_t fixed_length(const PartitionStep &step) {
  switch (step.unit) {
  case StepUnit::Hours:
    return checked_mul(step.count, kHour);
  case StepUnit::Days:
    return checked_mul(step.count, kDay);
  default:
    return step.count;
  }
}
std::int64_t origin(const PartitionStep &step) {
  return step.unit == StepUnit::Days && step.count % 7 == 0 ? kMonday19700105 : 0;
}

std::int64_t month_number(std::int64_t seconds) {
  const CivilTime c = civil_from_seconds(seconds);
  return static_cast<std::int64_t>(c.year) * 12 + (c.month - 1);
}
std::int64_t month_start(std::int64_t month) {
  CivilTime c;
  c.year = static_cast<int>(floor_div(month, 12));
  c.month = static_cast<int>(month - floor_div(month, 12) * 12) + 1;
  c.day = 1;
  return seconds_from_civil(c);
}

bool touches(const PartitionRange &r, std::int64_t lower, std::int64_t upper) {
  return (!r.lower || *r.lower < upper) && (!r.upper || *r.upper > lower);
}

// Whether the union of the ranges covers [lower, upper).
bool covered(const std::vector<ExistingPartition> &existing, std::int64_t lower, std::int64_t upper) {
  std::int64_t reached = lower;
  bool progress = true;
  while (reached < upper && progress) {
    progress = false;
    for (const ExistingPartition &p : existing)
      if ((!p.range.lower || *p.range.lower <= reached) && (!p.range.upper || *p.range.upper > reached)) {
        if (!p.range.upper)
          return true;
        reached = *p.range.upper;
        progress = true;
      }
  }
  return reached >= upper;
}

std::vector<NewPartition> window(const PartitionStep &step, std::int64_t current, int premake) {
  if (premake < 0)
    throw Error("22023", fmt::format("premake must be 0 or more, not {}", premake), "",
                "premake is the number of partitions made ahead of the current one, for example 4.");
  std::vector<NewPartition> out;
  const std::int64_t first = align_down(step, current);
  for (int i = 0; i <= premake; i++) {
    NewPartition p;
    p.lower = advance(step, first, i);
    p.upper = advance(step, first, i + 1);
    p.suffix = partition_suffix(step, p.lower);
    out.push_back(std::move(p));
  }
  return out;
}

} // namespace

PartitionStep time_step(PartitionKeyType key, std::int32_t months, std::int32_t days, std::int64_t microseconds) {
  const int parts = (months != 0) + (days != 0) + (microseconds != 0);
  const char *hint = "Use whole hours, days or months, one of them: '1 day', '7 days', '1 month', '6 hours'.";
  if (parts == 0 || months < 0 || days < 0 || microseconds < 0)
    throw Error("22023", "the partition interval must be positive", "", hint);
  if (parts > 1)
    throw Error("22023", "the partition interval must be whole hours, days or months, not a mix of them", "", hint);
  if (months)
    return {StepUnit::Months, months};
  if (days)
    return {StepUnit::Days, days};
  if (microseconds % kMicrosPerHour != 0)
    throw Error("22023", "the partition interval must be whole hours, days or months", "", hint);
  if (key == PartitionKeyType::Date)
    throw Error("42804", "a date key cannot be partitioned by hours", "", "Use days or months for a date key.");
  return {StepUnit::Hours, microseconds / kMicrosPerHour};
}

PartitionStep integer_step(std::int64_t step) {
  if (step <= 0)
    throw Error("22023", fmt::format("the partition step must be positive, not {}", step), "",
                "For an integer key give the number of values per partition, for example 1000000.");
  return {StepUnit::Integer, step};
}

std::int64_t align_down(const PartitionStep &step, std::int64_t value) {
  if (step.unit == StepUnit::Months) {
    const std::int64_t m = month_number(value);
    return month_start(floor_div(m, step.count) * step.count);
  }
  const std::int64_t len = fixed_length(step), o = origin(step);
  const std::int64_t k = floor_div(value - o, len); // value - o cannot overflow for o in [0, 4 days] and time values
  return checked_add(checked_mul(k, len), o);
}

std::int64_t advance(const PartitionStep &step, std::int64_t start, std::int64_t n) {
  if (step.unit == StepUnit::Months)
    return month_start(checked_add(month_number(start), checked_mul(n, step.count)));
  return checked_add(start, checked_mul(n, fixed_length(step)));
}

std::string partition_suffix(const PartitionStep &step, std::int64_t start) {
  if (step.unit == StepUnit::Integer)
    return fmt::format("p{}", start);
  const CivilTime c = civil_from_seconds(start);
  switch (step.unit) {
  case StepUnit::Months:
    return fmt::format("p{:04d}{:02d}", c.year, c.month);
  case StepUnit::Hours:
    return fmt::format("p{:04d}{:02d}{:02d}_{:02d}", c.year, c.month, c.day, c.hour);
  default:
    return fmt::format("p{:04d}{:02d}{:02d}", c.year, c.month, c.day);
  }
}

std::size_t clip_utf8(const std::string &text, std::size_t max_bytes) {
  if (text.size() <= max_bytes)
    return text.size();
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    n--;
  return n;
}

std::string partition_name(const std::string &table, const std::string &suffix, std::size_t max_bytes,
                           const ClipFunction &clip) {
  const std::size_t room = max_bytes > suffix.size() + 1 ? max_bytes - suffix.size() - 1 : 0;
  return table.substr(0, clip(table, room)) + "_" + suffix;
}

std::string bound_text(PartitionKeyType key, std::int64_t value) {
  if (key == PartitionKeyType::Integer)
    return std::to_string(value);
  const CivilTime c = civil_from_seconds(value);
  const std::string date = fmt::format("{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
  if (key == PartitionKeyType::Date)
    return date;
  const std::string time = fmt::format("{} {:02d}:{:02d}:{:02d}", date, c.hour, c.minute, c.second);
  return key == PartitionKeyType::Timestamptz ? time + "+00" : time;
}

PartitionPassPlan plan_partition_pass(const PartitionStep &step, const std::vector<ExistingPartition> &existing,
                                      std::int64_t current, int premake, std::optional<std::int64_t> cutoff) {
  PartitionPassPlan plan;
  for (NewPartition &slot : window(step, current, premake)) {
    const bool touched = std::any_of(existing.begin(), existing.end(), [&](const ExistingPartition &p) {
      return touches(p.range, slot.lower, slot.upper);
    });
    if (!touched)
      plan.create.push_back(std::move(slot));
    else if (!covered(existing, slot.lower, slot.upper))
      plan.overlapping.push_back(std::move(slot));
  }
  if (cutoff) {
    std::vector<const ExistingPartition *> old;
    for (const ExistingPartition &p : existing)
      if (p.range.upper && *p.range.upper <= *cutoff)
        old.push_back(&p);
    std::sort(old.begin(), old.end(), [](const ExistingPartition *a, const ExistingPartition *b) {
      return std::make_pair(*a->range.upper, a->name) < std::make_pair(*b->range.upper, b->name);
    });
    for (const ExistingPartition *p : old)
      plan.retire.push_back(p->name);
  }
  return plan;
}

std::vector<NewPartition> uncovered_slots(const PartitionStep &step, const std::vector<ExistingPartition> &existing,
                                          std::int64_t current, int premake) {
  std::vector<NewPartition> out;
  for (NewPartition &slot : window(step, current, premake))
    if (!covered(existing, slot.lower, slot.upper))
      out.push_back(std::move(slot));
  return out;
}

} // namespace pgo::core
