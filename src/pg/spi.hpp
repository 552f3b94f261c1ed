// Spi: SQL on pg_optimize's own tables from C++ (the job store, the scheduler's bookkeeping), through PostgreSQL's
// Server Programming Interface. Health data never goes through here: it is read from the catalogs directly.
//
// Parameters and results travel as text: every parameter is passed as `text` (cast it in the statement: $1::bigint),
// every column comes back as its output text or std::nullopt for NULL. That keeps the C++ side free of Datums; the
// statements here run a few times per job, so the conversions cost nothing that matters.
//
// Every statement runs with search_path pinned to `pg_catalog, pg_temp` for the Spi's lifetime (as a function's SET
// clause does), whatever the caller's or the database's path: a database owner's objects in public, or in a schema put
// first by ALTER DATABASE/ROLE ... SET search_path, are never resolved by them, whoever calls (superusers and
// pg_monitor members included). Statements name pg_optimize's own objects with their schema.
//
// Needs a transaction. An ERROR inside a statement comes back as pgo::Error (through guard()), after which the
// transaction must be aborted, as with any error under a guard.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgo::pg {

using SqlValue = std::optional<std::string>;
using SqlRow = std::vector<SqlValue>;

struct SqlResult {
  std::vector<SqlRow> rows;
  std::uint64_t processed = 0; // rows returned or affected

  // The single value of a one-row, one-column result (std::nullopt when there is no row or it is NULL).
  SqlValue scalar() const { return rows.empty() || rows.front().empty() ? std::nullopt : rows.front().front(); }
};

class Spi {
public:
  Spi();
  ~Spi();
  Spi(const Spi &) = delete;
  Spi &operator=(const Spi &) = delete;

  SqlResult run(const std::string &sql, const std::vector<SqlValue> &params = {}, bool read_only = false);

private:
  bool connected_ = false;
  int guc_nest_level_ = 0; // of the pinned search_path; 0: not pinned
};

} // namespace pgo::pg
