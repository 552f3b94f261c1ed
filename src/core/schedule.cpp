#include "core/schedule.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace pgo::core {
namespace {

constexpr const char *kHint = "Use an interval such as '30 seconds' or '1 day', or a 5-field cron expression such as "
                              "'0 3 * * *' (minute hour day-of-month month day-of-week).";
constexpr const char *kCronDetail =
    "A cron expression has five fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or jan-dec) and "
    "day of week (0-7 or sun-sat, 0 and 7 both Sunday).";

constexpr const char *kIntervalDetail =
    "An interval is one or more parts such as '90 minutes', '1 day 2 hours' or '01:30:00', in seconds, minutes, "
    "hours, days or weeks, between 1 second and 366 days in all.";

constexpr const char *kDatetimeOverflow = "22008"; // datetime_field_overflow

// PostgreSQL's timestamp range in epoch seconds: 4714-11-24 00:00:00 BC to 294276-12-31 23:59:59 UTC.
constexpr std::int64_t kMinEpoch = -210866803200;
constexpr std::int64_t kMaxEpoch = 9224318016000 - 1;

constexpr std::int64_t kSecondsPerDay = 86400;
// Search bound. The longest real wait is 12 years: one date that must also fall on one weekday across a non-leap
// century year ('0 0 */31 1 1', Jan 1 on a Monday: 2091, then 2103). Feb 29 alone waits at most 8 (2096 to 2104).
constexpr int kSearchYears = 14;
// Half the width of the window searched around a local time for the instants showing it; above any UTC offset.
constexpr std::int64_t kZoneWindow = 26 * 3600;

// Error texts quote the input; keep a pasted novel out of the log.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 64;
  if (text.size() <= kMax)
    return fmt::format("\"{}\"", text);
  return fmt::format("\"{}...\"", text.substr(0, kMax));
}

[[noreturn]] void invalid(std::string message, std::string detail = {}) {
  throw Error(sqlstate::kInvalidParameterValue, std::move(message), std::move(detail), kHint);
}

[[noreturn]] void invalid_cron(std::string_view text, const std::string &problem) {
  invalid(fmt::format("invalid cron expression {}: {}", quoted(text), problem), kCronDetail);
}

[[noreturn]] void invalid_interval(std::string_view text, const std::string &problem) {
  invalid(fmt::format("invalid schedule {}: {}", quoted(text), problem), kIntervalDetail);
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char &c : out)
    c = lower(c);
  return out;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_whitespace(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i]))
      ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(s[i]))
      ++i;
    if (i > start)
      words.push_back(s.substr(start, i - start));
  }
  return words;
}

// Drops a case-insensitive leading word followed by whitespace; false when s does not start so.
bool strip_word(std::string_view &s, std::string_view word) {
  if (s.size() <= word.size() || !is_space(s[word.size()]) || lowered(s.substr(0, word.size())) != word)
    return false;
  s = trimmed(s.substr(word.size()));
  return true;
}

// ---- Calendar ----

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool is_leap_year(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t year, int month) {
  static constexpr std::array<int, 13> kDays = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[static_cast<std::size_t>(month)];
}

// Days since 1970-01-01 of a proleptic Gregorian date. Counts in 400-year eras of 146097 days, with years starting on
// March 1 so that the leap day is the last day of its year.
std::int64_t days_from_date(std::int64_t year, int month, int day) {
  const std::int64_t y = month <= 2 ? year - 1 : year;
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t year_of_era = y - era * 400;                           // 0..399
  const std::int64_t shifted_month = month > 2 ? month - 3 : month + 9;     // March = 0
  const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1; // 0..365
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468; // 719468: days from 0000-03-01 to 1970-01-01
}

struct Date {
  std::int64_t year;
  int month;
  int day;
};

Date date_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t day_of_era = z - era * 146097; // 0..146096
  const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t shifted_month = (5 * day_of_year + 2) / 153; // March = 0
  const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// 1970-01-01 was a Thursday (4).
int weekday_from_days(std::int64_t days) { return static_cast<int>((days + 4) - floor_div(days + 4, 7) * 7); }

// ---- Cron parsing ----

