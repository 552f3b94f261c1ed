#include "pg/barrier.hpp"

#include <cstring>

namespace pgo::pg {
namespace {

// A palloc'd copy that cannot raise: on out-of-memory it yields nullptr instead of an ERROR.
const char *copy_or_null(const char *text) noexcept {
  if (text == nullptr || *text == '\0')
    return nullptr;
  const std::size_t len = std::strlen(text);
  auto *copy = static_cast<char *>(MemoryContextAllocExtended(CurrentMemoryContext, len + 1, MCXT_ALLOC_NO_OOM));
  if (copy != nullptr)
    std::memcpy(copy, text, len + 1);
  return copy;
}

int sqlstate_to_code(const std::string &state) noexcept {
  if (state.size() != 5)
    return ERRCODE_INTERNAL_ERROR;
  return MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
}

} // namespace

void capture(CaughtError &out, const Error &e) noexcept {
  out.sqlerrcode = sqlstate_to_code(e.sqlstate());
  out.message = copy_or_null(e.message().c_str());
  out.detail = copy_or_null(e.detail().c_str());
  out.hint = copy_or_null(e.hint().c_str());
  if (out.message == nullptr)
    out.message = "pg_optimize: error message unavailable (out of memory)";
}

void capture(CaughtError &out, const std::bad_alloc &) noexcept {
  out.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
  out.message = "out of memory";
  out.detail = "pg_optimize could not allocate memory.";
}

void capture(CaughtError &out, const std::exception &e) noexcept {
  out.sqlerrcode = ERRCODE_INTERNAL_ERROR;
  out.message = copy_or_null(e.what());
  if (out.message == nullptr)
    out.message = "pg_optimize: internal error";
  out.hint = "This is a bug in pg_optimize; please report it with the statement that caused it.";
}

void capture_unknown(CaughtError &out) noexcept {
  out.sqlerrcode = ERRCODE_INTERNAL_ERROR;
  out.message = "pg_optimize: unknown internal error";
  out.hint = "This is a bug in pg_optimize; please report it with the statement that caused it.";
}

void raise(const CaughtError &error) {
  ereport(ERROR,
          (errcode(error.sqlerrcode), errmsg_internal("%s", error.message),
           error.detail ? errdetail_internal("%s", error.detail) : 0, error.hint ? errhint("%s", error.hint) : 0));
  pg_unreachable();
}

} // namespace pgo::pg
