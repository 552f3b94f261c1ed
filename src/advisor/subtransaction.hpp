// in_subtransaction(): one unit of the advisor's work that may fail on its own (a statement whose table was dropped,
// a candidate that does not parse) without failing the whole call.
#pragma once

#include <string>

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

namespace pgo::advisor {

// Runs f in a subtransaction: an ERROR inside (a table dropped meanwhile, a statement that no longer parses) rolls
// back what f did and returns false, as a PL/pgSQL EXCEPTION block does. Cancels, timeouts and resource errors are
// passed on: they are meant to end the whole call.
template <typename F> bool in_subtransaction(F &&f) {
  MemoryContext context = CurrentMemoryContext;
  ResourceOwner owner = CurrentResourceOwner;
  pg::guard([] { BeginInternalSubTransaction(nullptr); });
  MemoryContextSwitchTo(context);
  try {
    f();
    pg::guard([] { ReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(context);
    CurrentResourceOwner = owner;
    return true;
  } catch (const Error &e) {
    pg::guard([] { RollbackAndReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(context);
    CurrentResourceOwner = owner;
    const std::string &code = e.sqlstate();
    if (code.compare(0, 2, "57") == 0 || code.compare(0, 2, "53") == 0 || code.compare(0, 2, "XX") == 0)
      throw;
    return false;
  }
}

} // namespace pgo::advisor
