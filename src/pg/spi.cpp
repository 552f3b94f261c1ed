#include "pg/spi.hpp"

#include <exception>

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
}

namespace pgo::pg {

Spi::Spi() {
  guard([] {
    if (SPI_connect() != SPI_OK_CONNECT)
      elog(ERROR, "pg_optimize: SPI_connect failed");
  });
  connected_ = true;
  guard([&] {
    guc_nest_level_ = NewGUCNestLevel();
    (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                            false);
  });
}

Spi::~Spi() {
  // While an exception unwinds, an ERROR inside SPI may have left a nested SPI level (a function's) on the stack, which
  // SPI_finish would pop instead of ours: the transaction abort the exception is heading for ends the connection (as
  // CatalogScan leaves its scan). Otherwise SPI_finish only reports misuse through its return code; it does not raise.
  // The same for the pinned search_path: the abort (of the transaction or subtransaction) restores it.
  if (std::uncaught_exceptions() != 0)
    return;
  if (guc_nest_level_ != 0)
    AtEOXact_GUC(true, guc_nest_level_);
  if (connected_)
    SPI_finish();
}

SqlResult Spi::run(const std::string &sql, const std::vector<SqlValue> &params, bool read_only) {
  const int nargs = static_cast<int>(params.size());
  // Parameter arrays in the SPI procedure's memory: plain data, freed with it.
  Oid *types = nullptr;
  Datum *values = nullptr;
  char *nulls = nullptr;
  if (nargs > 0) {
    guard([&] {
      types = static_cast<Oid *>(palloc(sizeof(Oid) * nargs));
      values = static_cast<Datum *>(palloc0(sizeof(Datum) * nargs));
      nulls = static_cast<char *>(palloc(nargs));
    });
    for (int i = 0; i < nargs; i++) {
      types[i] = TEXTOID;
      nulls[i] = params[i] ? ' ' : 'n';
      if (params[i]) {
        const char *text = params[i]->c_str();
        values[i] = guard([&] { return CStringGetTextDatum(text); });
      }
    }
  }
  const char *query = sql.c_str();
  const int rc = guard([&] { return SPI_execute_with_args(query, nargs, types, values, nulls, read_only, 0); });
  if (rc < 0)
    throw Error(sqlstate::kInternalError,
                "pg_optimize: SPI could not run a statement (code " + std::to_string(rc) + ")", sql);

  SqlResult result;
  result.processed = SPI_processed;
  if (SPI_tuptable != nullptr) {
    SPITupleTable *table = SPI_tuptable;
    const int ncols = table->tupdesc->natts;
    result.rows.reserve(SPI_processed);
    for (std::uint64_t r = 0; r < SPI_processed; r++) {
      SqlRow row;
      row.reserve(ncols);
      for (int c = 1; c <= ncols; c++) {
        char *text = guard([&] { return SPI_getvalue(table->vals[r], table->tupdesc, c); });
        if (text == nullptr) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(text));
          pfree(text);
        }
      }
      result.rows.push_back(std::move(row));
    }
  }
  return result;
}

} // namespace pgo::pg