// Vixie cron's day rule: both day fields restricted, either may match; otherwise both must.
bool day_matches(const CronSpec &spec, int month, int day, int weekday) {
  if (!spec.months[static_cast<std::size_t>(month)])
    return false;
  const bool dom = spec.days_of_month[static_cast<std::size_t>(day)];
  const bool dow = spec.days_of_week[static_cast<std::size_t>(weekday)];
  if (spec.dom_unrestricted || spec.dow_unrestricted)
    return dom && dow;
  return dom || dow;
}

struct FieldInfo {
  const char *name;
  int min;
  int max; // the largest value accepted in the text (7 for the day of week)
  const std::array<const char *, 13> *names;
  int first_name_value;
};

constexpr std::array<const char *, 13> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",  "jul",
                                                      "aug", "sep", "oct", "nov", "dec", nullptr};
constexpr std::array<const char *, 13> kDayNames = {"sun",   "mon",   "tue",   "wed",   "thu",   "fri",  "sat",
                                                    nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};

constexpr std::array<FieldInfo, 5> kFields = {{
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day-of-month", 1, 31, nullptr, 0},
    {"month", 1, 12, &kMonthNames, 1},
    {"day-of-week", 0, 7, &kDayNames, 0},
}};

class FieldParser {
public:
  FieldParser(std::string_view expression, const FieldInfo &field) : expression_(expression), field_(field) {}

  // Sets the bits of every value the field lists; values are as written (7 for Sunday stays 7).
  std::bitset<64> parse(std::string_view text) const {
    std::bitset<64> bits;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = text.find(',', start);
      const std::string_view item = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
      if (item.empty())
        fail(fmt::format("empty list item in {}", quoted(text)));
      parse_item(item, bits);
      if (comma == std::string_view::npos)
        break;
      start = comma + 1;
    }
    return bits;
  }

private:
  [[noreturn]] void fail(const std::string &problem) const {
    invalid_cron(expression_, fmt::format("{} field: {}", field_.name, problem));
  }

  bool is_day_of_week() const { return field_.names == &kDayNames; }

  void parse_item(std::string_view item, std::bitset<64> &bits) const {
    std::string_view base = item;
    int step = 1;
    bool stepped = false;
    if (const std::size_t slash = item.find('/'); slash != std::string_view::npos) {
      base = item.substr(0, slash);
      if (base.empty())
        fail(fmt::format("step without a start in {}", quoted(item)));
      const std::string_view step_text = item.substr(slash + 1);
      step = number(step_text, item, "step");
      const int span = field_.max - field_.min + 1;
      if (step < 1)
        fail(fmt::format("step 0 in {} (a step must be at least 1)", quoted(item)));
      if (step > span)
        fail(fmt::format("step {} in {} is more than the field's {} values", step_text, quoted(item), span));
      stepped = true;
    }

    // Sunday is 0 and 7; '*' and 'N/S' stop at 6 so that Sunday is not listed twice.
    const int top = is_day_of_week() ? 6 : field_.max;
    int low = field_.min;
    int high = top;
    if (base == "*") {
      // the whole field
    } else if (const std::size_t dash = base.find('-'); dash != std::string_view::npos) {
      low = value(base.substr(0, dash), item);
      high = value(base.substr(dash + 1), item);
      if (high < low)
        fail(fmt::format("reversed range {} (write ranges from low to high)", quoted(base)));
    } else {
      low = value(base, item);
      high = stepped ? std::max(low, top) : low; // "N/S" runs to the field's maximum
    }

    for (int v = low; v <= high; v += step)
      bits.set(static_cast<std::size_t>(v));
  }

  // A value: digits, or (month, day of week) a three-letter name.
  int value(std::string_view text, std::string_view item) const {
    if (!text.empty() && is_alpha(text.front()) && field_.names != nullptr) {
      const std::string name = lowered(text);
      for (std::size_t i = 0; i < field_.names->size() && (*field_.names)[i] != nullptr; ++i)
        if (name == (*field_.names)[i])
          return field_.first_name_value + static_cast<int>(i);
      fail(fmt::format("unknown name {}", quoted(text)));
    }
    const int v = number(text, item, "value");
    if (v < field_.min || v > field_.max)
      fail(fmt::format("{} is out of range {}-{}", text, field_.min, field_.max));
    return v;
  }

  // Digits only; a huge number saturates (the callers reject it as out of range).
  int number(std::string_view text, std::string_view item, const char *what) const {
    if (text.empty())
      fail(fmt::format("missing {} in {}", what, quoted(item)));
    int v = 0;
    for (const char c : text) {
      if (!is_digit(c))
        fail(fmt::format("invalid {} {}", what, quoted(text)));
      v = std::min(v * 10 + (c - '0'), kSaturated);
    }
    return v;
  }

  static constexpr int kSaturated = 1000000;

  std::string_view expression_;
  const FieldInfo &field_;
};

