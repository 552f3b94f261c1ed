#include "core/partition_plan.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "core/error.hpp"

namespace pgo::core {
namespace {

constexpr std::size_t kMaxName = 63;

// An SQL string literal of text that may hold quotes or backslashes (E'' when it has a backslash, so the literal
// reads the same whatever standard_conforming_strings says).
std::string literal(const std::string &text) {
  std::string out;
  const bool backslash = text.find('\\') != std::string::npos;
  out += backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'' || (c == '\\' && backslash))
      out += c;
    out += c;
  }
  return out + "'";
}

class Builder {
public:
  Builder(const PlanInput &in, const QuoteFunction &quote) : in_(in), quote_(quote) {
    schema_ = quote(in.schema);
    table_ = schema_ + "." + quote(in.name);
    legacy_name_ = partition_name(in.name, "legacy", kMaxName);
    legacy_ = schema_ + "." + quote(legacy_name_);
    parent_name_ = partition_name(in.name, "partitioned", kMaxName);
    parent_ = schema_ + "." + quote(parent_name_);
    check_ = quote(partition_name(in.name, "partition_bound", kMaxName));
    upper_ = legacy_upper_bound(in.step, in.current);
    upper_literal_ = literal(bound_text(in.key_type, upper_));
  }

  std::vector<PlanStep> build() {
    prepare();
    build_parent();
    switch_over();
    finish();
    return std::move(steps_);
  }

private:
  void add(const char *phase, std::string statement, std::string lock, std::string note = {}) {
    steps_.push_back(
        PlanStep{static_cast<int>(steps_.size()) + 1, phase, std::move(statement), std::move(lock), std::move(note)});
  }

  std::string key() const { return quote_(in_.key); }

  void prepare() {
    add("prepare", "SET search_path = pg_catalog, pg_temp", "",
        "the session that runs the plan: its defaults and constraints were written out for this search_path");
    add("prepare",
        fmt::format("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL AND {} OPERATOR(pg_catalog.<) {}::{}) "
                    "NOT VALID",
                    table_, check_, key(), key(), upper_literal_, in_.key_sql_type),
        fmt::format("ACCESS EXCLUSIVE on {} for a moment (no scan)", table_),
        fmt::format("from here until the switch the table refuses rows whose {} is NULL or at or after {}", in_.key,
                    bound_text(in_.key_type, upper_)));
    add("prepare", fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {}", table_, check_),
        fmt::format("SHARE UPDATE EXCLUSIVE on {} (reads and writes go on)", table_),
        "scans the table once; fails, changing nothing else, if a row is outside the bound");
  }

  std::string column_definition(const PlanColumn &c) const {
    std::string out = fmt::format("{} {}{}", c.name, c.type, c.collation);
    if (c.not_null)
      out += " NOT NULL";
    if (c.identity != '\0') {
      out += fmt::format(" GENERATED {} AS IDENTITY (SEQUENCE NAME {}.{} {})",
                         c.identity == 'a' ? "ALWAYS" : "BY DEFAULT", c.identity_sequence_schema,
                         quote_(partition_name(c.identity_sequence_name, "partitioned", kMaxName)), c.identity_options);
    } else if (!c.default_expr.empty()) {
      out += " DEFAULT " + c.default_expr;
    }
    return out;
  }

  void build_parent() {
    const char *unused = "none that matters (new, not in use yet)";
    std::vector<std::string> parts;
    for (const PlanColumn &c : in_.columns)
      parts.push_back(column_definition(c));
    for (const PlanConstraint &c : in_.checks)
      parts.push_back(fmt::format("CONSTRAINT {} {}", c.name, c.definition));
    std::string body;
    for (const std::string &p : parts)
      body += (body.empty() ? "\n  " : ",\n  ") + p;
    add("build", fmt::format("CREATE TABLE {} ({}\n) PARTITION BY RANGE ({})", parent_, body, key()), unused,
        "the partitioned parent, renamed into place at the switch");
    add("build", fmt::format("ALTER TABLE {} OWNER TO {}", parent_, in_.owner), unused);
    for (const PlanGrant &g : in_.grants)
      add("build",
          fmt::format("GRANT {} ON TABLE {} TO {}{}", g.privilege, parent_, g.grantee,
                      g.grantable ? " WITH GRANT OPTION" : ""),
          unused);
    for (const PlanIndex &i : in_.indexes) {
      const std::string temp = quote_(partition_name(i.name, "partitioned", kMaxName));
      if (i.constraint)
        add("build", fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", parent_, temp, i.definition), unused,
            "the table's index of this constraint is attached to it at the switch");
      else
        add("build", retarget_index_definition(i.definition, quote_(i.name), temp, table_, parent_), unused,
            "the table's index is attached to it at the switch");
    }
    for (const PlanConstraint &f : in_.foreign_keys)
      add("build", fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", parent_, f.name, f.definition),
          "SHARE ROW EXCLUSIVE on the referenced table for a moment (the parent is empty)",
          "the table's own foreign key is attached to it at the switch, not validated again");
    std::int64_t lower = upper_;
    for (int n = 0; n < in_.premake; n++) {
      const std::int64_t upper = advance(in_.step, lower, 1);
      const std::string name = schema_ + "." + quote_(partition_name(in_.name, partition_suffix(in_.step, lower)));
      add("build",
          fmt::format("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})", name, parent_,
                      literal(bound_text(in_.key_type, lower)), literal(bound_text(in_.key_type, upper))),
          unused, n == 0 ? "partitions ahead of the rows to come" : "");
      lower = upper;
    }
  }

