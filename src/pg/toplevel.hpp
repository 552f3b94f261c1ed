// Runs one SQL statement the way PostgreSQL runs a statement a client sends: parsed, analysed, planned and executed
// through a portal as a top-level statement in its own transaction. That is what VACUUM needs (it refuses to run
// inside a function or a transaction block) and what background workers use instead of a libpq connection, so jobs
// depend on no pg_hba.conf entry.
//
// Must be called outside any transaction. An ERROR comes back as pgo::Error after the transaction was aborted and
// the backend cleaned up (timeouts disabled, a pending cancel cleared), ready for the next statement.
#pragma once

#include <string>

namespace pgo::pg {

void run_toplevel_statement(const std::string &sql);

// Aborts whatever transaction is open after an ERROR caught by guard(), the way PostgreSQL's main loop recovers.
void recover_from_error() noexcept;

} // namespace pgo::pg