template <std::size_t N> std::bitset<N> narrowed(const std::bitset<64> &bits) {
  std::bitset<N> out;
  for (std::size_t i = 0; i < N; ++i)
    out[i] = bits[i];
  return out;
}

struct Macro {
  const char *name;
  const char *expansion;
};

constexpr std::array<Macro, 7> kMacros = {{
    {"@hourly", "0 * * * *"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},
    {"@monthly", "0 0 1 * *"},
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
}};

// Can the expression's days ever come round? Either day field restricted alone (or ANDed with an unrestricted one)
// must name a day that exists in some listed month; Feb 29 counts, leap years come. Both restricted: any weekday comes.
bool can_fire(const CronSpec &spec) {
  if (!spec.dom_unrestricted && !spec.dow_unrestricted)
    return true;
  for (int month = 1; month <= 12; ++month) {
    if (!spec.months[static_cast<std::size_t>(month)])
      continue;
    const int longest = month == 2 ? 29 : days_in_month(2001, month);
    for (int day = 1; day <= longest; ++day)
      if (spec.days_of_month[static_cast<std::size_t>(day)])
        return true;
  }
  return false;
}

// ---- Intervals ----

struct Unit {
  const char *name;
  std::int64_t seconds;
  int index; // for telling a unit given twice
};

constexpr std::array<Unit, 19> kUnits = {{
    {"s", 1, 0},        {"sec", 1, 0},     {"secs", 1, 0},      {"second", 1, 0},     {"seconds", 1, 0},
    {"m", 60, 1},       {"min", 60, 1},    {"mins", 60, 1},     {"minute", 60, 1},    {"minutes", 60, 1},
    {"h", 3600, 2},     {"hour", 3600, 2}, {"hours", 3600, 2},  {"d", 86400, 3},      {"day", 86400, 3},
    {"days", 86400, 3}, {"w", 604800, 4},  {"week", 604800, 4}, {"weeks", 604800, 4},
}};

const Unit *find_unit(const std::string &name) {
  for (const Unit &unit : kUnits)
    if (name == unit.name)
      return &unit;
  return nullptr;
}

constexpr std::array<const char *, 5> kUnitNames = {"second", "minute", "hour", "day", "week"};

// Reads a run of digits at s[i]; caps the value so that no unit can overflow it.
std::int64_t read_number(std::string_view text, std::string_view s, std::size_t &i) {
  std::int64_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    v = v * 10 + (s[i] - '0');
    if (v > kMaxIntervalSeconds)
      invalid_interval(text, "the interval is longer than 366 days");
    ++i;
  }
  return v;
}

