#include "core/schedule.hpp"

#include "core/error.hpp"

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <gtest/gtest.h>

#include "utc.hpp"

namespace {

using pgo::core::CivilTime;
using pgo::core::CronSpec;
using pgo::core::FixedOffsetZone;
using pgo::core::Schedule;
using pgo::core::TimeZone;

using pgo::test::utc;

std::int64_t next(const std::string &schedule, std::int64_t after, const TimeZone &tz = FixedOffsetZone()) {
  return pgo::core::next_run(pgo::core::parse_schedule(schedule), after, tz);
}

// The first n runs after `after`, each computed from the one before.
std::vector<std::int64_t> runs(const std::string &schedule, std::int64_t after, int n,
                               const TimeZone &tz = FixedOffsetZone()) {
  const Schedule s = pgo::core::parse_schedule(schedule);
  std::vector<std::int64_t> out;
  for (int i = 0; i < n; ++i)
    out.push_back(after = pgo::core::next_run(s, after, tz));
  return out;
}

// Values set in a bitset, for readable comparisons.
template <std::size_t N> std::vector<int> values(const std::bitset<N> &bits) {
  std::vector<int> out;
  for (std::size_t i = 0; i < N; ++i)
    if (bits[i])
      out.push_back(static_cast<int>(i));
  return out;
}

std::vector<int> range(int low, int high, int step = 1) {
  std::vector<int> out;
  for (int v = low; v <= high; v += step)
    out.push_back(v);
  return out;
}

// A zone from the C library's tz database, for the tests only: the server implements TimeZone over pg_localtime().
// Sets TZ for its lifetime (the tests run on one thread).
class CLibZone final : public TimeZone {
public:
  explicit CLibZone(const char *name) {
    if (const char *old = std::getenv("TZ"))
      saved_ = old;
    setenv("TZ", name, 1);
    tzset();
  }
  ~CLibZone() override {
    if (saved_)
      setenv("TZ", saved_->c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
  CLibZone(const CLibZone &) = delete;
  CLibZone &operator=(const CLibZone &) = delete;

  std::int64_t utc_offset_at(std::int64_t epoch) const override { return local(epoch).tm_gmtoff; }

  CivilTime to_civil(std::int64_t epoch) const override {
    const std::tm tm = local(epoch);
    CivilTime c;
    c.year = tm.tm_year + 1900;
    c.month = tm.tm_mon + 1;
    c.day = tm.tm_mday;
    c.hour = tm.tm_hour;
    c.minute = tm.tm_min;
    c.second = tm.tm_sec;
    c.weekday = tm.tm_wday;
    return c;
  }

private:
  static std::tm local(std::int64_t epoch) {
    const std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
  }

  std::optional<std::string> saved_;
};

bool have_zoneinfo(const char *name) {
  struct stat st {};
  return stat((std::string("/usr/share/zoneinfo/") + name).c_str(), &st) == 0;
}

// ---- Calendar helpers ----

TEST(Civil, RoundTripsAndWeekdays) {
  EXPECT_EQ(utc(1970, 1, 1), 0);
  EXPECT_EQ(utc(2000, 3, 1), 951868800);
  EXPECT_EQ(utc(2026, 11, 28, 10, 4, 24), 1795860264);
  EXPECT_EQ(utc(1969, 12, 31, 23, 59, 59), -1);
  const CivilTime c = pgo::core::civil_from_seconds(utc(2100, 2, 28, 23, 59, 59) + 1);
  EXPECT_EQ(c.year, 2100); // 2100 is not a leap year: Feb 28 is followed by Mar 1
  EXPECT_EQ(c.month, 3);
  EXPECT_EQ(c.day, 1);
  EXPECT_EQ(c.weekday, 1); // a Monday
  const CivilTime leap = pgo::core::civil_from_seconds(utc(2000, 2, 28) + 86400);
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
  EXPECT_EQ(leap.weekday, 2);                              // Tuesday
  EXPECT_EQ(pgo::core::civil_from_seconds(-1).weekday, 3); // 1969-12-31, a Wednesday
  EXPECT_EQ(pgo::core::civil_from_seconds(-1).second, 59);
  for (std::int64_t t = -400LL * 366 * 86400; t < 400LL * 366 * 86400; t += 86400 * 37 + 3601)
    EXPECT_EQ(pgo::core::seconds_from_civil(pgo::core::civil_from_seconds(t)), t);
}

// ---- Cron fields ----

TEST(ParseCron, SingleValuesAndStars) {
  const CronSpec s = pgo::core::parse_cron("5 3 10 6 2");
  EXPECT_EQ(values(s.minutes), std::vector<int>{5});
  EXPECT_EQ(values(s.hours), std::vector<int>{3});
  EXPECT_EQ(values(s.days_of_month), std::vector<int>{10});
  EXPECT_EQ(values(s.months), std::vector<int>{6});
  EXPECT_EQ(values(s.days_of_week), std::vector<int>{2});
  EXPECT_FALSE(s.dom_unrestricted);
  EXPECT_FALSE(s.dow_unrestricted);

  const CronSpec all = pgo::core::parse_cron("* * * * *");
  EXPECT_TRUE(all.minutes.all());
  EXPECT_TRUE(all.hours.all());
  EXPECT_EQ(values(all.days_of_month), range(1, 31));
  EXPECT_EQ(values(all.months), range(1, 12));
  EXPECT_TRUE(all.days_of_week.all());
  EXPECT_TRUE(all.dom_unrestricted);
  EXPECT_TRUE(all.dow_unrestricted);
}

TEST(ParseCron, FieldBoundaries) {
  const CronSpec low = pgo::core::parse_cron("0 0 1 1 0");
  EXPECT_EQ(values(low.minutes), std::vector<int>{0});
  EXPECT_EQ(values(low.days_of_month), std::vector<int>{1});
  const CronSpec high = pgo::core::parse_cron("59 23 31 12 6");
  EXPECT_EQ(values(high.minutes), std::vector<int>{59});
  EXPECT_EQ(values(high.hours), std::vector<int>{23});
  EXPECT_EQ(values(high.days_of_month), std::vector<int>{31});
  EXPECT_EQ(values(high.months), std::vector<int>{12});
  EXPECT_EQ(values(high.days_of_week), std::vector<int>{6});
}

TEST(ParseCron, Ranges) {
  const CronSpec s = pgo::core::parse_cron("10-15 9-17 1-7 3-5 1-5");
  EXPECT_EQ(values(s.minutes), range(10, 15));
  EXPECT_EQ(values(s.hours), range(9, 17));
  EXPECT_EQ(values(s.days_of_month), range(1, 7));
  EXPECT_EQ(values(s.months), range(3, 5));
  EXPECT_EQ(values(s.days_of_week), range(1, 5));
  EXPECT_EQ(values(pgo::core::parse_cron("7-7 * * * *").minutes), std::vector<int>{7});
}

TEST(ParseCron, Steps) {
  EXPECT_EQ(values(pgo::core::parse_cron("*/15 * * * *").minutes), (std::vector<int>{0, 15, 30, 45}));
  EXPECT_EQ(values(pgo::core::parse_cron("10-30/10 * * * *").minutes), (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(values(pgo::core::parse_cron("5/20 * * * *").minutes), (std::vector<int>{5, 25, 45}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 */6 * * *").hours), (std::vector<int>{0, 6, 12, 18}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 */10 * *").days_of_month), (std::vector<int>{1, 11, 21, 31}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 1 */3 *").months), (std::vector<int>{1, 4, 7, 10}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 * * */2").days_of_week), (std::vector<int>{0, 2, 4, 6}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 * * 1/2").days_of_week), (std::vector<int>{1, 3, 5}));
  EXPECT_EQ(values(pgo::core::parse_cron("*/1 * * * *").minutes), range(0, 59));
  EXPECT_EQ(values(pgo::core::parse_cron("*/60 * * * *").minutes), std::vector<int>{0}); // the largest step
  EXPECT_EQ(values(pgo::core::parse_cron("0-59/30 * * * *").minutes), (std::vector<int>{0, 30}));
}

TEST(ParseCron, Lists) {
  const CronSpec s = pgo::core::parse_cron("0,15,45 1,2,20-22 1,15,28-31/2 1,6-7,12 0,3,5-6");
  EXPECT_EQ(values(s.minutes), (std::vector<int>{0, 15, 45}));
  EXPECT_EQ(values(s.hours), (std::vector<int>{1, 2, 20, 21, 22}));
  EXPECT_EQ(values(s.days_of_month), (std::vector<int>{1, 15, 28, 30}));
  EXPECT_EQ(values(s.months), (std::vector<int>{1, 6, 7, 12}));
  EXPECT_EQ(values(s.days_of_week), (std::vector<int>{0, 3, 5, 6}));
  EXPECT_EQ(values(pgo::core::parse_cron("*/20,7 * * * *").minutes), (std::vector<int>{0, 7, 20, 40}));
  EXPECT_EQ(values(pgo::core::parse_cron("5,5,5 * * * *").minutes), std::vector<int>{5}); // repeats are harmless
}

TEST(ParseCron, MonthAndWeekdayNames) {
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 1 jan *").months), std::vector<int>{1});
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 1 DEC *").months), std::vector<int>{12});
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 1 Mar-May *").months), range(3, 5));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 1 jan,apr,jul,oct *").months), (std::vector<int>{1, 4, 7, 10}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 1 feb-dec/2 *").months), (std::vector<int>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 * * sun").days_of_week), std::vector<int>{0});
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 * * SAT").days_of_week), std::vector<int>{6});
  EXPECT_EQ(values(pgo::core::parse_cron("0 9 * * mon-fri").days_of_week), range(1, 5));
  EXPECT_EQ(values(pgo::core::parse_cron("0 9 * * Tue,Thu").days_of_week), (std::vector<int>{2, 4}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 9 * * wed-5").days_of_week), range(3, 5)); // names and numbers mix
  // Every month and weekday name.
  const char *months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int i = 0; i < 12; ++i)
    EXPECT_EQ(values(pgo::core::parse_cron(std::string("0 0 1 ") + months[i] + " *").months), std::vector<int>{i + 1});
  const char *days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (int i = 0; i < 7; ++i)
    EXPECT_EQ(values(pgo::core::parse_cron(std::string("0 0 * * ") + days[i]).days_of_week), std::vector<int>{i});
}

TEST(ParseCron, SevenIsSunday) {
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 * * 7").days_of_week), std::vector<int>{0});
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 * * 5-7").days_of_week), (std::vector<int>{0, 5, 6}));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 * * 0-7").days_of_week), range(0, 6));
  EXPECT_EQ(values(pgo::core::parse_cron("0 0 * * 0,7").days_of_week), std::vector<int>{0});
  EXPECT_EQ(next("0 0 * * 7", utc(2026, 11, 25)), utc(2026, 11, 29)); // Wednesday -> Sunday
  EXPECT_EQ(next("0 0 * * 0", utc(2026, 11, 25)), utc(2026, 11, 29));
}

