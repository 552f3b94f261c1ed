// optimize.partition_plan(table, key, interval, step): the catalog facts of a plain table, the reasons it cannot be
// partitioned safely (rows of phase 'blocked'), or the migration plan of src/core/partition_plan.hpp.
//
// Bad arguments (NULLs, a missing relation or column, a key type or interval that cannot partition) are ERRORs with
// a SQLSTATE; a table whose structure PostgreSQL cannot move safely gives the reasons as rows. Nothing is written:
// the function only reads the catalogs (and, for an integer key, the key's largest value).
#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/error.hpp"
#include "core/partition_plan.hpp"
#include "partition/maintenance.hpp"
#include "pg/barrier.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"
#include "pg/server_time.hpp"
#include "pg/spi.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/builtins.h"
}

namespace pgo::partition {
namespace {

std::string text_of(const pg::SqlValue &v) { return v.value_or(""); }
bool flag(const pg::SqlValue &v) { return v && *v == "t"; }

struct TableFacts {
  std::string relkind, persistence, schema, name, owner;
  bool is_partition = false, row_security = false;
};

TableFacts read_table(pg::Spi &spi, Oid relid) {
  const pg::SqlResult r = spi.run(
      "SELECT c.relkind::text, c.relpersistence::text, n.nspname::text, c.relname::text, "
      "pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)), c.relispartition, c.relrowsecurity "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
      "WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
      {std::to_string(relid)}, true);
  if (r.rows.empty())
    throw Error("42P01", fmt::format("relation with OID {} does not exist", relid));
  const pg::SqlRow &row = r.rows.front();
  TableFacts t{text_of(row[0]), text_of(row[1]), text_of(row[2]), text_of(row[3]),
               text_of(row[4]), flag(row[5]),    flag(row[6])};
  if (t.relkind != "r" && t.relkind != "p")
    throw Error(
        "42809",
        fmt::format("{} is not a table", catalog::quote_identifier(t.schema) + "." + catalog::quote_identifier(t.name)),
        "", "partition_plan() turns a plain table into a partitioned one.");
  return t;
}

struct KeyFacts {
  int attnum = 0;
  core::PartitionKeyType type = core::PartitionKeyType::Timestamptz;
  std::string sql_type;
  bool generated = false;
};

KeyFacts read_key(pg::Spi &spi, Oid relid, const std::string &qualified, const std::string &key) {
  const pg::SqlResult r =
      spi.run("SELECT a.attnum::text, a.atttypid::text, a.attgenerated::text "
              "FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid "
              "AND a.attname OPERATOR(pg_catalog.=) $2::pg_catalog.name AND a.attnum OPERATOR(pg_catalog.>) 0 "
              "AND NOT a.attisdropped",
              {std::to_string(relid), key}, true);
  if (r.rows.empty())
    throw Error("42703", fmt::format("column \"{}\" of {} does not exist", key, qualified), "",
                "Name the column to partition by, for example created_at.");
  KeyFacts k;
  k.attnum = std::stoi(text_of(r.rows[0][0]));
  k.generated = !text_of(r.rows[0][2]).empty();
  switch (static_cast<Oid>(std::stoul(text_of(r.rows[0][1])))) {
  case TIMESTAMPTZOID:
    k.type = core::PartitionKeyType::Timestamptz, k.sql_type = "pg_catalog.timestamptz";
    break;
  case TIMESTAMPOID:
    k.type = core::PartitionKeyType::Timestamp, k.sql_type = "pg_catalog.timestamp";
    break;
  case DATEOID:
    k.type = core::PartitionKeyType::Date, k.sql_type = "pg_catalog.date";
    break;
  case INT2OID:
    k.type = core::PartitionKeyType::Integer, k.sql_type = "pg_catalog.int2";
    break;
  case INT4OID:
    k.type = core::PartitionKeyType::Integer, k.sql_type = "pg_catalog.int4";
    break;
  case INT8OID:
    k.type = core::PartitionKeyType::Integer, k.sql_type = "pg_catalog.int8";
    break;
  default:
    throw Error("42804", fmt::format("column \"{}\" of {} cannot be a RANGE partition key here", key, qualified), "",
                "The key must be a timestamptz, timestamp, date, smallint, integer or bigint column.");
  }
  return k;
}

// One reason per row: what PostgreSQL cannot move safely.
std::vector<std::string> blockers(pg::Spi &spi, Oid relid, const TableFacts &t, const KeyFacts &k,
                                  const std::string &key) {
  std::vector<std::string> out;
  if (t.relkind == "p")
    out.push_back("the table is partitioned already");
  if (t.is_partition)
    out.push_back("the table is a partition of another table");
  if (t.persistence != "p")
    out.push_back("the table is unlogged or temporary: the plan moves permanent tables only");
  if (t.row_security)
    out.push_back("row-level security is enabled: its policies are not moved by the plan");
  if (k.generated)
    out.push_back(fmt::format("the key \"{}\" is a generated column", key));
  const std::string id = std::to_string(relid), attnum = std::to_string(k.attnum);
  const pg::SqlResult r = spi.run(
      // inheritance either way
      "SELECT pg_catalog.format('the table inherits from %s', i.inhparent::pg_catalog.regclass) "
      "FROM pg_catalog.pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid "
      "UNION ALL SELECT pg_catalog.format('%s inherits from the table', i.inhrelid::pg_catalog.regclass) "
      "FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.inhparent "
      "WHERE i.inhparent OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND c.relkind OPERATOR(pg_catalog.=) 'r' "
      // unique indexes without the key among their key columns, partial or on expressions
      "UNION ALL SELECT pg_catalog.format('%s %s does not include the partition key \"%s\": a unique key of a "
      "partitioned table must, and PostgreSQL cannot check uniqueness across partitions otherwise', "
      "CASE WHEN x.indisprimary THEN 'the primary key' WHEN con.oid IS NOT NULL THEN 'the unique constraint' "
      "ELSE 'the unique index' END, pg_catalog.quote_ident(ic.relname), $3::pg_catalog.text) "
      "FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) x.indexrelid "
      "LEFT JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) x.indexrelid "
      " AND con.conrelid OPERATOR(pg_catalog.=) x.indrelid AND con.contype OPERATOR(pg_catalog.=) ANY ('{p,u}') "
      "WHERE x.indrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND x.indisunique AND NOT "
      "($2::pg_catalog.int2 OPERATOR(pg_catalog.=) ANY ((x.indkey::pg_catalog.int2[])[0:x.indnkeyatts "
      "OPERATOR(pg_catalog.-) 1])) "
      "UNION ALL SELECT pg_catalog.format('the unique index %s is partial or on expressions: a partitioned table "
      "cannot have one', pg_catalog.quote_ident(ic.relname)) "
      "FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) x.indexrelid "
      "WHERE x.indrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND x.indisunique "
      "AND (x.indexprs IS NOT NULL OR x.indpred IS NOT NULL) "
      // exclusion constraints, foreign keys to itself
      "UNION ALL SELECT pg_catalog.format('the exclusion constraint %s is not moved by the plan', "
      "pg_catalog.quote_ident(con.conname)) FROM pg_catalog.pg_constraint con "
      "WHERE con.conrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND con.contype OPERATOR(pg_catalog.=) 'x' "
      "UNION ALL SELECT pg_catalog.format('the foreign key %s references the table itself', "
      "pg_catalog.quote_ident(con.conname)) FROM pg_catalog.pg_constraint con "
      "WHERE con.conrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND con.contype OPERATOR(pg_catalog.=) 'f' "
      "AND con.confrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid "
      // triggers, rules, views
      "UNION ALL SELECT pg_catalog.format('the trigger %s would stay on the old table only', "
      "pg_catalog.quote_ident(tg.tgname)) FROM pg_catalog.pg_trigger tg "
      "WHERE tg.tgrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND NOT tg.tgisinternal "
      "UNION ALL SELECT DISTINCT pg_catalog.format('%s %s reads the table by its OID and would keep reading the old "
      "table only: drop it before and create it again after', CASE WHEN v.relkind OPERATOR(pg_catalog.=) 'm' THEN "
      "'the materialized view' WHEN v.relkind OPERATOR(pg_catalog.=) 'v' THEN 'the view' ELSE 'the rule of' END, "
      "v.oid::pg_catalog.regclass) FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite rw ON rw.oid "
      "OPERATOR(pg_catalog.=) d.objid JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) rw.ev_class "
      "WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass "
      "AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
      "AND d.refobjid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND rw.ev_class OPERATOR(pg_catalog.<>) "
      "$1::pg_catalog.oid "
      // columns the plan cannot copy
      "UNION ALL SELECT pg_catalog.format('the column %s is generated', pg_catalog.quote_ident(a.attname)) "
      "FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid "
      "AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND a.attgenerated OPERATOR(pg_catalog.<>) '' "
      "AND a.attnum OPERATOR(pg_catalog.<>) $2::pg_catalog.int2 "
      "UNION ALL SELECT pg_catalog.format('the column %s has column privileges, which the plan does not move', "
      "pg_catalog.quote_ident(a.attname)) FROM pg_catalog.pg_attribute a "
      "WHERE a.attrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND a.attnum OPERATOR(pg_catalog.>) 0 "
      "AND NOT a.attisdropped AND a.attacl IS NOT NULL",
      {id, attnum, key}, true);
  for (const pg::SqlRow &row : r.rows)
    out.push_back(text_of(row[0]));
  // The names the plan gives its new objects must be free.
  for (const char *suffix : {"partitioned", "legacy"}) {
    const std::string name = core::partition_name(t.name, suffix);
    const pg::SqlResult taken =
        spi.run("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) "
                "c.relnamespace WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name "
                "AND c.relname OPERATOR(pg_catalog.=) $2::pg_catalog.name",
                {t.schema, name}, true);
    if (!taken.rows.empty())
      out.push_back(fmt::format("a relation named {} exists in the schema: the plan needs the name",
                                catalog::quote_identifier(name)));
  }
  return out;
}

std::vector<core::PlanColumn> read_columns(pg::Spi &spi, Oid relid) {
  const pg::SqlResult r = spi.run(
      "SELECT pg_catalog.quote_ident(a.attname), pg_catalog.format_type(a.atttypid, a.atttypmod), "
      "CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) t.typcollation AND a.attcollation OPERATOR(pg_catalog.<>) 0 "
      " THEN ' COLLATE ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(cn.nspname) OPERATOR(pg_catalog.||) '.' "
      " OPERATOR(pg_catalog.||) pg_catalog.quote_ident(co.collname) ELSE '' END, "
      "a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity::text, "
      "pg_catalog.quote_ident(sn.nspname), s.relname::text, "
      "pg_catalog.format('INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s', sq.seqincrement, "
      " sq.seqmin, sq.seqmax, sq.seqstart, sq.seqcache, CASE WHEN sq.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END), "
      "CASE WHEN s.deptype OPERATOR(pg_catalog.=) 'a' THEN pg_catalog.quote_ident(sn.nspname) "
      " OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.relname) END "
      "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid "
      "LEFT JOIN pg_catalog.pg_collation co ON co.oid OPERATOR(pg_catalog.=) a.attcollation "
      "LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace "
      "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid "
      " AND ad.adnum OPERATOR(pg_catalog.=) a.attnum "
      "LEFT JOIN LATERAL (SELECT sc.oid, sc.relname, sc.relnamespace, dep.deptype FROM pg_catalog.pg_depend dep "
      " JOIN pg_catalog.pg_class sc ON sc.oid OPERATOR(pg_catalog.=) dep.objid "
      " AND sc.relkind OPERATOR(pg_catalog.=) 'S' WHERE dep.refclassid OPERATOR(pg_catalog.=) "
      " 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.refobjid OPERATOR(pg_catalog.=) a.attrelid "
      " AND dep.refobjsubid OPERATOR(pg_catalog.=) a.attnum AND dep.classid OPERATOR(pg_catalog.=) "
      " 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}') LIMIT 1) s "
      " ON true "
      "LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid OPERATOR(pg_catalog.=) s.relnamespace "
      "LEFT JOIN pg_catalog.pg_sequence sq ON sq.seqrelid OPERATOR(pg_catalog.=) s.oid "
      "WHERE a.attrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND a.attnum OPERATOR(pg_catalog.>) 0 "
      "AND NOT a.attisdropped ORDER BY a.attnum",
      {std::to_string(relid)}, true);
  std::vector<core::PlanColumn> out;
  for (const pg::SqlRow &row : r.rows) {
    core::PlanColumn c;
    c.name = text_of(row[0]);
    c.type = text_of(row[1]);
    c.collation = text_of(row[2]);
    c.not_null = flag(row[3]);
    c.default_expr = text_of(row[4]);
    const std::string identity = text_of(row[5]);
    c.identity = identity.empty() ? '\0' : identity[0];
    if (c.identity != '\0') {
      c.identity_sequence_schema = text_of(row[6]);
      c.identity_sequence_name = text_of(row[7]);
      c.identity_options = text_of(row[8]);
    }
    c.owned_sequence = text_of(row[9]);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<core::PlanIndex> read_indexes(pg::Spi &spi, Oid relid) {
  const pg::SqlResult r = spi.run(
      "SELECT ic.relname::text, con.oid IS NOT NULL, CASE WHEN con.oid IS NOT NULL THEN "
      "pg_catalog.pg_get_constraintdef(con.oid) ELSE pg_catalog.pg_get_indexdef(x.indexrelid) END "
      "FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) x.indexrelid "
      "LEFT JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) x.indexrelid "
      " AND con.conrelid OPERATOR(pg_catalog.=) x.indrelid AND con.contype OPERATOR(pg_catalog.=) ANY ('{p,u}') "
      "WHERE x.indrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND x.indisvalid ORDER BY ic.relname",
      {std::to_string(relid)}, true);
  std::vector<core::PlanIndex> out;
  for (const pg::SqlRow &row : r.rows)
    out.push_back(core::PlanIndex{text_of(row[0]), text_of(row[2]), flag(row[1])});
  return out;
}

std::vector<core::PlanConstraint> read_constraints(pg::Spi &spi, Oid relid, const char *type, const std::string &skip) {
  const pg::SqlResult r =
      spi.run("SELECT pg_catalog.quote_ident(con.conname), pg_catalog.pg_get_constraintdef(con.oid) "
              "FROM pg_catalog.pg_constraint con WHERE con.conrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid "
              "AND con.contype OPERATOR(pg_catalog.=) $2::pg_catalog.\"char\" AND con.conname OPERATOR(pg_catalog.<>) "
              "$3::pg_catalog.name ORDER BY con.conname",
              {std::to_string(relid), type, skip}, true);
  std::vector<core::PlanConstraint> out;
  for (const pg::SqlRow &row : r.rows)
    out.push_back(core::PlanConstraint{text_of(row[0]), text_of(row[1])});
  return out;
}

std::vector<core::PlanReferencingKey> read_referencing(pg::Spi &spi, Oid relid) {
  const pg::SqlResult r = spi.run(
      "SELECT con.conrelid::pg_catalog.regclass::pg_catalog.text, pg_catalog.quote_ident(con.conname), "
      "pg_catalog.pg_get_constraintdef(con.oid), c.relkind OPERATOR(pg_catalog.=) 'p' "
      "FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) con.conrelid "
      "WHERE con.confrelid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND con.contype OPERATOR(pg_catalog.=) 'f' "
      "AND con.conrelid OPERATOR(pg_catalog.<>) $1::pg_catalog.oid AND con.conparentid OPERATOR(pg_catalog.=) 0 "
      "ORDER BY 1, 2",
      {std::to_string(relid)}, true);
  std::vector<core::PlanReferencingKey> out;
  for (const pg::SqlRow &row : r.rows)
    out.push_back(core::PlanReferencingKey{text_of(row[0]), text_of(row[1]), text_of(row[2]), flag(row[3])});
  return out;
}

std::vector<core::PlanGrant> read_grants(pg::Spi &spi, Oid relid) {
  const pg::SqlResult r =
      spi.run("SELECT g.privilege_type, CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE "
              "pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END, g.is_grantable "
              "FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) g "
              "WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND g.grantee OPERATOR(pg_catalog.<>) c.relowner "
              "ORDER BY 2, 1",
              {std::to_string(relid)}, true);
  std::vector<core::PlanGrant> out;
  for (const pg::SqlRow &row : r.rows)
    out.push_back(core::PlanGrant{text_of(row[0]), text_of(row[1]), flag(row[2])});
  return out;
}

struct Answer {
  std::vector<std::string> blocked;
  std::vector<core::PlanStep> steps;
};

Answer partition_plan(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0))
    throw Error("22004", "table must not be NULL", "", "Name the table to partition, for example 'events'.");
  if (PG_ARGISNULL(1))
    throw Error("22004", "key must not be NULL", "", "Name the column to partition by, for example 'created_at'.");
  const Oid relid = PG_GETARG_OID(0);
  const std::string key(NameStr(*PG_GETARG_NAME(1)));
  pg::Spi spi;
  const TableFacts t = read_table(spi, relid);
  const std::string qualified = catalog::quote_identifier(t.schema) + "." + catalog::quote_identifier(t.name);
  const KeyFacts k = read_key(spi, relid, qualified, key);

  // The interval (or step) must suit the key: the same rules as optimize.manage_partitions().
  PartitionedTable as_parent;
  as_parent.oid = relid;
  as_parent.schema = t.schema;
  as_parent.name = t.name;
  as_parent.qualified = qualified;
  as_parent.key_column = key;
  as_parent.key_type = k.type;
  Registration g;
  g.interval = pg::interval_argument(fcinfo, 2);
  if (!PG_ARGISNULL(3))
    g.step = PG_GETARG_INT64(3);
  core::PlanInput in;
  in.step = registration_step(spi, as_parent, g);

  Answer answer;
  answer.blocked = blockers(spi, relid, t, k, key);
  if (!answer.blocked.empty())
    return answer;

  in.schema = t.schema;
  in.name = t.name;
  in.owner = t.owner;
  in.key = key;
  in.key_type = k.type;
  in.key_sql_type = k.sql_type;
  in.step_sql = g.interval ? catalog::quote_literal(*g.interval) : fmt::format("step => {}", *g.step);
  if (k.type == core::PartitionKeyType::Integer)
    in.current = std::stoll(spi.run(fmt::format("SELECT COALESCE(pg_catalog.max({})::pg_catalog.int8, 0) "
                                                "FROM {}",
                                                catalog::quote_identifier(key), qualified),
                                    {}, true)
                                .scalar()
                                .value_or("0"));
  else
    in.current = static_cast<std::int64_t>(pg::now_epoch());
  in.columns = read_columns(spi, relid);
  in.indexes = read_indexes(spi, relid);
  const std::string check = core::partition_name(t.name, "partition_bound");
  in.checks = read_constraints(spi, relid, "c", check);
  in.foreign_keys = read_constraints(spi, relid, "f", check);
  in.referencing = read_referencing(spi, relid);
  in.grants = read_grants(spi, relid);
  answer.steps = core::migration_plan(in, [](const std::string &s) { return catalog::quote_identifier(s); });
  return answer;
}

} // namespace
} // namespace pgo::partition

using namespace pgo;

// optimize.partition_plan(table, key, interval DEFAULT NULL, step DEFAULT NULL)
PGO_FUNCTION(pgo_partition_plan) {
  const partition::Answer answer = partition::partition_plan(fcinfo);
  pg::ResultSet out(fcinfo);
  int n = 0;
  for (const std::string &reason : answer.blocked) {
    out.begin_row();
    out.add_int32(++n);
    out.add_text("blocked");
    out.add_null();
    out.add_null();
    out.add_text("cannot partition safely: " + reason);
    out.end_row();
  }
  for (const core::PlanStep &s : answer.steps) {
    out.begin_row();
    out.add_int32(s.step);
    out.add_text(s.phase);
    out.add_text(s.statement);
    if (s.lock.empty())
      out.add_null();
    else
      out.add_text(s.lock);
    if (s.note.empty())
      out.add_null();
    else
      out.add_text(s.note);
    out.end_row();
  }
  return out.done();
}
