#include "core/n_plus_one.hpp"

#include <gtest/gtest.h>

using pgo::core::RunStep;
using pgo::core::RunTracker;

namespace {
constexpr std::uint64_t kGap = 50000; // 50 ms
constexpr std::uint32_t kThreshold = 20;

// n executions of query q, each lasting `duration` us and starting `pause` us after the previous one ended.
RunStep loop(RunTracker &t, std::uint64_t q, int n, std::uint64_t &clock, std::uint64_t duration, std::uint64_t pause,
             int *events = nullptr) {
  RunStep last;
  for (int i = 0; i < n; i++) {
    clock += pause;
    last = t.observe(q, clock, clock + duration, kGap, kThreshold);
    clock += duration;
    if (events && last.new_event)
      (*events)++;
  }
  return last;
}
} // namespace

TEST(NPlusOne, ARunReachingTheThresholdIsOneEvent) {
  RunTracker t;
  std::uint64_t clock = 1000000;
  int events = 0;
  RunStep s = loop(t, 42, 19, clock, 100, 1000, &events);
  EXPECT_EQ(events, 0);
  EXPECT_FALSE(s.in_event);
  EXPECT_EQ(s.run_length, 19u);
  s = loop(t, 42, 1, clock, 100, 1000, &events);
  EXPECT_TRUE(s.new_event);
  EXPECT_EQ(s.run_length, 20u);
  EXPECT_EQ(s.add_calls, 20u);
  EXPECT_EQ(s.add_time_us, 2000u);
  s = loop(t, 42, 30, clock, 100, 1000, &events);
  EXPECT_EQ(events, 1); // still the same event
  EXPECT_TRUE(s.in_event);
  EXPECT_FALSE(s.new_event);
  EXPECT_EQ(s.run_length, 50u);
  EXPECT_EQ(s.add_calls, 1u);
  EXPECT_EQ(s.add_time_us, 100u);
}

TEST(NPlusOne, APauseLongerThanTheGapEndsTheRun) {
  RunTracker t;
  std::uint64_t clock = 0;
  int events = 0;
  loop(t, 1, 15, clock, 10, 100, &events);
  RunStep s = loop(t, 1, 1, clock, 10, kGap + 1, &events); // starts a new run
  EXPECT_EQ(s.run_length, 1u);
  s = loop(t, 1, 18, clock, 10, kGap, &events); // exactly the gap still continues the run
  EXPECT_EQ(s.run_length, 19u);
  EXPECT_EQ(events, 0);
  loop(t, 1, 1, clock, 10, 0, &events);
  EXPECT_EQ(events, 1);
  // a second burst after a pause is a second event
  loop(t, 1, 25, clock, 10, 100, &events);
  loop(t, 1, 25, clock, 10, kGap * 3, &events);
  EXPECT_EQ(events, 1);
  loop(t, 1, 20, clock, 10, 10, &events);
  EXPECT_EQ(events, 2);
}

TEST(NPlusOne, InterleavedQueriesKeepTheirOwnRuns) {
  RunTracker t;
  std::uint64_t clock = 0;
  int events_a = 0, events_b = 0;
  for (int i = 0; i < 25; i++) { // the ORM shape: a parent query, then the child query per row, alternating
    loop(t, 100, 1, clock, 50, 200, &events_a);
    loop(t, 200, 1, clock, 50, 200, &events_b);
  }
  EXPECT_EQ(events_a, 1);
  EXPECT_EQ(events_b, 1);
}

TEST(NPlusOne, SlowStatementsAreNotABurstWhenTheyArePacedOut) {
  RunTracker t;
  std::uint64_t clock = 0;
  int events = 0;
  loop(t, 9, 100, clock, 10, kGap + 1000, &events);
  EXPECT_EQ(events, 0);
}

TEST(NPlusOne, ForgetsTheLeastRecentlyUsedQueryWhenFull) {
  RunTracker t;
  std::uint64_t clock = 0;
  loop(t, 1, 10, clock, 1, 1); // query 1 has a run of 10
  for (std::uint64_t q = 2; q < 2 + RunTracker::kEntries; q++)
    loop(t, q, 1, clock, 1, 1); // 64 other queries push it out
  const RunStep s = loop(t, 1, 1, clock, 1, 1);
  EXPECT_EQ(s.run_length, 1u);
  // while one that keeps being used stays
  RunTracker u;
  loop(u, 1, 10, clock, 1, 1);
  for (std::uint64_t q = 2; q < 2 + RunTracker::kEntries; q++) {
    loop(u, q, 1, clock, 1, 1);
    if (q % 8 == 0)
      loop(u, 1, 1, clock, 1, 1);
  }
  EXPECT_GT(loop(u, 1, 1, clock, 1, 1).run_length, 10u);
}

TEST(NPlusOne, ThresholdOfOneMakesEveryRunAnEvent) {
  RunTracker t;
  std::uint64_t clock = 0;
  const RunStep s = t.observe(5, clock, clock + 7, kGap, 1);
  EXPECT_TRUE(s.new_event);
  EXPECT_EQ(s.add_calls, 1u);
  EXPECT_EQ(s.add_time_us, 7u);
  t.clear();
  EXPECT_EQ(t.observe(5, clock, clock, kGap, 0).run_length, 1u);
}