std::int64_t parse_interval(std::string_view text, std::string_view s) {
  if (s.empty())
    invalid_interval(text, "the schedule is empty");
  std::int64_t total = 0;
  unsigned seen = 0;
  bool clock_seen = false;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_space(s[i])) {
      ++i;
      continue;
    }
    if (s[i] == '-')
      invalid_interval(text, "the interval must be positive");
    if (!is_digit(s[i]))
      invalid_interval(text, fmt::format("expected a number at {}", quoted(s.substr(i))));
    const std::int64_t n = read_number(text, s, i);

    if (i < s.size() && s[i] == ':') { // H:MM or H:MM:SS
      if (clock_seen)
        invalid_interval(text, "more than one clock time (H:MM:SS)");
      clock_seen = true;
      std::int64_t parts[2] = {0, 0};
      int count = 0;
      while (i < s.size() && s[i] == ':' && count < 2) {
        ++i;
        const std::size_t start = i;
        parts[count] = read_number(text, s, i);
        if (i - start != 2 || parts[count] > 59)
          invalid_interval(text, "minutes and seconds of a clock time need two digits, 00 to 59");
        ++count;
      }
      if (i < s.size() && !is_space(s[i]))
        invalid_interval(text, fmt::format("unexpected {} after the clock time", quoted(s.substr(i))));
      total += n * 3600 + parts[0] * 60 + (count == 2 ? parts[1] : 0);
    } else {
      while (i < s.size() && is_space(s[i]))
        ++i;
      const std::size_t start = i;
      while (i < s.size() && is_alpha(s[i]))
        ++i;
      const std::string name = lowered(s.substr(start, i - start));
      if (name.empty()) {
        if (i < s.size() && (s[i] == '.' || s[i] == ','))
          invalid_interval(text, "use whole numbers of a smaller unit (90 minutes, not 1.5 hours)");
        if (i < s.size() && !is_space(s[i]))
          invalid_interval(text, fmt::format("unexpected {} after {}", quoted(s.substr(i, 1)), n));
        invalid_interval(text, fmt::format("the number {} needs a unit such as seconds, minutes, hours or days", n));
      }
      const Unit *unit = find_unit(name);
      if (unit == nullptr)
        invalid_interval(text, fmt::format("unknown unit {}", quoted(s.substr(start, i - start))));
      const unsigned bit = 1u << unit->index;
      if (seen & bit)
        invalid_interval(text, fmt::format("{}s are given more than once", kUnitNames[unit->index]));
      seen |= bit;
      total += n * unit->seconds;
    }
    if (total > kMaxIntervalSeconds)
      invalid_interval(text, "the interval is longer than 366 days");
  }
  if (total < kMinIntervalSeconds)
    invalid_interval(text, "the interval must be at least 1 second");
  return total;
}

// Does the text read as a cron expression gone wrong rather than as an interval?
bool looks_like_cron(std::string_view s) {
  if (s.find_first_of("*,/") != std::string_view::npos)
    return true;
  const std::vector<std::string_view> words = split_whitespace(s);
  if (words.size() < 2)
    return false;
  for (const std::string_view word : words)
    for (const char c : word)
      if (!is_digit(c) && c != '-')
        return false;
  return true; // "0 3" or "0 3 1-5": numbers only, no unit
}

