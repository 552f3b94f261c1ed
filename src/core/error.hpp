// pgo::Error: the one exception type pg_optimize code throws on purpose.
//
// PostgreSQL-free: it carries a five-character SQLSTATE and the message, detail and hint that the error barrier
// (src/pg/barrier.hpp) hands to ereport. Errors that PostgreSQL raised under a guard are converted into this type too,
// so an error keeps its SQLSTATE on its way out whichever side it started on.
#pragma once

#include "core/postgres_free.hpp"

#include <exception>
#include <string>
#include <utility>

namespace pgo {

// SQLSTATEs used by PostgreSQL-free code (the same codes as PostgreSQL's errcodes.h).
namespace sqlstate {
inline constexpr const char *kInvalidParameterValue = "22023";
inline constexpr const char *kNullValueNotAllowed = "22004";
inline constexpr const char *kDataException = "22000";
inline constexpr const char *kInternalError = "XX000";
inline constexpr const char *kOutOfMemory = "53200";
inline constexpr const char *kFeatureNotSupported = "0A000";
inline constexpr const char *kObjectNotInPrerequisiteState = "55000";
} // namespace sqlstate

class Error : public std::exception {
public:
  Error(std::string sqlstate, std::string message, std::string detail = {}, std::string hint = {})
      : sqlstate_(std::move(sqlstate)), message_(std::move(message)), detail_(std::move(detail)),
        hint_(std::move(hint)) {
    if (sqlstate_.size() != 5)
      sqlstate_ = sqlstate::kInternalError;
  }

  const char *what() const noexcept override { return message_.c_str(); }
  const std::string &sqlstate() const noexcept { return sqlstate_; }
  const std::string &message() const noexcept { return message_; }
  const std::string &detail() const noexcept { return detail_; }
  const std::string &hint() const noexcept { return hint_; }

private:
  std::string sqlstate_;
  std::string message_;
  std::string detail_;
  std::string hint_;
};

} // namespace pgo
