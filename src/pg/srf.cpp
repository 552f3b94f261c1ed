#include "pg/srf.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}

namespace pgo::pg {

namespace {
// A library newer than the extension's SQL objects (after make install, before ALTER EXTENSION UPDATE) returns rows
// the old declarations do not describe.
constexpr const char *kOlderObjectsHint =
    "The SQL declarations of pg_optimize may be older than its library: run ALTER EXTENSION pg_optimize UPDATE.";
} // namespace

ResultSet::ResultSet(FunctionCallInfo fcinfo) : fcinfo_(fcinfo) {
  guard([&] { InitMaterializedSRF(fcinfo_, 0); });
  row_context_ = guard(
      [] { return AllocSetContextCreate(CurrentMemoryContext, "pg_optimize result row", ALLOCSET_DEFAULT_SIZES); });
  const auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo_->resultinfo);
  natts_ = rsinfo->setDesc->natts;
  if (natts_ > kMaxColumns)
    throw Error(sqlstate::kInternalError, fmt::format("result type has {} columns, more than supported", natts_));
}

template <typename Make> Datum ResultSet::in_row_context(Make make) {
  return guard([&] {
    const MemoryContext caller = MemoryContextSwitchTo(row_context_);
    const Datum value = make();
    MemoryContextSwitchTo(caller); // an ERROR in make() leaves it to guard(), which restores the caller's context
    return value;
  });
}

void ResultSet::begin_row() { count_ = 0; }

void ResultSet::add(Datum value) {
  if (count_ >= natts_)
    throw Error(sqlstate::kObjectNotInPrerequisiteState,
                fmt::format("result row has more than the {} declared columns", natts_), {}, kOlderObjectsHint);
  values_[count_] = value;
  nulls_[count_] = false;
  count_++;
}

void ResultSet::add_null() {
  add(Datum(0));
  nulls_[count_ - 1] = true;
}

void ResultSet::add_oid(Oid value) { add(ObjectIdGetDatum(value)); }
void ResultSet::add_bool(bool value) { add(BoolGetDatum(value)); }
void ResultSet::add_int64(std::int64_t value) { add(Int64GetDatum(value)); }
void ResultSet::add_float8(double value) { add(Float8GetDatum(value)); }

void ResultSet::add_name(const std::string &value) {
  add(in_row_context([&] {
    auto *name = static_cast<NameData *>(palloc0(NAMEDATALEN));
    namestrcpy(name, value.c_str());
    return NameGetDatum(name);
  }));
}

void ResultSet::add_text(const std::string &value) {
  add(in_row_context(
      [&] { return PointerGetDatum(cstring_to_text_with_len(value.data(), static_cast<int>(value.size()))); }));
}

void ResultSet::add_name_array(const std::vector<std::string> &values) {
  const int n = static_cast<int>(values.size());
  add(in_row_context([&] {
    Datum *elements = static_cast<Datum *>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; i++) {
      auto *name = static_cast<NameData *>(palloc0(NAMEDATALEN));
      namestrcpy(name, values[static_cast<std::size_t>(i)].c_str());
      elements[i] = NameGetDatum(name);
    }
    return PointerGetDatum(construct_array(elements, n, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR));
  }));
}

void ResultSet::add_int32_array(const std::vector<int> &values) {
  const int n = static_cast<int>(values.size());
  add(in_row_context([&] {
    Datum *elements = static_cast<Datum *>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; i++)
      elements[i] = Int32GetDatum(values[static_cast<std::size_t>(i)]);
    return PointerGetDatum(construct_array(elements, n, INT4OID, sizeof(int32), true, TYPALIGN_INT));
  }));
}

void ResultSet::add_int64_array(const std::vector<std::int64_t> &values) {
  const int n = static_cast<int>(values.size());
  add(in_row_context([&] {
    Datum *elements = static_cast<Datum *>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; i++)
      elements[i] = Int64GetDatum(values[static_cast<std::size_t>(i)]);
    return PointerGetDatum(construct_array(elements, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
  }));
}

void ResultSet::add_text_array(const std::vector<std::string> &values) {
  const int n = static_cast<int>(values.size());
  add(in_row_context([&] {
    Datum *elements = static_cast<Datum *>(palloc(sizeof(Datum) * (n > 0 ? n : 1)));
    for (int i = 0; i < n; i++) {
      const std::string &v = values[static_cast<std::size_t>(i)];
      elements[i] = PointerGetDatum(cstring_to_text_with_len(v.data(), static_cast<int>(v.size())));
    }
    return PointerGetDatum(construct_array(elements, n, TEXTOID, -1, false, TYPALIGN_INT));
  }));
}

void ResultSet::add_timestamp(const std::optional<TimestampTz> &value) {
  if (value)
    add(TimestampTzGetDatum(*value));
  else
    add_null();
}

void ResultSet::end_row() {
  if (count_ != natts_)
    throw Error(sqlstate::kObjectNotInPrerequisiteState,
                fmt::format("result row has {} columns, the result type declares {}", count_, natts_), {},
                kOlderObjectsHint);
  const auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo_->resultinfo);
  guard([&] {
    tuplestore_putvalues(target_ != nullptr ? target_ : rsinfo->setResult, rsinfo->setDesc, values_,
                         nulls_); // copies the values
    MemoryContextReset(row_context_);
  });
}

Datum ResultSet::done() { return Datum(0); }

Tuplestorestate *ResultSet::spool() {
  // In the memory context of the call, like the row context; its temporary file goes with the resource owner.
  return guard([] { return tuplestore_begin_heap(false, false, std::max(64, work_mem / 16)); });
}

void ResultSet::append(Tuplestorestate *spool) {
  const auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo_->resultinfo);
  guard([&] {
    TupleTableSlot *slot = MakeSingleTupleTableSlot(rsinfo->setDesc, &TTSOpsMinimalTuple);
    while (tuplestore_gettupleslot(spool, true, false, slot))
      tuplestore_puttupleslot(rsinfo->setResult, slot);
    ExecDropSingleTupleTableSlot(slot);
    tuplestore_end(spool);
  });
}

} // namespace pgo::pg