  void switch_over() {
    add("switch", "BEGIN", "", "the switch: one transaction, every lock below held until COMMIT");
    add("switch", "SET LOCAL lock_timeout = '5s'", "",
        "if the lock is not granted in 5 s nothing has changed: run the switch again");
    add("switch", "SET LOCAL search_path = pg_catalog, pg_temp", "", "as in the first step, should the switch run apart");
    add("switch", fmt::format("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", table_),
        fmt::format("ACCESS EXCLUSIVE on {} until COMMIT", table_),
        "statements on the table wait from here to COMMIT; nothing below scans it");
    for (const PlanReferencingKey &r : in_.referencing)
      add("switch", fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", r.table, r.name),
          fmt::format("ACCESS EXCLUSIVE on {} until COMMIT", r.table), "added again, to the parent, below");
    for (const PlanColumn &c : in_.columns)
      if (c.identity != '\0') {
        const std::string old_seq = c.identity_sequence_schema + "." + quote_(c.identity_sequence_name);
        const std::string new_seq = c.identity_sequence_schema + "." +
                                    quote_(partition_name(c.identity_sequence_name, "partitioned", kMaxName));
        add("switch",
            fmt::format("SELECT pg_catalog.setval({}::pg_catalog.regclass, s.last_value, s.is_called) FROM {} AS s",
                        literal(new_seq), old_seq),
            "", fmt::format("the parent's identity continues from {}", old_seq));
        add("switch", fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP IDENTITY", table_, c.name), "(held)",
            fmt::format("drops {}; a partition takes its identity from the parent", old_seq));
      }
    for (const PlanIndex &i : in_.indexes)
      add("switch",
          fmt::format("ALTER INDEX {}.{} RENAME TO {}", schema_, quote_(i.name),
                      quote_(partition_name(i.name, "legacy", kMaxName))),
          "(held)");
    add("switch", fmt::format("ALTER TABLE {} RENAME TO {}", table_, quote_(legacy_name_)), "(held)");
    add("switch", fmt::format("ALTER TABLE {} RENAME TO {}", parent_, quote_(in_.name)),
        fmt::format("ACCESS EXCLUSIVE on {} until COMMIT (not in use yet)", parent_),
        "the application's statements now reach the partitioned table");
    for (const PlanIndex &i : in_.indexes)
      add("switch",
          fmt::format("ALTER INDEX {}.{} RENAME TO {}", schema_,
                      quote_(partition_name(i.name, "partitioned", kMaxName)), quote_(i.name)),
          "(held)");
    for (const PlanColumn &c : in_.columns) {
      if (c.identity != '\0')
        add("switch",
            fmt::format("ALTER SEQUENCE {}.{} RENAME TO {}", c.identity_sequence_schema,
                        quote_(partition_name(c.identity_sequence_name, "partitioned", kMaxName)),
                        quote_(c.identity_sequence_name)),
            "(held)");
      else if (!c.owned_sequence.empty())
        add("switch", fmt::format("ALTER SEQUENCE {} OWNED BY {}.{}", c.owned_sequence, table_, c.name), "",
            "the sequence goes with the partitioned table (its default already uses it)");
    }
    add("switch",
        fmt::format("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES FROM (MINVALUE) TO ({})", table_, legacy_,
                    upper_literal_),
        "(held)", "no scan: the validated CHECK proves the bound; matching indexes and foreign keys are attached");
    add("switch", fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", legacy_, check_), "(held)",
        "the partition bound says the same now");
    for (const PlanReferencingKey &r : in_.referencing)
      add("switch",
          fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}{}", r.table, r.name, r.definition,
                      r.table_partitioned ? "" : " NOT VALID"),
          "(held)",
          r.table_partitioned ? "the referencing table is partitioned: PostgreSQL checks its rows here, under the lock"
                              : "checked after COMMIT; new rows are checked from here on");
    add("switch", "COMMIT", "", "locks released");
  }

  void finish() {
    for (const PlanReferencingKey &r : in_.referencing)
      if (!r.table_partitioned)
        add("finish", fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {}", r.table, r.name),
            fmt::format("SHARE UPDATE EXCLUSIVE on {}, ROW SHARE on {} (reads and writes go on)", r.table, table_));
    add("finish", fmt::format("ANALYZE {}", table_), fmt::format("SHARE UPDATE EXCLUSIVE on {}", table_),
        "statistics of the partitioned table as a whole");
    add("maintain",
        in_.key_type == PartitionKeyType::Integer
            ? fmt::format("SELECT * FROM optimize.manage_partitions({}::pg_catalog.regclass, NULL, premake => {}, {})",
                          literal(table_), in_.premake, in_.step_sql)
            : fmt::format("SELECT * FROM optimize.manage_partitions({}::pg_catalog.regclass, {}, premake => {})",
                          literal(table_), in_.step_sql, in_.premake),
        "none that matters", "optional: an hourly job keeps partitions made ahead (docs/partitioning.md)");
  }

  const PlanInput &in_;
  const QuoteFunction &quote_;
  std::string schema_, table_, legacy_name_, legacy_, parent_name_, parent_, check_, upper_literal_;
  std::int64_t upper_ = 0;
  std::vector<PlanStep> steps_;
};

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return b <= 0 ? 0 : (a + b - 1) / b; }

} // namespace

