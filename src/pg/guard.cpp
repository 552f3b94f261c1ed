#include "pg/guard.hpp"

#include <string>

#include "core/error.hpp"

namespace pgo::pg {

[[noreturn]] void throw_current_pg_error(MemoryContext context) {
  MemoryContextSwitchTo(context);
  ErrorData *edata = CopyErrorData();
  FlushErrorState();

  // unpack_sql_state writes to a static buffer; copy it at once.
  std::string state = unpack_sql_state(edata->sqlerrcode);
  std::string message = edata->message ? edata->message : "unknown PostgreSQL error";
  std::string detail = edata->detail ? edata->detail : "";
  std::string hint = edata->hint ? edata->hint : "";
  FreeErrorData(edata);
  throw Error(std::move(state), std::move(message), std::move(detail), std::move(hint));
}

} // namespace pgo::pg