TEST(ParseCron, DayFieldRestriction) {
  // Vixie cron: a field starting with '*' counts as unrestricted, '*/2' included.
  EXPECT_TRUE(pgo::core::parse_cron("0 0 */2 * 1").dom_unrestricted);
  EXPECT_FALSE(pgo::core::parse_cron("0 0 */2 * 1").dow_unrestricted);
  EXPECT_FALSE(pgo::core::parse_cron("0 0 1-31 * *").dom_unrestricted);
  EXPECT_TRUE(pgo::core::parse_cron("0 0 1 * *").dow_unrestricted);
  EXPECT_FALSE(pgo::core::parse_cron("0 0 * * 0-6").dow_unrestricted);
}

TEST(ParseCron, Macros) {
  struct Case {
    const char *macro;
    const char *expansion;
  };
  const Case cases[] = {
      {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
      {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"}, {"@DAILY", "0 0 * * *"},   {"  @Weekly  ", "0 0 * * 0"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.macro);
    const CronSpec m = pgo::core::parse_cron(c.macro);
    const CronSpec e = pgo::core::parse_cron(c.expansion);
    EXPECT_EQ(m.expression, c.expansion);
    EXPECT_EQ(m.minutes, e.minutes);
    EXPECT_EQ(m.hours, e.hours);
    EXPECT_EQ(m.days_of_month, e.days_of_month);
    EXPECT_EQ(m.months, e.months);
    EXPECT_EQ(m.days_of_week, e.days_of_week);
    EXPECT_EQ(m.dom_unrestricted, e.dom_unrestricted);
    EXPECT_EQ(m.dow_unrestricted, e.dow_unrestricted);
  }
  EXPECT_EQ(next("@hourly", utc(2026, 5, 5, 10, 30)), utc(2026, 5, 5, 11, 0));
  EXPECT_EQ(next("@daily", utc(2026, 5, 5, 10, 30)), utc(2026, 5, 6));
  EXPECT_EQ(next("@weekly", utc(2026, 5, 5, 10, 30)), utc(2026, 5, 10)); // Tuesday -> Sunday
  EXPECT_EQ(next("@monthly", utc(2026, 5, 5, 10, 30)), utc(2026, 6, 1));
  EXPECT_EQ(next("@yearly", utc(2026, 5, 5, 10, 30)), utc(2027, 1, 1));
}

TEST(ParseCron, CanonicalExpression) {
  EXPECT_EQ(pgo::core::parse_cron("  0\t3   *  *  * ").expression, "0 3 * * *");
  EXPECT_EQ(pgo::core::parse_cron("0 9 * JAN-Mar MON-FRI").expression, "0 9 * jan-mar mon-fri");
}

TEST(ParseCron, DaysThatExistSomewhere) {
  EXPECT_NO_THROW(pgo::core::parse_cron("0 0 31 * *"));
  EXPECT_NO_THROW(pgo::core::parse_cron("0 0 29 2 *")); // leap years
  EXPECT_NO_THROW(pgo::core::parse_cron("0 0 30 1-3 *"));
  EXPECT_NO_THROW(pgo::core::parse_cron("0 0 31 2,3 *"));
  EXPECT_NO_THROW(pgo::core::parse_cron("0 0 30 2 1"));   // both restricted: every Monday in February counts
  EXPECT_NO_THROW(pgo::core::parse_cron("0 0 */31 2 1")); // Feb 1 on a Monday, every few years
}

// ---- Invalid cron expressions ----

struct InvalidCase {
  const char *text;
  const char *message; // a part of the error message
};

void PrintTo(const InvalidCase &c, std::ostream *os) { *os << '"' << c.text << '"'; }

class InvalidCron : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidCron, Rejected) {
  const InvalidCase &c = GetParam();
  try {
    pgo::core::parse_cron(c.text);
    FAIL() << "accepted " << c.text;
  } catch (const pgo::Error &e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_NE(e.message().find(c.message), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("invalid cron expression"), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("'0 3 * * *'"), std::string::npos) << e.hint();
    EXPECT_NE(e.hint().find("'30 seconds'"), std::string::npos) << e.hint();
    EXPECT_FALSE(e.detail().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Schedule, InvalidCron,
    testing::Values(InvalidCase{"", "the expression is empty"}, InvalidCase{"   ", "the expression is empty"},
                    InvalidCase{"0 3 * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4"},
                    InvalidCase{"0 3 * * * *", "found 6"}, InvalidCase{"*", "found 1"},
                    InvalidCase{"60 * * * *", "minute field: 60 is out of range 0-59"},
                    InvalidCase{"* 24 * * *", "hour field: 24 is out of range 0-23"},
                    InvalidCase{"* * 0 * *", "day-of-month field: 0 is out of range 1-31"},
                    InvalidCase{"* * 32 * *", "day-of-month field: 32 is out of range 1-31"},
                    InvalidCase{"* * * 0 *", "month field: 0 is out of range 1-12"},
                    InvalidCase{"* * * 13 *", "month field: 13 is out of range 1-12"},
                    InvalidCase{"* * * * 8", "day-of-week field: 8 is out of range 0-7"},
                    InvalidCase{"99999999999999999999 * * * *",
                                "minute field: 99999999999999999999 is out of range 0-59"},
                    InvalidCase{"0 10-70 * * *", "hour field: 70 is out of range 0-23"},
                    InvalidCase{"30-10 * * * *", "minute field: reversed range \"30-10\""},
                    InvalidCase{"0 0 * * fri-mon", "day-of-week field: reversed range \"fri-mon\""},
                    InvalidCase{"0 0 1 dec-jan *", "month field: reversed range \"dec-jan\""},
                    InvalidCase{"*/0 * * * *", "minute field: step 0 in \"*/0\""},
                    InvalidCase{"0 1-5/0 * * *", "hour field: step 0"},
                    InvalidCase{"*/61 * * * *", "minute field: step 61 in \"*/61\" is more than the field's 60 values"},
                    InvalidCase{"0 0 1 */13 *", "month field: step 13"},
                    InvalidCase{"*/ * * * *", "minute field: missing step in \"*/\""},
                    InvalidCase{"/5 * * * *", "minute field: step without a start in \"/5\""},
                    InvalidCase{"*/x * * * *", "minute field: invalid step \"x\""},
                    InvalidCase{"*/5/2 * * * *", "minute field: invalid step \"5/2\""},
                    InvalidCase{"1,,2 * * * *", "minute field: empty list item in \"1,,2\""},
                    InvalidCase{"1, * * * *", "minute field: empty list item in \"1,\""},
                    InvalidCase{",1 * * * *", "minute field: empty list item"},
                    InvalidCase{"0 0 * * 1,", "day-of-week field: empty list item"},
                    InvalidCase{"-5 * * * *", "minute field: missing value in \"-5\""},
                    InvalidCase{"5- * * * *", "minute field: missing value in \"5-\""},
                    InvalidCase{"1-2-3 * * * *", "minute field: invalid value \"2-3\""},
                    InvalidCase{"*-5 * * * *", "minute field: invalid value \"*\""},
                    InvalidCase{"a * * * *", "minute field: invalid value \"a\""},
                    InvalidCase{"+5 * * * *", "minute field: invalid value \"+5\""},
                    InvalidCase{"1.5 * * * *", "minute field: invalid value \"1.5\""},
                    InvalidCase{"0 0 jan * *", "day-of-month field: invalid value \"jan\""},
                    InvalidCase{"0 0 1 january *", "month field: unknown name \"january\""},
                    InvalidCase{"0 0 1 mon *", "month field: unknown name \"mon\""},
                    InvalidCase{"0 0 * * monday", "day-of-week field: unknown name \"monday\""},
                    InvalidCase{"0 0 * * jan", "day-of-week field: unknown name \"jan\""},
                    InvalidCase{"0 0 30 2 *", "never fires"}, InvalidCase{"0 0 31 2 *", "never fires"},
                    InvalidCase{"0 0 30,31 2 *", "never fires"}, InvalidCase{"0 0 31 4,6,9,11 *", "never fires"},
                    InvalidCase{"0 0 31 apr *", "never fires"}, InvalidCase{"0 0 30-31 feb *", "never fires"},
                    InvalidCase{"0 0 31 2 *", "day-of-month field names no day that exists in the listed months"},
                    InvalidCase{"@reboot", "@reboot is not supported"},
                    InvalidCase{"@often", "unknown macro \"@often\""}, InvalidCase{"@daily 0", "unknown macro"}));

// ---- Intervals ----

struct IntervalCase {
  const char *text;
  std::int64_t seconds;
};

void PrintTo(const IntervalCase &c, std::ostream *os) { *os << '"' << c.text << '"'; }

class Interval : public testing::TestWithParam<IntervalCase> {};

TEST_P(Interval, Parses) {
  const Schedule s = pgo::core::parse_schedule(GetParam().text);
  EXPECT_EQ(s.kind, Schedule::Kind::kInterval);
  EXPECT_EQ(s.interval_seconds, GetParam().seconds);
  // The canonical text reads back as the same interval.
  const Schedule again = pgo::core::parse_schedule(pgo::core::describe(s));
  EXPECT_EQ(again.kind, Schedule::Kind::kInterval);
  EXPECT_EQ(again.interval_seconds, GetParam().seconds);
}

INSTANTIATE_TEST_SUITE_P(
    Schedule, Interval,
    testing::Values(IntervalCase{"30 seconds", 30}, IntervalCase{"1 second", 1}, IntervalCase{"45 sec", 45},
                    IntervalCase{"45 secs", 45}, IntervalCase{"10s", 10}, IntervalCase{"10 s", 10},
                    IntervalCase{"1 minute", 60}, IntervalCase{"90 minutes", 5400}, IntervalCase{"15 min", 900},
                    IntervalCase{"15 mins", 900}, IntervalCase{"5m", 300}, IntervalCase{"1 hour", 3600},
                    IntervalCase{"2 hours", 7200}, IntervalCase{"1h", 3600}, IntervalCase{"1 day", 86400},
                    IntervalCase{"3 days", 259200}, IntervalCase{"1d", 86400}, IntervalCase{"1 week", 604800},
                    IntervalCase{"2 weeks", 1209600}, IntervalCase{"1w", 604800}, IntervalCase{"1 day 2 hours", 93600},
                    IntervalCase{"1h30m", 5400}, IntervalCase{"1h 30m 15s", 5415},
                    IntervalCase{"1 week 1 day 1 hour 1 minute 1 second", 694861},
                    IntervalCase{"1 day 2 hours 30min 4 s", 95404}, IntervalCase{"1 day 2 hours 30min", 95400},
                    IntervalCase{"01:30:00", 5400}, IntervalCase{"00:00:30", 30}, IntervalCase{"1:30", 5400},
                    IntervalCase{"0:01", 60}, IntervalCase{"36:00:00", 129600}, IntervalCase{"1 day 02:00:00", 93600},
                    IntervalCase{"02:00:00 1 day", 93600}, IntervalCase{"  30   seconds  ", 30},
                    IntervalCase{"30 SECONDS", 30}, IntervalCase{"2 Hours", 7200}, IntervalCase{"1H", 3600},
                    IntervalCase{"every 30 seconds", 30}, IntervalCase{"Every 1 day", 86400},
                    IntervalCase{"0 days 5 seconds", 5}, IntervalCase{"366 days", 366 * 86400},
                    IntervalCase{"52 weeks 2 days", 366 * 86400}, IntervalCase{"8784:00:00", 366 * 86400},
                    IntervalCase{"31622400 seconds", 31622400}, IntervalCase{"0030 seconds", 30}));

class InvalidSchedule : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidSchedule, Rejected) {
  const InvalidCase &c = GetParam();
  try {
    pgo::core::parse_schedule(c.text);
    FAIL() << "accepted " << c.text;
  } catch (const pgo::Error &e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_NE(e.message().find(c.message), std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("'1 day'"), std::string::npos) << e.hint();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Schedule, InvalidSchedule,
    testing::Values(
        InvalidCase{"", "the schedule is empty"}, InvalidCase{" \t ", "the schedule is empty"},
        InvalidCase{"0 seconds", "at least 1 second"}, InvalidCase{"0s 0m", "at least 1 second"},
        InvalidCase{"00:00:00", "at least 1 second"}, InvalidCase{"-5 minutes", "must be positive"},
        InvalidCase{"30", "the number 30 needs a unit"}, InvalidCase{"1 day 30", "the number 30 needs a unit"},
        InvalidCase{"30 fortnights", "unknown unit \"fortnights\""}, InvalidCase{"30 sex", "unknown unit \"sex\""},
        InvalidCase{"1.5 hours", "use whole numbers"}, InvalidCase{"seconds", "expected a number at \"seconds\""},
        InvalidCase{"every", "expected a number"}, InvalidCase{"every 0 seconds", "at least 1 second"},
        InvalidCase{"1 hour 1 hour", "hours are given more than once"},
        InvalidCase{"1 h 30 minutes 2 hours", "hours are given more than once"},
        InvalidCase{"1:00 2:00", "more than one clock time"}, InvalidCase{"10:60:00", "two digits, 00 to 59"},
        InvalidCase{"10:5", "two digits, 00 to 59"}, InvalidCase{"10:00:00:00", "unexpected \":00\""},
        InvalidCase{"1:30x", "unexpected \"x\""}, InvalidCase{"367 days", "longer than 366 days"},
        InvalidCase{"53 weeks", "longer than 366 days"}, InvalidCase{"366 days 1 second", "longer than 366 days"},
        InvalidCase{"99999999999999999999999 seconds", "longer than 366 days"},
        InvalidCase{"1! day", "unexpected \"!\" after 1"}, InvalidCase{"1 day!", "expected a number at \"!\""},
        InvalidCase{"5 @ minutes", "unexpected \"@\""},
        // Cron-looking input gets the cron message.
        InvalidCase{"0 3", "expected 5 fields"}, InvalidCase{"0 3 * *", "found 4"}, InvalidCase{"*/5", "found 1"},
        InvalidCase{"0 0 * * * *", "found 6"}, InvalidCase{"0 0 30 2 *", "never fires"},
        InvalidCase{"61 0 1 1 mon", "minute field: 61 is out of range"}, InvalidCase{"cron 0 3 * *", "found 4"},
        InvalidCase{"@weekdays", "unknown macro"}));

TEST(IntervalSchedule, FromSeconds) {
  EXPECT_EQ(pgo::core::interval_schedule(1).interval_seconds, 1);
  EXPECT_EQ(pgo::core::interval_schedule(pgo::core::kMaxIntervalSeconds).interval_seconds, 366 * 86400);
  for (const std::int64_t bad : {std::int64_t{0}, std::int64_t{-1}, pgo::core::kMaxIntervalSeconds + 1}) {
    try {
      pgo::core::interval_schedule(bad);
      FAIL() << bad;
    } catch (const pgo::Error &e) {
      EXPECT_EQ(e.sqlstate(), "22023");
      EXPECT_NE(e.message().find("invalid schedule interval"), std::string::npos);
      EXPECT_FALSE(e.hint().empty());
    }
  }
}

// ---- Telling cron from interval; canonical text ----

TEST(ParseSchedule, CronOrInterval) {
  EXPECT_EQ(pgo::core::parse_schedule("0 3 * * *").kind, Schedule::Kind::kCron);
  EXPECT_EQ(pgo::core::parse_schedule("@daily").kind, Schedule::Kind::kCron);
  EXPECT_EQ(pgo::core::parse_schedule("0 0 1 1 mon").kind, Schedule::Kind::kCron);
  EXPECT_EQ(pgo::core::parse_schedule("cron 0 3 * * *").kind, Schedule::Kind::kCron);
  EXPECT_EQ(pgo::core::parse_schedule("CRON @hourly").kind, Schedule::Kind::kCron);
  EXPECT_EQ(pgo::core::parse_schedule("1 day 2 hours 30min").kind, Schedule::Kind::kInterval);
  EXPECT_EQ(pgo::core::parse_schedule("30 seconds").kind, Schedule::Kind::kInterval);
}

TEST(ParseSchedule, Describe) {
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("30 seconds")), "every 30 seconds");
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("1s")), "every 1 second");
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("90 minutes")), "every 1 hour 30 minutes");
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("2 weeks")), "every 14 days");
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("1 day 00:00:01")), "every 1 day 1 second");
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("1d 1h 1m 1s")), "every 1 day 1 hour 1 minute 1 second");
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("0  3 * *   *")), "cron 0 3 * * *");
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("@hourly")), "cron 0 * * * *");
  EXPECT_EQ(pgo::core::describe(pgo::core::parse_schedule("*/15 9-17 * * MON-FRI")), "cron */15 9-17 * * mon-fri");
  // Cron text reads back to the same expression.
  const Schedule again = pgo::core::parse_schedule("cron */15 9-17 * * mon-fri");
  EXPECT_EQ(again.kind, Schedule::Kind::kCron);
  EXPECT_EQ(again.cron.expression, "*/15 9-17 * * mon-fri");
}

