// ResultSet: rows of a set-returning SQL function, materialized into the tuplestore PostgreSQL hands us.
//
//   pg::ResultSet out(fcinfo);
//   out.begin_row(); out.add_oid(...); out.add_text(...); out.end_row();
//   return out.done();
//
// Values are converted to Datums in palloc'd memory as they are added; a row whose column count does not match the
// declared result type is a bug and raises an internal error rather than writing a malformed tuple.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

namespace pgo::pg {

class ResultSet {
public:
  static constexpr int kMaxColumns = 64;

  explicit ResultSet(FunctionCallInfo fcinfo);

  void begin_row();
  void add_null();
  void add_oid(Oid value);
  void add_bool(bool value);
  void add_int64(std::int64_t value);
  void add_float8(double value);
  void add_name(const std::string &value);
  void add_text(const std::string &value);
  void add_name_array(const std::vector<std::string> &values);
  void end_row();
  Datum done();

private:
  void add(Datum value);

  FunctionCallInfo fcinfo_;
  int natts_ = 0;
  int count_ = 0;
  Datum values_[kMaxColumns];
  bool nulls_[kMaxColumns];
};

} // namespace pgo::pg