// Five words that start like an interval ("1 day 2 hours 30min", "1h 2m 3s 4 x"): a cron minute field has no letters
// or colons and a cron hour field does not start with a letter.
bool reads_as_interval(const std::vector<std::string_view> &words) {
  if (words.size() < 2 || !is_digit(words[0].front()))
    return false;
  if (words[0].find_first_of(":abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos)
    return true;
  return is_alpha(words[1].front());
}

// ---- Next run ----

struct Minute { // a local civil minute, without zone
  std::int64_t year;
  int month;
  int day;
  int hour;
  int minute;
};

// The first local civil minute at or after `from` that the spec matches, up to the end of last_year.
std::optional<Minute> next_match(const CronSpec &spec, Minute m, std::int64_t last_year) {
  while (m.year <= last_year) {
    if (m.month > 12) {
      ++m.year;
      m.month = 1;
      continue;
    }
    if (!spec.months[static_cast<std::size_t>(m.month)] || m.day > days_in_month(m.year, m.month)) {
      ++m.month;
      m.day = 1;
      m.hour = m.minute = 0;
      continue;
    }
    if (m.hour > 23 || !day_matches(spec, m.month, m.day, weekday_from_days(days_from_date(m.year, m.month, m.day)))) {
      ++m.day;
      m.hour = m.minute = 0;
      continue;
    }
    if (m.minute > 59 || !spec.hours[static_cast<std::size_t>(m.hour)]) {
      ++m.hour;
      m.minute = 0;
      continue;
    }
    if (!spec.minutes[static_cast<std::size_t>(m.minute)]) {
      ++m.minute;
      continue;
    }
    return m;
  }
  return std::nullopt;
}

std::int64_t local_seconds(const Minute &m) {
  return days_from_date(m.year, m.month, m.day) * kSecondsPerDay + m.hour * 3600 + m.minute * 60;
}

Minute minute_from_local(std::int64_t seconds) {
  const CivilTime c = civil_from_seconds(seconds);
  return {c.year, c.month, c.day, c.hour, c.minute};
}

// The instant at which the local clock first shows `local` or later: the earlier instant when it shows it twice, the
// end of the gap when it never does.
std::int64_t first_instant_at_or_after(std::int64_t local, const TimeZone &tz) {
  const std::int64_t offsets[2] = {tz.utc_offset_at(local - kZoneWindow), tz.utc_offset_at(local + kZoneWindow)};
  std::optional<std::int64_t> best;
  for (const std::int64_t offset : offsets) {
    const std::int64_t t = local - offset;
    if (tz.utc_offset_at(t) == offset && (!best || t < *best))
      best = t;
  }
  if (best)
    return *best;
  // A gap: find the first instant whose local time is past `local`. The local clock only jumps forward in here.
  std::int64_t lo = local - kZoneWindow; // shows an earlier local time
  std::int64_t hi = local + kZoneWindow; // shows a later one
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (mid + tz.utc_offset_at(mid) > local)
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

void check_range(std::int64_t epoch, const char *what) {
  if (epoch < kMinEpoch || epoch > kMaxEpoch)
    throw Error(kDatetimeOverflow, fmt::format("{} is out of the timestamp range", what));
}

std::int64_t next_cron_run(const CronSpec &spec, std::int64_t after, const TimeZone &tz) {
  const CivilTime now = tz.to_civil(after);
  CivilTime minute_start = now;
  minute_start.second = 0;
  std::int64_t local = seconds_from_civil(minute_start) + 60;
  const std::int64_t last_year = static_cast<std::int64_t>(now.year) + kSearchYears;
  while (true) {
    const std::optional<Minute> match = next_match(spec, minute_from_local(local), last_year);
    if (!match)
      break;
    local = local_seconds(*match);
    // Skips the second showing of a repeated local time, and gap matches already served by a run at the gap's end.
    const std::int64_t t = first_instant_at_or_after(local, tz);
    if (t > after)
      return t;
    local += 60;
  }
  throw Error(sqlstate::kInternalError,
              fmt::format("cron schedule \"{}\" does not fire within {} years", spec.expression, kSearchYears));
}

} // namespace

// ---- Public ----

CronSpec parse_cron(std::string_view text) {
  std::string_view s = trimmed(text);
  if (s.empty())
    invalid_cron(text, "the expression is empty");

  if (s.front() == '@') {
    const std::string name = lowered(s);
    for (const Macro &macro : kMacros)
      if (name == macro.name)
        return parse_cron(macro.expansion);
    if (name == "@reboot")
      invalid_cron(text, "@reboot is not supported");
    invalid_cron(text, fmt::format("unknown macro {}; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly "
                                   "or @annually",
                                   quoted(s)));
  }

  const std::vector<std::string_view> fields = split_whitespace(s);
  if (fields.size() != kFields.size())
    invalid_cron(
        text, fmt::format("expected 5 fields (minute hour day-of-month month day-of-week), found {}", fields.size()));

  CronSpec spec;
  std::bitset<64> bits[5];
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    bits[i] = FieldParser(text, kFields[i]).parse(fields[i]);
    if (!spec.expression.empty())
      spec.expression += ' ';
    spec.expression += lowered(fields[i]);
  }
  spec.minutes = narrowed<60>(bits[0]);
  spec.hours = narrowed<24>(bits[1]);
  spec.days_of_month = narrowed<32>(bits[2]);
  spec.months = narrowed<13>(bits[3]);
  spec.days_of_week = narrowed<7>(bits[4]);
  if (bits[4][7])
    spec.days_of_week.set(0);
  spec.dom_unrestricted = fields[2].front() == '*';
  spec.dow_unrestricted = fields[4].front() == '*';

  if (!can_fire(spec))
    invalid_cron(text, "the day-of-month field names no day that exists in the listed months, so it never fires");
  return spec;
}

Schedule interval_schedule(std::int64_t seconds) {
  if (seconds < kMinIntervalSeconds || seconds > kMaxIntervalSeconds)
    invalid(fmt::format("invalid schedule interval: {} seconds", seconds),
            fmt::format("An interval must be between {} second and {} seconds (366 days).", kMinIntervalSeconds,
                        kMaxIntervalSeconds));
  Schedule schedule;
  schedule.kind = Schedule::Kind::kInterval;
  schedule.interval_seconds = seconds;
  return schedule;
}

Schedule parse_schedule(std::string_view text) {
  std::string_view s = trimmed(text);
  if (s.empty())
    invalid_interval(text, "the schedule is empty");

  Schedule schedule;
  if (strip_word(s, "cron")) {
    schedule.kind = Schedule::Kind::kCron;
    schedule.cron = parse_cron(s);
    return schedule;
  }
  if (strip_word(s, "every"))
    return interval_schedule(parse_interval(text, s));

  if (s.front() == '@') {
    schedule.kind = Schedule::Kind::kCron;
    schedule.cron = parse_cron(s);
    return schedule;
  }
  if (const std::vector<std::string_view> words = split_whitespace(s); words.size() == 5 && !reads_as_interval(words)) {
    schedule.kind = Schedule::Kind::kCron;
    schedule.cron = parse_cron(s);
    return schedule;
  }
  try {
    return interval_schedule(parse_interval(text, s));
  } catch (const Error &) {
    if (looks_like_cron(s))
      parse_cron(s); // throws its own message: the field count
    throw;
  }
}

std::string describe(const Schedule &schedule) {
  if (schedule.kind == Schedule::Kind::kCron)
    return "cron " + schedule.cron.expression;
  static constexpr std::array<std::pair<std::int64_t, const char *>, 4> kParts = {
      {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}}};
  std::string out = "every";
  std::int64_t rest = schedule.interval_seconds;
  for (const auto &[size, name] : kParts) {
    const std::int64_t n = rest / size;
    rest %= size;
    if (n > 0)
      out += fmt::format(" {} {}{}", n, name, n == 1 ? "" : "s");
  }
  if (out == "every")
    out += fmt::format(" {} seconds", schedule.interval_seconds); // not a valid interval; say what it holds
  return out;
}