// ---- Next run: intervals ----

TEST(NextRun, IntervalAddsToTheLastStart) {
  EXPECT_EQ(next("30 seconds", 1000), 1030);
  EXPECT_EQ(next("1 day", utc(2026, 3, 7, 12)), utc(2026, 3, 8, 12));
  EXPECT_EQ(next("90 minutes", -100), 5300);
  // Intervals are elapsed time: a day across spring-forward in New York is still 86400 seconds.
  if (have_zoneinfo("America/New_York")) {
    const CLibZone ny("America/New_York");
    EXPECT_EQ(next("1 day", utc(2026, 3, 7, 17), ny), utc(2026, 3, 8, 17));
  }
}

// ---- Next run: cron, UTC ----

TEST(NextRun, StrictlyAfter) {
  EXPECT_EQ(next("0 3 * * *", utc(2026, 1, 1)), utc(2026, 1, 1, 3));
  EXPECT_EQ(next("0 3 * * *", utc(2026, 1, 1, 2, 59, 59)), utc(2026, 1, 1, 3));
  EXPECT_EQ(next("0 3 * * *", utc(2026, 1, 1, 3)), utc(2026, 1, 2, 3)); // exactly on a match: the next one
  EXPECT_EQ(next("0 3 * * *", utc(2026, 1, 1, 3, 0, 1)), utc(2026, 1, 2, 3));
  EXPECT_EQ(next("* * * * *", utc(2026, 1, 1, 3)), utc(2026, 1, 1, 3, 1));
  EXPECT_EQ(next("* * * * *", utc(2026, 1, 1, 3, 0, 59)), utc(2026, 1, 1, 3, 1));
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 1, 1, 10, 7, 59)), utc(2026, 1, 1, 10, 15));
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 1, 1, 10, 15)), utc(2026, 1, 1, 10, 30));
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 1, 1, 23, 45)), utc(2026, 1, 2));
  EXPECT_EQ(next("* * * * *", -30), 0); // before 1970
  EXPECT_EQ(next("0 0 1 1 *", utc(1969, 6, 1)), 0);
}

