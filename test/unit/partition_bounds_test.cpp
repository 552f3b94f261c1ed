#include "core/partition_bounds.hpp"

#include "core/error.hpp"
#include "core/schedule.hpp"

#include <gtest/gtest.h>

#include "utc.hpp"

namespace {

using namespace pgo::core;

using pgo::test::utc;

constexpr std::int64_t kDay = 86400;
const PartitionStep kDaily{StepUnit::Days, 1};
const PartitionStep kWeekly{StepUnit::Days, 7};
const PartitionStep kMonthly{StepUnit::Months, 1};

ExistingPartition part(const std::string &name, std::optional<std::int64_t> lo, std::optional<std::int64_t> hi) {
  return ExistingPartition{name, PartitionRange{lo, hi}};
}

std::string sqlstate_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const pgo::Error &e) {
    return e.sqlstate();
  }
  return "none";
}

TEST(PartitionStep, FromInterval) {
  EXPECT_EQ(time_step(PartitionKeyType::Timestamptz, 0, 1, 0).unit, StepUnit::Days);
  EXPECT_EQ(time_step(PartitionKeyType::Timestamptz, 3, 0, 0).count, 3);
  const PartitionStep h = time_step(PartitionKeyType::Timestamp, 0, 0, 6LL * 3600 * 1000000);
  EXPECT_EQ(h.unit, StepUnit::Hours);
  EXPECT_EQ(h.count, 6);
  EXPECT_EQ(sqlstate_of([] { time_step(PartitionKeyType::Timestamptz, 1, 1, 0); }), "22023");
  EXPECT_EQ(sqlstate_of([] { time_step(PartitionKeyType::Timestamptz, 0, 0, 0); }), "22023");
  EXPECT_EQ(sqlstate_of([] { time_step(PartitionKeyType::Timestamptz, 0, -1, 0); }), "22023");
  EXPECT_EQ(sqlstate_of([] { time_step(PartitionKeyType::Timestamptz, 0, 0, 90LL * 60 * 1000000); }), "22023");
  EXPECT_EQ(sqlstate_of([] { time_step(PartitionKeyType::Date, 0, 0, 3600LL * 1000000); }), "42804");
  EXPECT_EQ(sqlstate_of([] { integer_step(0); }), "22023");
  EXPECT_EQ(integer_step(1000).count, 1000);
}

TEST(PartitionBounds, DaysAlignToUtcMidnight) {
  EXPECT_EQ(align_down(kDaily, utc(2026, 11, 30, 23) + 59), utc(2026, 11, 30));
  EXPECT_EQ(align_down(kDaily, utc(2026, 11, 30)), utc(2026, 11, 30));
  EXPECT_EQ(advance(kDaily, utc(2026, 11, 30), 1), utc(2026, 12, 1));
  EXPECT_EQ(align_down(kDaily, utc(1969, 12, 31, 5)), utc(1969, 12, 31)); // before the epoch: floor, not truncation
}

TEST(PartitionBounds, WeeksStartOnMonday) {
  // 2026-11-30 is a Monday; 2026-12-06 the Sunday after it.
  EXPECT_EQ(align_down(kWeekly, utc(2026, 12, 6, 22)), utc(2026, 11, 30));
  EXPECT_EQ(align_down(kWeekly, utc(2026, 11, 30)), utc(2026, 11, 30));
  EXPECT_EQ(advance(kWeekly, utc(2026, 11, 30), 2), utc(2026, 12, 14));
  EXPECT_EQ(partition_suffix(kWeekly, utc(2026, 11, 30)), "p20261130");
}

TEST(PartitionBounds, MonthsFollowTheCalendar) {
  EXPECT_EQ(align_down(kMonthly, utc(2026, 2, 28, 12)), utc(2026, 2, 1));
  EXPECT_EQ(advance(kMonthly, utc(2026, 11, 1), 2), utc(2027, 1, 1));
  EXPECT_EQ(advance(kMonthly, utc(2024, 1, 1), 1) - utc(2024, 1, 1), 31 * kDay);
  EXPECT_EQ(advance(kMonthly, utc(2024, 2, 1), 1) - utc(2024, 2, 1), 29 * kDay); // leap year
  const PartitionStep quarter{StepUnit::Months, 3};
  EXPECT_EQ(align_down(quarter, utc(2026, 11, 30)), utc(2026, 10, 1));
  const PartitionStep year{StepUnit::Months, 12};
  EXPECT_EQ(align_down(year, utc(2026, 11, 30)), utc(2026, 1, 1));
  EXPECT_EQ(partition_suffix(kMonthly, utc(2026, 11, 1)), "p202611");
}

TEST(PartitionBounds, HoursAndIntegers) {
  const PartitionStep six{StepUnit::Hours, 6};
  EXPECT_EQ(align_down(six, utc(2026, 11, 30, 11)), utc(2026, 11, 30, 6));
  EXPECT_EQ(partition_suffix(six, utc(2026, 11, 30, 6)), "p20261130_06");
  const PartitionStep ints{StepUnit::Integer, 1000};
  EXPECT_EQ(align_down(ints, 12345), 12000);
  EXPECT_EQ(align_down(ints, -1), -1000);
  EXPECT_EQ(advance(ints, 12000, 3), 15000);
  EXPECT_EQ(partition_suffix(ints, 12000), "p12000");
  EXPECT_EQ(sqlstate_of([&] { advance(ints, INT64_MAX - 10, 1); }), "22003");
}

