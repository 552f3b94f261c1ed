#include "partition/partitioned_table.hpp"

#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
}

namespace pgo::partition {
namespace {

std::string quoted(const std::string &schema, const std::string &name) {
  return catalog::quote_identifier(schema) + "." + catalog::quote_identifier(name);
}

std::optional<core::PartitionKeyType> key_type_of(Oid type) {
  switch (type) {
  case TIMESTAMPTZOID:
    return core::PartitionKeyType::Timestamptz;
  case TIMESTAMPOID:
    return core::PartitionKeyType::Timestamp;
  case DATEOID:
    return core::PartitionKeyType::Date;
  case INT2OID:
  case INT4OID:
  case INT8OID:
    return core::PartitionKeyType::Integer;
  default:
    return std::nullopt;
  }
}

// SQL turning a bound's text from pg_get_expr() (a quoted literal, a number, MINVALUE or MAXVALUE) into seconds
// since 1970-01-01 UTC for time keys or the value for integer keys; NULL for MINVALUE, MAXVALUE and +-infinity.
// `round` is floor for lower bounds and ceil for upper ones, so a hand-made bound with a fraction of a second is
// widened, never narrowed. The text comes from the same session, so its DateStyle and TimeZone read it back.
std::string bound_value_sql(core::PartitionKeyType key, const std::string &expr, const char *round) {
  const std::string literal = fmt::format("pg_catalog.btrim({}, '''')", expr);
  std::string value;
  switch (key) {
  case core::PartitionKeyType::Integer:
    value = fmt::format("{}::pg_catalog.int8", literal);
    break;
  case core::PartitionKeyType::Date:
    value = fmt::format("CASE WHEN pg_catalog.isfinite({0}::pg_catalog.date) THEN pg_catalog.date_part('epoch', "
                        "{0}::pg_catalog.date::pg_catalog.timestamp)::pg_catalog.int8 END",
                        literal);
    break;
  default: {
    const char *type = key == core::PartitionKeyType::Timestamp ? "timestamp" : "timestamptz";
    value = fmt::format("CASE WHEN pg_catalog.isfinite({0}::pg_catalog.{1}) THEN pg_catalog.{2}(pg_catalog.date_part("
                        "'epoch', {0}::pg_catalog.{1}))::pg_catalog.int8 END",
                        literal, type, round);
  }
  }
  return fmt::format("CASE WHEN {0} OPERATOR(pg_catalog.=) ANY (ARRAY['MINVALUE', 'MAXVALUE']) THEN NULL ELSE {1} END",
                     expr, value);
}

std::optional<std::int64_t> as_int64(const pg::SqlValue &v) {
  return v ? std::optional<std::int64_t>(std::stoll(*v)) : std::nullopt;
}

} // namespace

std::vector<core::ExistingPartition> PartitionedTable::ranges() const {
  std::vector<core::ExistingPartition> out;
  for (const Partition &p : partitions)
    if (!p.is_default)
      out.push_back(p.bounds);
  return out;
}

const Partition *PartitionedTable::default_partition() const {
  for (const Partition &p : partitions)
    if (p.is_default)
      return &p;
  return nullptr;
}

bool exists(Oid relid) {
  return pg::guard([&] { return get_rel_relkind(relid); }) != '\0';
}

bool owns(Oid relid, Oid role) {
  if (!exists(relid))
    return false;
  return pg::guard([&] {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(RelationRelationId, relid, role);
#else
    return pg_class_ownercheck(relid, role);
#endif
  });
}

PartitionedTable read_partitioned_table(pg::Spi &spi, Oid relid) {
  const pg::SqlResult r = spi.run(
      "SELECT c.relkind::text, n.nspname::text, c.relname::text, p.partstrat::text, p.partnatts::text, "
      "a.attname::text, a.atttypid::text, pg_catalog.format_type(a.atttypid, a.atttypmod) "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
      "LEFT JOIN pg_catalog.pg_partitioned_table p ON p.partrelid OPERATOR(pg_catalog.=) c.oid "
      "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid "
      " AND a.attnum OPERATOR(pg_catalog.=) p.partattrs[0] "
      "WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
      {std::to_string(relid)});
  if (r.rows.empty())
    throw Error("42P01", fmt::format("relation with OID {} does not exist", relid));
  const pg::SqlRow &row = r.rows.front();
  PartitionedTable t;
  t.oid = relid;
  t.schema = row[1].value_or("");
  t.name = row[2].value_or("");
  t.qualified = quoted(t.schema, t.name);
  const std::string hint = "Partition maintenance takes a table made with PARTITION BY RANGE (column), the column of "
                           "type timestamptz, timestamp, date, smallint, integer or bigint.";
  if (row[0].value_or("") != std::string(1, RELKIND_PARTITIONED_TABLE))
    throw Error("42809", fmt::format("\"{}\" is not a partitioned table", t.qualified), "", hint);
  const std::string strategy = row[3].value_or("");
  if (strategy != "r")
    throw Error("0A000",
                fmt::format("\"{}\" is partitioned by {}, not by RANGE", t.qualified,
                            strategy == "l"   ? "LIST"
                            : strategy == "h" ? "HASH"
                                              : strategy),
                "", hint);
  if (row[4].value_or("") != "1" || !row[5])
    throw Error("0A000", fmt::format("the partition key of \"{}\" is not one plain column", t.qualified),
                "Keys of several columns or of expressions are not maintained.", hint);
  t.key_column = *row[5];
  const auto key = key_type_of(static_cast<Oid>(std::stoul(row[6].value_or("0"))));
  if (!key)
    throw Error("0A000",
                fmt::format("the partition key \"{}\" of \"{}\" is of type {}", t.key_column, t.qualified,
                            row[7].value_or("?")),
                "", hint);
  t.key_type = *key;

  const pg::SqlResult parts = spi.run(
      fmt::format("SELECT c.oid::text, n.nspname::text, c.relname::text, (c.relkind OPERATOR(pg_catalog.=) 'p')::text, "
                  "(b.expr OPERATOR(pg_catalog.=) 'DEFAULT')::text, ({})::text, ({})::text "
                  "FROM pg_catalog.pg_inherits i "
                  "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhrelid "
                  "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace, "
                  "LATERAL (SELECT pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS expr) b, "
                  "LATERAL (SELECT pg_catalog.regexp_match(b.expr, '^FOR VALUES FROM \\((.*)\\) TO \\((.*)\\)$') "
                  "AS r) m "
                  "WHERE i.inhparent OPERATOR(pg_catalog.=) $1::pg_catalog.oid ORDER BY c.relname",
                  bound_value_sql(t.key_type, "m.r[1]", "floor"), bound_value_sql(t.key_type, "m.r[2]", "ceil")),
      {std::to_string(relid)});
  for (const pg::SqlRow &p : parts.rows) {
    Partition part;
    part.oid = static_cast<Oid>(std::stoul(p[0].value_or("0")));
    part.name = p[2].value_or("");
    part.qualified = quoted(p[1].value_or(""), part.name);
    part.partitioned = p[3].value_or("") == "true";
    part.is_default = p[4].value_or("") == "true";
    part.bounds.name = part.name;
    part.bounds.range.lower = as_int64(p[5]);
    part.bounds.range.upper = as_int64(p[6]);
    if (part.partitioned)
      throw Error("0A000",
                  fmt::format("\"{}\" is sub-partitioned: its partition \"{}\" is partitioned itself", t.qualified,
                              part.qualified),
                  "", "Manage each sub-partitioned level on its own, or partition the table in one level.");
    t.partitions.push_back(std::move(part));
  }
  return t;
}

std::vector<Registration> read_registrations(pg::Spi &spi, Oid parent) {
  const pg::SqlResult r = spi.run(
      "SELECT parent::pg_catalog.oid::text, part_interval::text, part_step::text, premake::text, retention::text, "
      "retention_values::text, retention_mode, owner::pg_catalog.oid::text FROM optimize.partition_config "
      "WHERE $1::pg_catalog.oid OPERATOR(pg_catalog.=) 0 OR parent::pg_catalog.oid OPERATOR(pg_catalog.=) "
      "$1::pg_catalog.oid ORDER BY parent::pg_catalog.oid",
      {std::to_string(parent)});
  std::vector<Registration> out;
  for (const pg::SqlRow &row : r.rows) {
    Registration g;
    g.parent = static_cast<Oid>(std::stoul(row[0].value_or("0")));
    g.interval = row[1];
    g.step = as_int64(row[2]);
    g.premake = std::stoi(row[3].value_or("0"));
    g.retention = row[4];
    g.retention_values = as_int64(row[5]);
    g.retention_mode = row[6].value_or("drop");
    g.owner = static_cast<Oid>(std::stoul(row[7].value_or("0")));
    out.push_back(std::move(g));
  }
  return out;
}

pg::SqlResult write_config(pg::Spi &spi, const std::string &sql, const std::vector<pg::SqlValue> &params) {
  const pg::SqlResult owner = spi.run("SELECT c.relowner::text FROM pg_catalog.pg_class c WHERE c.oid "
                                      "OPERATOR(pg_catalog.=) 'optimize.partition_config'::pg_catalog.regclass",
                                      {}, true);
  const Oid config_owner = static_cast<Oid>(std::stoul(owner.scalar().value_or("0")));
  Oid saved_user = InvalidOid;
  int saved_context = 0;
  GetUserIdAndSecContext(&saved_user, &saved_context);
  SetUserIdAndSecContext(config_owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
  try {
    pg::SqlResult result = spi.run(sql, params);
    SetUserIdAndSecContext(saved_user, saved_context);
    return result;
  } catch (...) {
    SetUserIdAndSecContext(saved_user, saved_context);
    throw;
  }
}

} // namespace pgo::partition