TEST(NextRun, Sequences) {
  EXPECT_EQ(runs("*/20 * * * *", utc(2026, 6, 30, 23, 30), 4),
            (std::vector<std::int64_t>{utc(2026, 6, 30, 23, 40), utc(2026, 7, 1), utc(2026, 7, 1, 0, 20),
                                       utc(2026, 7, 1, 0, 40)}));
  EXPECT_EQ(runs("30 9-17/4 * * *", utc(2026, 6, 1), 4),
            (std::vector<std::int64_t>{utc(2026, 6, 1, 9, 30), utc(2026, 6, 1, 13, 30), utc(2026, 6, 1, 17, 30),
                                       utc(2026, 6, 2, 9, 30)}));
  EXPECT_EQ(runs("0 0 1 */3 *", utc(2026, 2, 15), 3),
            (std::vector<std::int64_t>{utc(2026, 4, 1), utc(2026, 7, 1), utc(2026, 10, 1)}));
}

TEST(NextRun, YearRollover) {
  EXPECT_EQ(next("0 0 1 1 *", utc(2026, 6, 1)), utc(2027, 1, 1));
  EXPECT_EQ(next("59 23 31 12 *", utc(2026, 12, 31, 23, 59)), utc(2027, 12, 31, 23, 59));
  EXPECT_EQ(next("* * * * *", utc(2026, 12, 31, 23, 59, 30)), utc(2027, 1, 1));
  EXPECT_EQ(next("0 12 * jan *", utc(2026, 2, 1)), utc(2027, 1, 1, 12));
}

