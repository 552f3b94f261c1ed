// barrier(): the single way PostgreSQL enters pg_optimize's C++ code.
//
// Every symbol PostgreSQL calls (SQL functions, _PG_init, hooks, worker mains) hands its work to barrier() at once.
// No C++ exception gets past it: each is caught, its SQLSTATE and texts copied into palloc'd memory without any
// chance of a longjmp inside the catch block, and only after the catch block has ended, with no C++ object left
// alive, is the ERROR raised.
#pragma once

#include <exception>
#include <new>

#include "core/error.hpp"
#include "pg/postgres.hpp"

namespace pgo::pg {

// What survives a caught exception: plain pointers into palloc'd memory (or static strings).
struct CaughtError {
  int sqlerrcode = 0;
  const char *message = nullptr;
  const char *detail = nullptr;
  const char *hint = nullptr;
};

// Fill `out` from an exception; never raises a PostgreSQL ERROR and never throws.
void capture(CaughtError &out, const Error &e) noexcept;
void capture(CaughtError &out, const std::bad_alloc &e) noexcept;
void capture(CaughtError &out, const std::exception &e) noexcept;
void capture_unknown(CaughtError &out) noexcept;

// ereport(ERROR) from a CaughtError. Call it outside any catch block.
[[noreturn]] void raise(const CaughtError &error);

template <typename F> auto barrier(F &&f) noexcept -> decltype(f()) {
  CaughtError caught;
  try {
    return f();
  } catch (const Error &e) {
    capture(caught, e);
  } catch (const std::bad_alloc &e) {
    capture(caught, e);
  } catch (const std::exception &e) {
    capture(caught, e);
  } catch (...) {
    capture_unknown(caught);
  }
  raise(caught);
}

} // namespace pgo::pg

// Declares a SQL-callable function whose body runs behind the barrier:
//   PGO_FUNCTION(pgo_example) { ... return datum; }
// expands to the extern "C" symbol PostgreSQL calls plus a C++ function holding the body.
#define PGO_FUNCTION(name)                                                                                             \
  static Datum name##_impl(FunctionCallInfo fcinfo);                                                                   \
  extern "C" {                                                                                                         \
  PGDLLEXPORT Datum name(PG_FUNCTION_ARGS);                                                                            \
  PG_FUNCTION_INFO_V1(name);                                                                                           \
  }                                                                                                                    \
  Datum name(PG_FUNCTION_ARGS) {                                                                                       \
    return pgo::pg::barrier([fcinfo]() { return name##_impl(fcinfo); });                                               \
  }                                                                                                                    \
  static Datum name##_impl([[maybe_unused]] FunctionCallInfo fcinfo)
