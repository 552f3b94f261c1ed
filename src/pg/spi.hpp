// Spi: SQL on pg_optimize's own tables from C++ (the job store, the scheduler's bookkeeping), through PostgreSQL's
// Server Programming Interface. Health data never goes through here: it is read from the catalogs directly.
//
// Parameters and results travel as text: every parameter is passed as `text` (cast it in the statement: $1::bigint),
// every column comes back as its output text or std::nullopt for NULL. That keeps the C++ side free of Datums; the
// statements here run a few times per job, so the conversions cost nothing that matters.
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
};

} // namespace pgo::pg