TEST(NextRun, MonthEnds) {
  // The 31st only comes in 31-day months: from Jan 31, February and its 28 days are skipped.
  EXPECT_EQ(next("0 0 31 * *", utc(2026, 1, 31)), utc(2026, 3, 31));
  EXPECT_EQ(runs("0 0 31 * *", utc(2026, 3, 31), 3),
            (std::vector<std::int64_t>{utc(2026, 5, 31), utc(2026, 7, 31), utc(2026, 8, 31)}));
  EXPECT_EQ(next("0 0 30 * *", utc(2026, 1, 30)), utc(2026, 3, 30));
  EXPECT_EQ(next("0 0 29 * *", utc(2026, 1, 29)), utc(2026, 3, 29)); // 2026 is not a leap year
  EXPECT_EQ(next("0 0 29 * *", utc(2028, 1, 29)), utc(2028, 2, 29));
  EXPECT_EQ(next("0 0 31 2,3 *", utc(2026, 1, 1)), utc(2026, 3, 31));
}

TEST(NextRun, LeapDays) {
  EXPECT_EQ(next("0 0 29 2 *", utc(2025, 1, 1)), utc(2028, 2, 29));
  EXPECT_EQ(next("0 0 29 2 *", utc(2028, 2, 29)), utc(2032, 2, 29));
  EXPECT_EQ(next("0 0 29 2 *", utc(1999, 1, 1)), utc(2000, 2, 29)); // 2000: divisible by 400, a leap year
  EXPECT_EQ(next("0 0 29 2 *", utc(2096, 3, 1)), utc(2104, 2, 29)); // 2100 is not: eight years
  EXPECT_EQ(next("0 0 * 2 *", utc(2100, 2, 28)), utc(2101, 2, 1));
  EXPECT_EQ(next("0 0 * 2 *", utc(2000, 2, 28)), utc(2000, 2, 29));
  EXPECT_EQ(next("0 0 * 2 *", utc(2024, 2, 28, 12)), utc(2024, 2, 29));
}

