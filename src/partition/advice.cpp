// optimize.partition_advice: plain tables of at least pg_optimize.partition_advice_min_bytes (with indexes and
// TOAST) with a time-like or steadily growing key, read from the catalogs and pg_stats (so only columns the caller
// may read, and only analyzed ones), with the interval of src/core/partition_plan.hpp and the call of
// optimize.partition_plan() that gives the migration.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "catalog/catalog_scan.hpp"
#include "catalog/class_catalog.hpp"
#include "catalog/indexes.hpp"
#include "catalog/names.hpp"
#include "catalog/relation_size.hpp"
#include "core/error.hpp"
#include "core/partition_plan.hpp"
#include "pg/barrier.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"
#include "settings.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_statistic.h"
}

namespace pgo::partition {
namespace {

struct Column {
  std::string table, column, type, keys_to_change;
  Oid relid = InvalidOid;
  std::int64_t bytes = 0;
  bool time_like = false, not_null = false;
  double correlation = 0, span = 0;
};

// The histogram's first and last values give the span of the key (seconds for time keys, values for integers).
constexpr const char *kCandidates =
    "WITH t AS (SELECT c.oid, n.nspname, c.relname, b.bytes "
    " FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.int8[])) "
    "  b(oid, bytes) "
    " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) b.oid "
    " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
    " WHERE c.relkind OPERATOR(pg_catalog.=) 'r' AND NOT c.relispartition "
    " AND c.relpersistence OPERATOR(pg_catalog.=) 'p' "
    " AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema,optimize}') "
    " AND n.nspname OPERATOR(pg_catalog.!~) '^pg_toast'), "
    "k AS (SELECT t.*, a.attnum, a.attname, a.atttypid, a.attnotnull, s.correlation, "
    " s.histogram_bounds::pg_catalog.text AS hb "
    " FROM t JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) t.oid "
    "  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped "
    "  AND a.atttypid OPERATOR(pg_catalog.=) ANY ('{timestamptz,timestamp,date,int8,int4}'::pg_catalog.regtype[]) "
    " JOIN pg_catalog.pg_stats s ON s.schemaname OPERATOR(pg_catalog.=) t.nspname "
    "  AND s.tablename OPERATOR(pg_catalog.=) t.relname AND s.attname OPERATOR(pg_catalog.=) a.attname "
    "  AND NOT s.inherited "
    " WHERE s.histogram_bounds IS NOT NULL "
    "  AND s.correlation IS NOT NULL) "
    "SELECT k.oid::pg_catalog.text, k.oid::pg_catalog.regclass::pg_catalog.text, k.bytes::pg_catalog.text, "
    " k.attname::pg_catalog.text, pg_catalog.format_type(k.atttypid, NULL), "
    " k.atttypid OPERATOR(pg_catalog.=) ANY ('{timestamptz,timestamp,date}'::pg_catalog.regtype[]), k.attnotnull, "
    " k.correlation::pg_catalog.text, "
    " CASE WHEN k.atttypid OPERATOR(pg_catalog.=) 'pg_catalog.timestamptz'::pg_catalog.regtype THEN "
    "   pg_catalog.date_part('epoch', (SELECT pg_catalog.max(v) OPERATOR(pg_catalog.-) pg_catalog.min(v) "
    "   FROM pg_catalog.unnest(k.hb::pg_catalog.timestamptz[]) v)) "
    "  WHEN k.atttypid OPERATOR(pg_catalog.=) 'pg_catalog.timestamp'::pg_catalog.regtype THEN "
    "   pg_catalog.date_part('epoch', (SELECT pg_catalog.max(v) OPERATOR(pg_catalog.-) pg_catalog.min(v) "
    "   FROM pg_catalog.unnest(k.hb::pg_catalog.timestamp[]) v)) "
    "  WHEN k.atttypid OPERATOR(pg_catalog.=) 'pg_catalog.date'::pg_catalog.regtype THEN "
    "   (SELECT (pg_catalog.max(v) OPERATOR(pg_catalog.-) pg_catalog.min(v)) OPERATOR(pg_catalog.*) 86400 "
    "   FROM pg_catalog.unnest(k.hb::pg_catalog.date[]) v)::pg_catalog.float8 "
    "  ELSE (SELECT pg_catalog.max(v) OPERATOR(pg_catalog.-) pg_catalog.min(v) "
    "   FROM pg_catalog.unnest(k.hb::pg_catalog.int8[]) v)::pg_catalog.float8 END::pg_catalog.text, "
    " (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(ic.relname), ',' ORDER BY ic.relname) "
    "  FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) x.indexrelid "
    "  WHERE x.indrelid OPERATOR(pg_catalog.=) k.oid AND x.indisunique AND NOT (k.attnum OPERATOR(pg_catalog.=) "
    "  ANY ((x.indkey::pg_catalog.int2[])[0:x.indnkeyatts OPERATOR(pg_catalog.-) 1]))) "
    "FROM k ORDER BY k.bytes DESC, k.oid, k.attnum";

std::vector<std::string> split(const std::string &s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (!s.empty() && start <= s.size()) {
    const std::size_t end = s.find(',', start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

// The tables that have statistics of their own (pg_stats rows with inherited = false): no other can be advised.
std::vector<Oid> tables_with_statistics() {
  std::vector<Oid> tables;
  catalog::CatalogScan scan(StatisticRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *st = reinterpret_cast<Form_pg_statistic>(GETSTRUCT(tuple));
    if (!st->stainherit)
      tables.push_back(st->starelid);
  }
  scan.close();
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  return tables;
}

// The plain, permanent tables with statistics of at least pg_optimize.partition_advice_min_bytes, and their sizes
// (what pg_total_relation_size gives), as two array literals for the query: sized from one listing of the database's
// directories, without a lock or a relation cache entry per table and index (pg_total_relation_size of every table
// took 20 s and 1.6 GB at 100,000 tables).
std::pair<std::string, std::string> big_tables() {
  const std::vector<Oid> with_statistics = tables_with_statistics();
  const catalog::ClassCatalog classes = catalog::ClassCatalog::read("rti", catalog::ClassCatalog::Names::Skip);
  const catalog::IndexCatalog indexes = catalog::IndexCatalog::read();
  catalog::RelationSizer sizer(classes, indexes, /*wait_for_locks=*/false);
  const auto min_bytes = static_cast<std::int64_t>(settings::partition_advice_min_kb) * 1024;
  std::string oids, sizes;
  for (Oid table : with_statistics) {
    const catalog::ClassRow *row = classes.find(table);
    if (row == nullptr || row->relkind != RELKIND_RELATION || row->persistence != RELPERSISTENCE_PERMANENT ||
        row->excluded)
      continue;
    const std::int64_t bytes = sizer.unlocked_total_bytes(table);
    if (bytes < min_bytes)
      continue;
    oids += (oids.empty() ? "" : ",") + std::to_string(table);
    sizes += (sizes.empty() ? "" : ",") + std::to_string(bytes);
  }
  return {"{" + oids + "}", "{" + sizes + "}"};
}

std::vector<Column> read_candidates() {
  const auto [oids, sizes] = big_tables();
  pg::Spi spi;
  const pg::SqlResult r = spi.run(kCandidates, {oids, sizes}, true);
  std::vector<Column> out;
  for (const pg::SqlRow &row : r.rows) {
    if (!row[8] || *row[8] == "Infinity" || *row[8] == "-Infinity" || *row[8] == "NaN")
      continue; // an infinite value in the histogram: no span to divide
    Column c;
    c.relid = static_cast<Oid>(std::stoul(*row[0]));
    c.table = row[1].value_or("");
    c.bytes = std::stoll(row[2].value_or("0"));
    c.column = row[3].value_or("");
    c.type = row[4].value_or("");
    c.time_like = row[5] == std::optional<std::string>("t");
    c.not_null = row[6] == std::optional<std::string>("t");
    c.correlation = std::stod(row[7].value_or("0"));
    c.span = std::stod(*row[8]);
    c.keys_to_change = row[9].value_or("");
    out.push_back(std::move(c));
  }
  return out;
}

} // namespace
} // namespace pgo::partition

using namespace pgo;

PGO_FUNCTION(pgo_partition_advice) {
  const std::vector<partition::Column> columns = partition::read_candidates();
  std::map<Oid, std::vector<const partition::Column *>> by_table;
  std::vector<Oid> order; // biggest first, as read
  for (const partition::Column &c : columns) {
    if (by_table.find(c.relid) == by_table.end())
      order.push_back(c.relid);
    by_table[c.relid].push_back(&c);
  }
  pg::ResultSet out(fcinfo);
  for (Oid relid : order) {
    const auto &candidates = by_table[relid];
    std::vector<core::KeyCandidate> keys;
    for (const partition::Column *c : candidates)
      keys.push_back(core::KeyCandidate{c->time_like, c->not_null, c->correlation});
    const auto chosen = core::choose_partition_key(keys);
    if (!chosen)
      continue;
    const partition::Column &c = *candidates[*chosen];
    const auto span = static_cast<std::int64_t>(c.span);
    const core::IntervalAdvice a =
        c.time_like ? core::time_interval_advice(c.bytes, span) : core::integer_step_advice(c.bytes, span);
    const std::string call = fmt::format("SELECT * FROM optimize.partition_plan({}, {}, {})",
                                         catalog::quote_literal(c.table), catalog::quote_literal(c.column),
                                         c.time_like ? catalog::quote_literal(a.interval) : "step => " + a.interval);
    out.begin_row();
    out.add_oid(relid);
    out.add_int64(c.bytes);
    out.add_name(c.column);
    out.add_text(c.type);
    out.add_float8(c.correlation);
    out.add_text(a.interval);
    out.add_int64(a.partitions);
    out.add_int64(a.bytes_per_partition);
    out.add_text_array(partition::split(c.keys_to_change));
    out.add_text(call);
    out.end_row();
  }
  return out.done();
}