std::int64_t legacy_upper_bound(const PartitionStep &step, std::int64_t current) {
  const std::int64_t start = align_down(step, current);
  const std::int64_t end = advance(step, start, 1);
  return (end - current) * 4 < end - start ? advance(step, start, 2) : end;
}

std::string retarget_index_definition(const std::string &definition, const std::string &index,
                                      const std::string &new_index, const std::string &table,
                                      const std::string &parent) {
  for (const char *create : {"CREATE INDEX ", "CREATE UNIQUE INDEX "}) {
    const std::string head = fmt::format("{}{} ON {} ", create, index, table);
    if (definition.compare(0, head.size(), head) == 0)
      return fmt::format("{}{} ON {} {}", create, new_index, parent, definition.substr(head.size()));
  }
  throw Error("XX000", fmt::format("unexpected index definition: {}", definition));
}

std::vector<PlanStep> migration_plan(const PlanInput &in, const QuoteFunction &quote) {
  return Builder(in, quote).build();
}

IntervalAdvice time_interval_advice(std::int64_t table_bytes, std::int64_t span_seconds,
                                    std::int64_t max_partition_bytes) {
  struct Candidate {
    const char *name;
    std::int64_t seconds;
  };
  // A month counted as 1/12 of 365.2425 days.
  static const Candidate candidates[] = {{"1 month", 2629746}, {"1 week", 604800}, {"1 day", 86400}};
  IntervalAdvice out;
  for (const Candidate &c : candidates) {
    out.interval = c.name;
    out.partitions = std::max<std::int64_t>(1, ceil_div(std::max<std::int64_t>(span_seconds, 1), c.seconds));
    out.bytes_per_partition = table_bytes / out.partitions;
    if (out.bytes_per_partition <= max_partition_bytes)
      break;
  }
  return out;
}

IntervalAdvice integer_step_advice(std::int64_t table_bytes, std::int64_t span_values,
                                   std::int64_t max_partition_bytes) {
  const std::int64_t span = std::max<std::int64_t>(span_values, 1);
  const std::int64_t wanted =
      std::max<std::int64_t>(1, ceil_div(table_bytes, std::max<std::int64_t>(max_partition_bytes, 1)));
  const std::int64_t raw = std::max<std::int64_t>(1, span / wanted);
  std::int64_t step = 1;
  for (std::int64_t power = 1; power <= raw && power <= INT64_MAX / 10; power *= 10)
    for (std::int64_t m : {1, 2, 5})
      if (power <= INT64_MAX / m && power * m <= raw)
        step = power * m;
  IntervalAdvice out;
  out.interval = std::to_string(step);
  out.partitions = std::max<std::int64_t>(1, ceil_div(span, step));
  out.bytes_per_partition = table_bytes / out.partitions;
  return out;
}

std::optional<std::size_t> choose_partition_key(const std::vector<KeyCandidate> &candidates) {
  std::optional<std::size_t> best;
  auto rank = [](const KeyCandidate &c) { return std::make_tuple(c.time_like, c.not_null, c.correlation); };
  for (std::size_t i = 0; i < candidates.size(); i++) {
    const KeyCandidate &c = candidates[i];
    if (c.correlation < (c.time_like ? 0.5 : 0.95))
      continue;
    if (!best || rank(c) > rank(candidates[*best]))
      best = i;
  }
  return best;
}

} // namespace pgo::core