CivilTime civil_from_seconds(std::int64_t seconds) {
  const std::int64_t days = floor_div(seconds, kSecondsPerDay);
  const std::int64_t in_day = seconds - days * kSecondsPerDay;
  const Date date = date_from_days(days);
  CivilTime c;
  c.year = static_cast<int>(date.year);
  c.month = date.month;
  c.day = date.day;
  c.hour = static_cast<int>(in_day / 3600);
  c.minute = static_cast<int>(in_day / 60 % 60);
  c.second = static_cast<int>(in_day % 60);
  c.weekday = weekday_from_days(days);
  return c;
}

std::int64_t seconds_from_civil(const CivilTime &c) {
  return days_from_date(c.year, c.month, c.day) * kSecondsPerDay + c.hour * 3600 + c.minute * 60 + c.second;
}

CivilTime TimeZone::to_civil(std::int64_t epoch) const { return civil_from_seconds(epoch + utc_offset_at(epoch)); }

FixedOffsetZone::FixedOffsetZone(std::int64_t offset_seconds) : offset_(offset_seconds) {
  if (offset_seconds < -kSecondsPerDay || offset_seconds > kSecondsPerDay)
    invalid(fmt::format("invalid UTC offset: {} seconds", offset_seconds),
            "A UTC offset must be within 24 hours either way.");
}

std::int64_t FixedOffsetZone::utc_offset_at(std::int64_t) const { return offset_; }

std::int64_t next_run(const Schedule &schedule, std::int64_t after, const TimeZone &tz) {
  check_range(after, "the start time");
  std::int64_t next;
  if (schedule.kind == Schedule::Kind::kInterval) {
    if (schedule.interval_seconds < kMinIntervalSeconds || schedule.interval_seconds > kMaxIntervalSeconds)
      invalid(fmt::format("invalid schedule interval: {} seconds", schedule.interval_seconds));
    next = after + schedule.interval_seconds; // no overflow: both are far from the int64 limits
  } else {
    next = next_cron_run(schedule.cron, after, tz);
  }
  check_range(next, "the next run");
  return next;
}

} // namespace pgo::core
