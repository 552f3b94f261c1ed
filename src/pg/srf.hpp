// ResultSet: rows of a set-returning SQL function, materialized into the tuplestore PostgreSQL hands us.
//
//   pg::ResultSet out(fcinfo);
//   out.begin_row(); out.add_oid(...); out.add_text(...); out.end_row();
//   return out.done();
//
// Values are converted to Datums in palloc'd memory as they are added, in a memory context of the row's own that is
// reset once the tuplestore has copied the row: a result of hundreds of thousands of rows does not keep every text
// value of every row until the query ends. A row whose column count does not match the declared result type is a bug
// and raises an internal error rather than writing a malformed tuple.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/tuplestore.h"
}

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
  void add_int32(int value) { add(Int32GetDatum(value)); }
  void add_int32_array(const std::vector<int> &values);
  void add_int64_array(const std::vector<std::int64_t> &values);
  void add_text_array(const std::vector<std::string> &values);
  void add_timestamp(const std::optional<TimestampTz> &value);
  // Optional values: std::nullopt becomes SQL NULL.
  template <typename T, typename Add> void add_optional(const std::optional<T> &value, Add add_value) {
    if (value)
      (this->*add_value)(*value);
    else
      add_null();
  }
  void end_row();
  Datum done();

  // Spools, for rows whose place in the result is known only once all are built: each is a tuplestore of its own
  // that keeps at most work_mem / 16 (64 kB at least) in memory and the rest in a temporary file. Rows go to the
  // spool made current by write_to() (nullptr: the result itself); append() moves a spool's rows into the result,
  // in the order they were written, and frees the spool.
  Tuplestorestate *spool();
  void write_to(Tuplestorestate *spool) { target_ = spool; }
  void append(Tuplestorestate *spool);

private:
  void add(Datum value);
  // make() run with the row's memory context current, through guard().
  template <typename Make> Datum in_row_context(Make make);

  FunctionCallInfo fcinfo_;
  MemoryContext row_context_ = nullptr; // a child of the function's context: freed with it on every path
  Tuplestorestate *target_ = nullptr;   // where end_row() writes; nullptr: the result
  int natts_ = 0;
  int count_ = 0;
  Datum values_[kMaxColumns];
  bool nulls_[kMaxColumns];
};

} // namespace pgo::pg