TEST(NextRun, DayOfMonthOrDayOfWeek) {
  // Both restricted: the 1st of the month or a Monday. 2026-02-27 is a Friday; Mar 1 a Sunday; Mar 2 a Monday.
  EXPECT_EQ(runs("0 0 1 * 1", utc(2026, 2, 27), 4),
            (std::vector<std::int64_t>{utc(2026, 3, 1), utc(2026, 3, 2), utc(2026, 3, 9), utc(2026, 3, 16)}));
  // Friday or the 13th: 2026-02-01 is a Sunday, Feb 6 a Friday, Feb 13 both.
  EXPECT_EQ(runs("0 0 13 * fri", utc(2026, 2, 1), 3),
            (std::vector<std::int64_t>{utc(2026, 2, 6), utc(2026, 2, 13), utc(2026, 2, 20)}));
  // Only the weekday restricted: Mondays only.
  EXPECT_EQ(next("0 0 * * 1", utc(2026, 2, 27)), utc(2026, 3, 2));
  // Only the day of month restricted: the 1st only.
  EXPECT_EQ(next("0 0 1 * *", utc(2026, 3, 1)), utc(2026, 4, 1));
  // Vixie: '*/2' counts as unrestricted, so the days must match both: odd days that are Mondays (Mar 2 is even).
  EXPECT_EQ(next("0 0 */2 * 1", utc(2026, 3, 1)), utc(2026, 3, 9));
  // Both restricted and the weekday restriction dominates: Feb 30 never comes, February Mondays do.
  EXPECT_EQ(next("0 0 30 2 1", utc(2026, 1, 1)), utc(2026, 2, 2));
  // Weekdays: from Friday evening to Monday morning.
  EXPECT_EQ(next("0 9 * * mon-fri", utc(2026, 11, 27, 10)), utc(2026, 11, 30, 9));
}

TEST(NextRun, RareCombinationsStillFound) {
  // Feb 1 on a Monday ('*/31' is unrestricted: the days must match both): 2021, 2027, then 2038.
  EXPECT_EQ(next("0 0 */31 2 1", utc(2021, 2, 2)), utc(2027, 2, 1));
  EXPECT_EQ(next("0 0 */31 2 1", utc(2027, 2, 2)), utc(2038, 2, 1));
  // Jan 1 on a Monday across the non-leap 2100: twelve years, the longest wait there is.
  EXPECT_EQ(next("0 0 */31 1 1", utc(2091, 1, 2)), utc(2103, 1, 1));
}

