// Test helper: epoch seconds of a UTC civil time, for the unit tests of schedules and partition bounds.
#pragma once

#include <cstdint>

#include "core/schedule.hpp"

namespace pgo::test {

inline std::int64_t utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  core::CivilTime c;
  c.year = year;
  c.month = month;
  c.day = day;
  c.hour = hour;
  c.minute = minute;
  c.second = second;
  return core::seconds_from_civil(c);
}

} // namespace pgo::test
