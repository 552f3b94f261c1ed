// in_transaction(): a unit of work of a background worker in a transaction of its own, with a snapshot and an SPI
// connection, committed at the end. An ERROR aborts the transaction (the worker's state is cleaned up the way
// PostgreSQL's main loop does it) and comes back as pgo::Error. Must be called outside any transaction.
#pragma once

#include <type_traits>
#include <utility>

#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/toplevel.hpp"

extern "C" {
#include "access/xact.h"
#include "pgstat.h"
#include "utils/snapmgr.h"
}

namespace pgo::pg {

namespace detail {
inline void begin_transaction() {
  guard([] {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
  });
}
inline void commit_transaction() {
  guard([] {
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_stat(false);
  });
}
} // namespace detail

template <typename F> auto in_transaction(F &&f) -> decltype(f(std::declval<Spi &>())) {
  using Result = decltype(f(std::declval<Spi &>()));
  detail::begin_transaction();
  try {
    if constexpr (std::is_void_v<Result>) {
      {
        Spi spi;
        f(spi);
      }
      detail::commit_transaction();
    } else {
      Result result{};
      {
        Spi spi;
        result = f(spi);
      }
      detail::commit_transaction();
      return result;
    }
  } catch (...) {
    recover_from_error();
    throw;
  }
}

} // namespace pgo::pg