TEST(PartitionBounds, Literals) {
  EXPECT_EQ(bound_text(PartitionKeyType::Timestamptz, utc(2026, 11, 30)), "2026-11-30 00:00:00+00");
  EXPECT_EQ(bound_text(PartitionKeyType::Timestamp, utc(2026, 11, 30, 6)), "2026-11-30 06:00:00");
  EXPECT_EQ(bound_text(PartitionKeyType::Date, utc(2026, 11, 30)), "2026-11-30");
  EXPECT_EQ(bound_text(PartitionKeyType::Integer, -5), "-5");
}

TEST(PartitionNames, FitIn63BytesWithoutCuttingACharacter) {
  EXPECT_EQ(partition_name("events", "p20261130"), "events_p20261130");
  const std::string long_name(70, 'x');
  const std::string n = partition_name(long_name, "p20261130");
  EXPECT_EQ(n.size(), 63u);
  EXPECT_EQ(n.substr(n.size() - 10), "_p20261130");
  std::string accents;
  for (int i = 0; i < 30; i++)
    accents += "\xc3\xa9"; // 60 bytes of é
  const std::string m = partition_name(accents, "p20261130");
  EXPECT_LE(m.size(), 63u);
  EXPECT_EQ(m.size(), 52u + 10u); // 26 whole characters, not 26.5
}

TEST(PartitionPass, CreatesTheWindowAndRetiresOldOnes) {
  const std::int64_t now = utc(2026, 11, 30, 14);
  std::vector<ExistingPartition> existing{part("t_p20261020", utc(2026, 10, 20), utc(2026, 10, 21)),
                                          part("t_p20261029", utc(2026, 10, 29), utc(2026, 10, 30)),
                                          part("t_p20261030", utc(2026, 10, 30), utc(2026, 10, 31)),
                                          part("t_p20261130", utc(2026, 11, 30), utc(2026, 12, 1))};
  const PartitionPassPlan plan = plan_partition_pass(kDaily, existing, now, 4, now - 30 * kDay);
  ASSERT_EQ(plan.create.size(), 4u);
  EXPECT_EQ(plan.create.front().suffix, "p20261201");
  EXPECT_EQ(plan.create.front().lower, utc(2026, 12, 1));
  EXPECT_EQ(plan.create.back().suffix, "p20261204");
  EXPECT_EQ(plan.create.back().upper, utc(2026, 12, 5));
  EXPECT_TRUE(plan.overlapping.empty());
  // The cutoff is 2026-10-31 14:00: partitions ending at or before it go, the one holding it stays.
  ASSERT_EQ(plan.retire.size(), 3u);
  EXPECT_EQ(plan.retire[0], "t_p20261020");
  EXPECT_EQ(plan.retire[2], "t_p20261030");
  EXPECT_TRUE(plan_partition_pass(kDaily, existing, now, 4, std::nullopt).retire.empty());
}

TEST(PartitionPass, NeverOverlapsHandMadePartitions) {
  const std::int64_t now = utc(2026, 11, 30, 14);
  // A hand-made partition from Dec 2, 12:00 to Dec 3, 12:00 and a MINVALUE..Nov 30 one.
  std::vector<ExistingPartition> existing{part("t_old", std::nullopt, utc(2026, 11, 30)),
                                          part("t_hand", utc(2026, 12, 2, 12), utc(2026, 12, 3, 12))};
  const PartitionPassPlan plan = plan_partition_pass(kDaily, existing, now, 4, utc(2026, 12, 1));
  std::vector<std::string> made;
  for (const NewPartition &p : plan.create)
    made.push_back(p.suffix);
  EXPECT_EQ(made, (std::vector<std::string>{"p20261130", "p20261201", "p20261204"}));
  ASSERT_EQ(plan.overlapping.size(), 2u);
  EXPECT_EQ(plan.overlapping[0].suffix, "p20261202");
  EXPECT_EQ(plan.overlapping[1].suffix, "p20261203");
  ASSERT_EQ(plan.retire.size(), 1u); // an unbounded-below partition ending before the cutoff is old too
  EXPECT_EQ(plan.retire[0], "t_old");
  // A MAXVALUE partition is never retired and covers every slot after its start.
  std::vector<ExistingPartition> open{part("t_rest", utc(2026, 11, 1), std::nullopt)};
  const PartitionPassPlan none = plan_partition_pass(kDaily, open, now, 4, utc(2027, 1, 1));
  EXPECT_TRUE(none.create.empty());
  EXPECT_TRUE(none.overlapping.empty());
  EXPECT_TRUE(none.retire.empty());
}

TEST(PartitionPass, UncoveredSlotsAndBadPremake) {
  const std::int64_t now = utc(2026, 11, 30, 14);
  std::vector<ExistingPartition> existing{part("a", utc(2026, 11, 30), utc(2026, 12, 1)),
                                          part("b", utc(2026, 12, 1), utc(2026, 12, 2, 12))};
  const std::vector<NewPartition> missing = uncovered_slots(kDaily, existing, now, 3);
  ASSERT_EQ(missing.size(), 2u); // Dec 2 is only half covered, Dec 3 not at all
  EXPECT_EQ(missing[0].suffix, "p20261202");
  EXPECT_EQ(missing[1].suffix, "p20261203");
  EXPECT_EQ(sqlstate_of([&] { plan_partition_pass(kDaily, existing, now, -1, std::nullopt); }), "22023");
  EXPECT_EQ(plan_partition_pass(kDaily, {}, now, 0, std::nullopt).create.size(), 1u);
}

} // namespace
