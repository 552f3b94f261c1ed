// Calling PostgreSQL's own SQL-callable C functions (statistics accessors, age(), pg_blocking_pids()...) from C++.
// Unlike DirectFunctionCall, a NULL result is an answer (std::nullopt), not an error: the statistics functions
// return NULL for "never happened".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg/postgres.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace pgo::pg {

std::optional<Datum> call_nullable(PGFunction function, Datum arg);

inline std::int64_t call_int64(PGFunction function, Datum arg) {
  const std::optional<Datum> result = call_nullable(function, arg);
  return result ? DatumGetInt64(*result) : 0;
}

inline std::optional<TimestampTz> call_timestamp(PGFunction function, Datum arg) {
  const std::optional<Datum> result = call_nullable(function, arg);
  if (!result)
    return std::nullopt;
  return DatumGetTimestampTz(*result);
}

// Age of a transaction or multixact ID (age() / mxid_age()), std::nullopt for IDs that do not age (invalid,
// bootstrap, frozen: what relations without storage carry). age_function is xid_age or mxid_age.
std::optional<std::int64_t> id_age(PGFunction age_function, std::uint32_t id);

// Argument n of an SQL-callable function, a text, as a string; std::nullopt for NULL.
std::optional<std::string> text_argument(FunctionCallInfo fcinfo, int n);

// Argument n of an SQL-callable function, an interval, as PostgreSQL prints it (interval_out, under the session's
// IntervalStyle); std::nullopt for NULL.
std::optional<std::string> interval_argument(FunctionCallInfo fcinfo, int n);

} // namespace pgo::pg
