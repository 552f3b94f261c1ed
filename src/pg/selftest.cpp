// Entry points that exist to prove the C++/PostgreSQL boundary works; the regression suite declares them itself
// (they are not part of the extension's SQL API).
//
//   pgo_selftest_throw(kind text): the C++ side throws (pgo::Error with a chosen SQLSTATE, std::runtime_error,
//                                  std::bad_alloc, or a non-std type); the barrier must turn each into a clean ERROR.
//   pgo_selftest_pg_error(input text): under guard(), PostgreSQL's int4 input function raises on bad input; the
//                                  error must come back out with its own SQLSTATE and text, and the C++ objects
//                                  alive around the call must have been destroyed (counted by the next function).
//   pgo_selftest_destructor_count(): how many guarded objects have been destroyed in this backend.
#include <stdexcept>
#include <string>

#include "core/error.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace {

int destructor_count = 0;

struct CountsDestruction {
  std::string payload = std::string(64, 'x'); // heap memory a skipped destructor would leak
  ~CountsDestruction() { destructor_count++; }
};

struct NotAnException {};

} // namespace

PGO_FUNCTION(pgo_selftest_throw) {
  if (PG_ARGISNULL(0))
    throw pgo::Error(pgo::sqlstate::kNullValueNotAllowed, "kind must not be null", "",
                     "Pass one of: error, runtime, bad_alloc, other.");
  const std::string kind = pgo::pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  CountsDestruction alive;
  if (kind == "error")
    throw pgo::Error("22023", "selftest: invalid parameter from C++", "the detail survives", "the hint survives");
  if (kind == "runtime")
    throw std::runtime_error("selftest: std::runtime_error from C++");
  if (kind == "bad_alloc")
    throw std::bad_alloc();
  if (kind == "other")
    throw NotAnException();
  PG_RETURN_TEXT_P(pgo::pg::guard([&] { return cstring_to_text(("no exception for " + kind).c_str()); }));
}

PGO_FUNCTION(pgo_selftest_pg_error) {
  CountsDestruction alive;
  const char *input = pgo::pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  const Datum value = pgo::pg::guard([&] { return DirectFunctionCall1(int4in, CStringGetDatum(input)); });
  PG_RETURN_DATUM(value);
}

PGO_FUNCTION(pgo_selftest_destructor_count) { PG_RETURN_INT32(destructor_count); }
