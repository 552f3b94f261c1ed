#include "pg/server_time.hpp"

#include "pg/postgres.hpp"

extern "C" {
#include "pgtime.h"
#include "utils/pg_locale.h"
#include "utils/timestamp.h"
}

namespace pgo::pg {

std::int64_t SessionTimeZone::utc_offset_at(std::int64_t epoch) const {
  const pg_time_t t = epoch;
  // pg_localtime() cannot raise; it returns nullptr only for times its tables cannot represent.
  const struct pg_tm *tm = pg_localtime(&t, session_timezone);
  return tm == nullptr ? 0 : tm->tm_gmtoff;
}

double now_epoch() {
  const TimestampTz now = GetCurrentTimestamp();
  return static_cast<double>(now) / USECS_PER_SEC +
         static_cast<double>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
}

} // namespace pgo::pg