TEST(NextRun, FixedOffsetZones) {
  const FixedOffsetZone india(5 * 3600 + 1800);
  EXPECT_EQ(india.utc_offset_at(0), 19800);
  // 03:00 in +05:30 is 21:30 UTC the day before.
  EXPECT_EQ(next("0 3 * * *", utc(2025, 12, 31, 12), india), utc(2025, 12, 31, 21, 30));
  EXPECT_EQ(next("0 3 * * *", utc(2025, 12, 31, 21, 30), india), utc(2026, 1, 1, 21, 30));
  const FixedOffsetZone pacific(-8 * 3600);
  // Monday 00:00 at -08:00 is Monday 08:00 UTC; at 2026-03-02 07:00 UTC it is still Sunday 23:00 there.
  EXPECT_EQ(next("0 0 * * 1", utc(2026, 3, 2, 7), pacific), utc(2026, 3, 2, 8));
  EXPECT_EQ(next("0 0 1 1 *", utc(2027, 1, 1, 3), pacific), utc(2027, 1, 1, 8)); // still 2026 there
  const CivilTime c = pacific.to_civil(utc(2027, 1, 1, 3));
  EXPECT_EQ(c.year, 2026);
  EXPECT_EQ(c.day, 31);
  EXPECT_EQ(c.hour, 19);
  EXPECT_EQ(c.weekday, 4); // Thursday
  // Intervals ignore the zone.
  EXPECT_EQ(next("1 hour", 0, pacific), 3600);
  EXPECT_NO_THROW(FixedOffsetZone(-86400));
  EXPECT_THROW(FixedOffsetZone(86401), pgo::Error);
}

TEST(NextRun, TimestampRange) {
  try {
    next("1 day", 9224318016000);
    FAIL();
  } catch (const pgo::Error &e) {
    EXPECT_EQ(e.sqlstate(), "22008");
  }
  EXPECT_THROW(next("1 day", 9224318016000 - 1), pgo::Error); // the result is past the end
  EXPECT_THROW(next("* * * * *", -210866803201), pgo::Error); // before 4714 BC
  EXPECT_EQ(next("366 days", 9224318016000 - 1 - 366 * 86400), 9224318016000 - 1);
  EXPECT_EQ(utc(294277, 1, 1), 9224318016000); // PostgreSQL's end of time
  EXPECT_EQ(next("0 0 31 12 *", utc(294276, 6, 1)), utc(294276, 12, 31));
  EXPECT_THROW(next("0 0 1 1 *", utc(294276, 6, 1)), pgo::Error); // would be 294277-01-01
}

// ---- Next run: DST in America/New_York, 2026 ----
// Spring forward: Sunday 2026-03-08, 02:00 EST (07:00 UTC) becomes 03:00 EDT. Fall back: Sunday 2026-11-01, 02:00 EDT
// (06:00 UTC) becomes 01:00 EST.

class NewYork : public testing::Test {
protected:
  void SetUp() override {
    if (!have_zoneinfo("America/New_York"))
      GTEST_SKIP() << "no tz database in /usr/share/zoneinfo";
    zone_.emplace("America/New_York");
  }
  void TearDown() override { zone_.reset(); }
  const TimeZone &ny() const { return *zone_; }

private:
  std::optional<CLibZone> zone_;
};

TEST_F(NewYork, ZoneLooksRight) {
  EXPECT_EQ(ny().utc_offset_at(utc(2026, 3, 8, 6, 59, 59)), -5 * 3600);
  EXPECT_EQ(ny().utc_offset_at(utc(2026, 3, 8, 7)), -4 * 3600);
  EXPECT_EQ(ny().utc_offset_at(utc(2026, 11, 1, 5, 59, 59)), -4 * 3600);
  EXPECT_EQ(ny().utc_offset_at(utc(2026, 11, 1, 6)), -5 * 3600);
  const CivilTime c = ny().to_civil(utc(2026, 3, 8, 7));
  EXPECT_EQ(c.hour, 3);
  EXPECT_EQ(c.weekday, 0);
}

TEST_F(NewYork, SpringForwardMissingTimeRunsAtTheEndOfTheGap) {
  // 02:30 does not exist on Mar 8: the run comes at 03:00 EDT (07:00 UTC), once; then 02:30 EDT the next day.
  EXPECT_EQ(runs("30 2 * * *", utc(2026, 3, 6, 12), 3, ny()),
            (std::vector<std::int64_t>{utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30)}));
  // From just before the jump, and from inside the last EST second.
  EXPECT_EQ(next("30 2 * * *", utc(2026, 3, 8, 6, 59, 59), ny()), utc(2026, 3, 8, 7));
  // From the end of the gap itself: the Mar 8 run is the one at 07:00, so the next is Mar 9.
  EXPECT_EQ(next("30 2 * * *", utc(2026, 3, 8, 7), ny()), utc(2026, 3, 9, 6, 30));
}

TEST_F(NewYork, SpringForwardEveryQuarterHour) {
  // 01:15, 01:30, 01:45 EST, then 02:00-02:45 do not exist and collapse with 03:00 EDT into one run, then 03:15 EDT.
  EXPECT_EQ(runs("*/15 * * * *", utc(2026, 3, 8, 6), 6, ny()),
            (std::vector<std::int64_t>{utc(2026, 3, 8, 6, 15), utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 6, 45),
                                       utc(2026, 3, 8, 7), utc(2026, 3, 8, 7, 15), utc(2026, 3, 8, 7, 30)}));
}

TEST_F(NewYork, SpringForwardHourly) {
  // 01:00 EST, then 02:00 is missing and runs at 03:00 EDT together with 03:00's own match, then 04:00 EDT.
  EXPECT_EQ(
      runs("0 * * * *", utc(2026, 3, 8, 5, 30), 4, ny()),
      (std::vector<std::int64_t>{utc(2026, 3, 8, 6), utc(2026, 3, 8, 7), utc(2026, 3, 8, 8), utc(2026, 3, 8, 9)}));
}

