// The server's clock and time zone for next-run arithmetic (src/core/schedule.hpp): epoch seconds and the session
// time zone (the TimeZone setting), through pg_localtime().
#pragma once

#include <cstdint>

#include "core/schedule.hpp"

namespace pgo::pg {

class SessionTimeZone final : public core::TimeZone {
public:
  std::int64_t utc_offset_at(std::int64_t epoch) const override;
};

// GetCurrentTimestamp() as epoch seconds.
double now_epoch();

} // namespace pgo::pg
