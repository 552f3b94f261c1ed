// Job schedules: parsing "every 30 seconds" style intervals and 5-field cron expressions, and working out when a job
// is next due.
//
// PostgreSQL-free: time is epoch seconds (UTC) and the session time zone comes in through the TimeZone interface, which
// the PostgreSQL side implements over pg_localtime(). Invalid schedules throw pgo::Error with SQLSTATE 22023
// (invalid_parameter_value) and a hint showing valid schedules.
//
// Cron expressions: exactly five whitespace-separated fields, minute (0-59), hour (0-23), day of month (1-31), month
// (1-12 or jan-dec) and day of week (0-7 or sun-sat; 0 and 7 are both Sunday). Each field is a comma list of
//   *        every value            N-M      N to M (M not below N; no wrap-around)
//   N        one value              N-M/S    every S-th value from N to M
//   */S      every S-th value       N/S      every S-th value from N to the field's maximum
// with 1 <= S <= the number of values in the field. Names are case-insensitive and also work in ranges (mon-fri).
// The macros @hourly, @daily, @midnight, @weekly, @monthly, @yearly and @annually stand for their usual expansions.
// Day matching follows Vixie cron: when both day fields are restricted a day matches if either does ('0 0 13 * 5'
// runs on every 13th and every Friday); when either starts with '*' (so '*/2' counts as unrestricted, as in Vixie
// cron) a day must match both. An expression that can never fire ('0 0 30 2 *') is rejected.
//
// Intervals: one or more "<whole number> <unit>" parts, the space optional ("1 day 2 hours", "90 minutes", "1h30m",
// "15 min"), units second(s)/sec(s)/s, minute(s)/min(s)/m, hour(s)/h, day(s)/d and week(s)/w, each unit at most
// once, and at most one clock part H:MM or H:MM:SS ("01:30:00", "1 day 02:00:00"). Case-insensitive. The total must
// be between 1 second and 366 days. A day is 86400 seconds: intervals do not follow DST.
//
// describe() gives canonical text ("every 1 hour 30 minutes", "cron 0 3 * * *") which parse_schedule() reads back
// into the same schedule: it accepts an "every " prefix for intervals and a "cron " prefix for cron expressions.
#pragma once

#include "core/postgres_free.hpp"

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

namespace pgo::core {

// A parsed cron expression. Bit i is set when value i matches; bit 0 of days_of_month and months is never set.
struct CronSpec {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month; // 1-31
  std::bitset<13> months;        // 1-12
  std::bitset<7> days_of_week;   // 0-6, 0 = Sunday (7 in the text sets bit 0)
  bool dom_unrestricted = false; // the day-of-month field started with '*'
  bool dow_unrestricted = false; // the day-of-week field started with '*'
  std::string expression;        // canonical text: fields lower-cased, single spaces, macros expanded
};

// Parses a cron expression or @macro (no "cron " prefix). Throws pgo::Error (22023) naming the field and the problem.
CronSpec parse_cron(std::string_view text);

inline constexpr std::int64_t kMinIntervalSeconds = 1;
inline constexpr std::int64_t kMaxIntervalSeconds = 366 * 86400;

struct Schedule {
  enum class Kind { kInterval, kCron };
  Kind kind = Kind::kInterval;
  std::int64_t interval_seconds = 0; // kInterval: kMinIntervalSeconds..kMaxIntervalSeconds
  CronSpec cron;                     // kCron
};

// A 5-field cron expression or @macro becomes a cron schedule, anything else is read as an interval. Throws pgo::Error
// (22023) when it is neither.
Schedule parse_schedule(std::string_view text);

// An interval schedule from a number of seconds (say from a PostgreSQL interval); throws pgo::Error (22023) unless
// kMinIntervalSeconds <= seconds <= kMaxIntervalSeconds.
Schedule interval_schedule(std::int64_t seconds);

// Canonical text: "every 2 days 3 hours", "every 1 minute 30 seconds", "cron */15 * * * *".
std::string describe(const Schedule &schedule);

// Local civil time. month 1-12, day 1-31, weekday 0-6 with 0 = Sunday.
struct CivilTime {
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int weekday = 4; // 1970-01-01 was a Thursday
};

// Civil time of a count of seconds since 1970-01-01 00:00:00 of the same clock (proleptic Gregorian calendar), and
// back (weekday is ignored there). For UTC the count is the epoch; for local time it is epoch + UTC offset.
CivilTime civil_from_seconds(std::int64_t seconds);
std::int64_t seconds_from_civil(const CivilTime &civil);

// A time zone as next_run() needs it (the server implements it over pg_localtime() and the session time zone).
// Implementations must be consistent: to_civil(t) is the civil time of t + utc_offset_at(t). Offsets must stay within
// +-24 hours, and for exact DST handling a zone must not change its offset twice within 52 hours (no real zone does).
class TimeZone {
public:
  virtual ~TimeZone() = default;
  // Seconds east of UTC in effect at the instant epoch (New York in winter: -18000).
  virtual std::int64_t utc_offset_at(std::int64_t epoch) const = 0;
  // Local civil time at the instant epoch; by default civil_from_seconds(epoch + utc_offset_at(epoch)).
  virtual CivilTime to_civil(std::int64_t epoch) const;
};

// A zone with one offset all year round (UTC: offset 0). Throws pgo::Error (22023) beyond +-24 hours.
class FixedOffsetZone final : public TimeZone {
public:
  explicit FixedOffsetZone(std::int64_t offset_seconds = 0);
  std::int64_t utc_offset_at(std::int64_t epoch) const override;

private:
  std::int64_t offset_;
};

// The first instant strictly after `after` (epoch seconds, UTC) at which the job is due.
//
// Interval schedules: after + interval_seconds; pass the job's last start (or, for a job that never ran, the time it
// was created), so runs keep their rhythm whatever the zone does.
//
// Cron schedules: matched against the local civil time of tz, to the minute (results fall on second 0 unless the zone
// changes offset off a minute boundary). Around DST changes:
//  - Spring forward: a local time inside the gap (02:30 on the day New York jumps from 02:00 to 03:00) does not exist;
//    the job runs once at the first instant after the gap (03:00 local). All matches inside one gap, and a match at
//    the gap's end, collapse into that single run: '*/15 * * * *' runs at 01:45 and then 03:00, not four times.
//  - Fall back: a local time that occurs twice (01:30 on the day New York goes back from 02:00 to 01:00) fires once,
//    at its first occurrence; the repeated hour is skipped. '*/15 * * * *' runs at 01:45 (daylight time) and next at
//    02:00 (standard time), an hour and a quarter later; '0 * * * *' runs at 01:00 (daylight) and then 02:00.
//
// Throws pgo::Error (22008) when after or the result lies outside PostgreSQL's timestamp range, (22023) for an interval
// schedule whose interval_seconds is out of range, and (XX000) when a cron schedule finds no run within 14 years, which
// parse_cron()'s validation rules out (the longest real wait is 12 years).
std::int64_t next_run(const Schedule &schedule, std::int64_t after, const TimeZone &tz);

} // namespace pgo::core