TEST_F(NewYork, FallBackRepeatedTimeRunsOnce) {
  // 01:30 happens twice on Nov 1: at 01:30 EDT (05:30 UTC) and 01:30 EST (06:30 UTC). Only the first runs.
  EXPECT_EQ(runs("30 1 * * *", utc(2026, 10, 31, 16), 3, ny()),
            (std::vector<std::int64_t>{utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30), utc(2026, 11, 3, 6, 30)}));
  // From inside the repeated hour (01:10 EST), the 01:30 of that day counts as done.
  EXPECT_EQ(next("30 1 * * *", utc(2026, 11, 1, 6, 10), ny()), utc(2026, 11, 2, 6, 30));
  // From between the two showings (01:40 EDT): not again at 01:30 EST.
  EXPECT_EQ(next("30 1 * * *", utc(2026, 11, 1, 5, 40), ny()), utc(2026, 11, 2, 6, 30));
  // A time after the repeated hour is unaffected: 02:30 EST.
  EXPECT_EQ(runs("30 2 * * *", utc(2026, 10, 31, 12), 2, ny()),
            (std::vector<std::int64_t>{utc(2026, 11, 1, 7, 30), utc(2026, 11, 2, 7, 30)}));
}

TEST_F(NewYork, FallBackEveryQuarterHour) {
  // 00:45 EDT, 01:00-01:45 EDT, then the repeated 01:00-01:45 EST are skipped, then 02:00 EST.
  EXPECT_EQ(runs("*/15 * * * *", utc(2026, 11, 1, 4, 30), 7, ny()),
            (std::vector<std::int64_t>{utc(2026, 11, 1, 4, 45), utc(2026, 11, 1, 5), utc(2026, 11, 1, 5, 15),
                                       utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 5, 45), utc(2026, 11, 1, 7),
                                       utc(2026, 11, 1, 7, 15)}));
  // Starting inside the repeated hour (01:10 EST) goes to 02:00 EST.
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 11, 1, 6, 10), ny()), utc(2026, 11, 1, 7));
}

TEST_F(NewYork, FallBackHourly) {
  // 00:00 EDT, 01:00 EDT, (01:00 EST skipped), 02:00 EST, 03:00 EST.
  EXPECT_EQ(
      runs("0 * * * *", utc(2026, 11, 1, 3, 30), 4, ny()),
      (std::vector<std::int64_t>{utc(2026, 11, 1, 4), utc(2026, 11, 1, 5), utc(2026, 11, 1, 7), utc(2026, 11, 1, 8)}));
}

TEST_F(NewYork, DailyAndWeeklyAcrossTheChanges) {
  // 03:00 local every day: 08:00 UTC in EST, 07:00 UTC in EDT.
  EXPECT_EQ(runs("0 3 * * *", utc(2026, 3, 7), 3, ny()),
            (std::vector<std::int64_t>{utc(2026, 3, 7, 8), utc(2026, 3, 8, 7), utc(2026, 3, 9, 7)}));
  EXPECT_EQ(runs("0 3 * * *", utc(2026, 10, 31), 3, ny()),
            (std::vector<std::int64_t>{utc(2026, 10, 31, 7), utc(2026, 11, 1, 8), utc(2026, 11, 2, 8)}));
  // Sunday midnight, local: Nov 1 00:00 EDT is 04:00 UTC; Nov 8 00:00 EST is 05:00 UTC.
  EXPECT_EQ(runs("@weekly", utc(2026, 10, 30), 2, ny()),
            (std::vector<std::int64_t>{utc(2026, 11, 1, 4), utc(2026, 11, 8, 5)}));
}

TEST_F(NewYork, AgreesWithTheDefaultCivilConversion) {
  // TimeZone::to_civil's default (civil time of epoch + offset) matches the C library's.
  struct OffsetOnly final : TimeZone {
    explicit OffsetOnly(const TimeZone &z) : zone(z) {}
    std::int64_t utc_offset_at(std::int64_t epoch) const override { return zone.utc_offset_at(epoch); }
    const TimeZone &zone;
  };
  const OffsetOnly plain(ny());
  for (std::int64_t t = utc(2026, 1, 1); t < utc(2027, 1, 1); t += 3 * 3600 + 7 * 60 + 11) {
    const CivilTime a = ny().to_civil(t);
    const CivilTime b = plain.to_civil(t);
    ASSERT_EQ(std::vector<int>({a.year, a.month, a.day, a.hour, a.minute, a.second, a.weekday}),
              std::vector<int>({b.year, b.month, b.day, b.hour, b.minute, b.second, b.weekday}))
        << t;
  }
  EXPECT_EQ(runs("*/15 * * * *", utc(2026, 11, 1, 4, 30), 7, plain),
            runs("*/15 * * * *", utc(2026, 11, 1, 4, 30), 7, ny()));
  EXPECT_EQ(runs("30 2 * * *", utc(2026, 3, 6), 4, plain), runs("30 2 * * *", utc(2026, 3, 6), 4, ny()));
}

// A zone east of UTC with DST (southern hemisphere): Sydney springs forward on 2026-10-04 at 02:00 AEST (16:00 UTC
// Oct 3) to 03:00 AEDT, and falls back on 2026-04-05 at 03:00 AEDT (16:00 UTC Apr 4) to 02:00 AEST.
TEST(NextRunSydney, BothChanges) {
  if (!have_zoneinfo("Australia/Sydney"))
    GTEST_SKIP() << "no tz database";
  const CLibZone sydney("Australia/Sydney");
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 3, 12), sydney), utc(2026, 10, 3, 16)); // 03:00 AEDT
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 3, 16), sydney), utc(2026, 10, 4, 15, 30));
  // 02:30 happens twice on Apr 5: first at 02:30 AEDT (15:30 UTC Apr 4), then 02:30 AEST (16:30 UTC), skipped.
  EXPECT_EQ(next("30 2 * * *", utc(2026, 4, 4, 12), sydney), utc(2026, 4, 4, 15, 30));
  EXPECT_EQ(next("30 2 * * *", utc(2026, 4, 4, 15, 30), sydney), utc(2026, 4, 5, 16, 30));
}

} // namespace
