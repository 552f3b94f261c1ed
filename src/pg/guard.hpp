// guard(): call into PostgreSQL from C++ without letting an ERROR's longjmp cross C++ frames.
//
// PostgreSQL reports an ERROR by longjmp to the innermost PG_exception_stack. guard() installs its own jump target
// around one call, so an ERROR lands here instead, is copied out of PostgreSQL's error state and comes back as a
// pgo::Error (SQLSTATE, message, detail and hint intact) that unwinds C++ frames normally.
//
// Rules for the callable handed to guard():
// - it calls PostgreSQL and touches plain data only: no object with a destructor may be alive inside it while
//   PostgreSQL runs, because a longjmp out of it skips destructors (keep RAII objects in the caller);
// - the caller must not go on using PostgreSQL state the failed call may have left half-done: an ERROR caught here
//   is meant to travel up to the barrier and abort the transaction, which is what cleans locks, pins and memory.
#pragma once

#include <csetjmp>
#include <type_traits>
#include <utility>

#include "pg/postgres.hpp"

namespace pgo::pg {

// Turns the ERROR PostgreSQL is handling into a pgo::Error and throws it. Switches back to `context` first, since
// CopyErrorData must not run in ErrorContext.
[[noreturn]] void throw_current_pg_error(MemoryContext context);

namespace detail {
struct SavedErrorState {
  sigjmp_buf *exception_stack;
  ErrorContextCallback *context_stack;
  MemoryContext memory_context;

  void restore() const {
    PG_exception_stack = exception_stack;
    error_context_stack = context_stack;
  }
};

// Runs f with PG_exception_stack pointing at `target`, restoring the saved state on every way out but a longjmp
// (the longjmp path restores it in guard()). A separate function so guard()'s own frame holds nothing to destroy.
template <typename F> auto invoke_with_target(F &f, sigjmp_buf *target, const SavedErrorState &saved) -> decltype(f()) {
  PG_exception_stack = target;
  try {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      saved.restore();
    } else {
      auto result = f();
      saved.restore();
      return result;
    }
  } catch (...) {
    saved.restore();
    throw;
  }
}
} // namespace detail

template <typename F> auto guard(F &&f) -> decltype(f()) {
  static_assert(std::is_void_v<decltype(f())> || std::is_trivially_destructible_v<decltype(f())>,
                "guard() returns plain data only; build C++ objects from it in the caller");
  const detail::SavedErrorState saved{PG_exception_stack, error_context_stack, CurrentMemoryContext};
  sigjmp_buf target;
  if (sigsetjmp(target, 0) != 0) {
    saved.restore();
    throw_current_pg_error(saved.memory_context);
  }
  return detail::invoke_with_target(f, &target, saved);
}

} // namespace pgo::pg
