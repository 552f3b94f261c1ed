// Index usage: every index with its size and scans, and whether it is unused, a duplicate of another, redundant
// with a longer one, invalid or bloated, with what to do about it.
//
// Hundreds of thousands of indexes are judged together before any row goes out, so a row keeps only what the
// judgement decides (OIDs, flags, sizes and a finding code); its texts are built when asked for, one row at a time.
// The definitions the judgement compares are kept once each however many indexes share them, and only while judging.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/column_catalog.hpp"
#include "catalog/foreign_keys.hpp"
#include "catalog/index_details.hpp"
#include "catalog/inheritance.hpp"
#include "catalog/relation_size.hpp"
#include "catalog/table_stats.hpp"
#include "core/index_finding.hpp"

namespace pgo::health {

// What the rows' texts are built from: the pg_class catalog the rows were judged with (which must outlive the rows),
// and the names of the few constraints and foreign keys the texts name, copied.
struct IndexUsageNames {
  const catalog::ClassCatalog *classes = nullptr;
  std::unordered_map<Oid, std::string> constraint_names; // by index: constraints other than a primary key
  std::string foreign_key_names;                         // one after the other, from foreign_key_name_ends
  std::vector<std::uint32_t> foreign_key_name_ends;      // by foreign key covered by an index (IndexUsageInput)
  // (index, covered foreign key) for each index kept as the only one left for a foreign key, sorted by index.
  std::vector<std::pair<Oid, std::uint32_t>> kept_foreign_keys;
  std::string name_of(Oid relid) const;
  std::string foreign_key_name(std::uint32_t covered) const;
  std::uint32_t kept_foreign_key(Oid index) const;
};

struct IndexUsage {
  // What a row shows of the index's definition.
  struct Facts {
    Oid index = InvalidOid;
    Oid table = InvalidOid;
    bool unique = false, primary = false, valid = false, partitioned = false;
  } details;
  core::IndexFinding finding = core::IndexFinding::None;
  core::KeptReason kept = core::KeptReason::None;
  // A bit each, a row being one of hundreds of thousands (a bit-field takes no default initializer before C++20: the
  // constructor sets them).
  bool unused : 1;
  bool serves_foreign_key : 1; // the only index serving some foreign key
  // For the judgement and the texts only.
  bool exclusion : 1, replica_identity : 1, immediate : 1, ready : 1, has_bloat : 1;
  char constraint_type = 0; // pg_constraint.contype of a constraint needing it, 0 when none
  std::int64_t bytes = 0;
  struct Activity {
    std::int64_t scans = 0, tuples_read = 0, blocks_read = 0, blocks_hit = 0;
  } activity;
  Oid duplicate_of = InvalidOid;
  Oid redundant_with = InvalidOid;

  std::optional<std::int64_t> bloat_bytes() const {
    return has_bloat ? std::optional<std::int64_t>(bloat) : std::nullopt;
  }
  bool has_finding() const { return finding != core::IndexFinding::None; }
  bool dropped() const { return has_finding() && finding != core::IndexFinding::Reindex; }
  // The texts, built on each call from the names of the rows' call (IndexUsageRows::names).
  // What to do: "" when there is nothing to do.
  std::string recommendation(const IndexUsageNames &names) const;
  // The statement that carries the recommendation out, "" when none.
  std::string sql(const IndexUsageNames &names) const;
  // Why an index that could look droppable must stay, "" when nothing holds it.
  std::string kept_because(const IndexUsageNames &names) const;

  IndexUsage()
      : unused(false), serves_foreign_key(false), exclusion(false), replica_identity(false), immediate(true),
        ready(false), has_bloat(false) {}

  Oid parent_index = InvalidOid; // the partitioned index it is attached to, if any
  std::uint32_t definition = 0;  // its definition, while judging (IndexUsageInput)
  std::int64_t bloat = 0;        // when has_bloat

  bool attached() const { return OidIsValid(parent_index); }
  bool constraint_backed() const { return constraint_type != 0; }
  bool enforces_constraint() const { return details.unique || details.primary || exclusion || replica_identity; }

private:
  core::IndexFindingInput finding_input(const IndexUsageNames &names) const;
};

// The judged rows of one call, with the names their texts are built from.
struct IndexUsageRows {
  std::vector<IndexUsage> rows;
  std::shared_ptr<const IndexUsageNames> names;
  std::vector<IndexUsage>::const_iterator begin() const { return rows.begin(); }
  std::vector<IndexUsage>::const_iterator end() const { return rows.end(); }
};

// The indexes read so far, before the judgement: each as a row, and each distinct definition once. The steps that
// need the foreign keys, the statistics and the file sizes come one at a time, so a caller may free each input
// before reading the next.
class IndexUsageInput {
public:
  // Every definition field index_usage compares (the key and INCLUDE columns with their operator classes,
  // collations and options, expressions, predicate).
  struct Definition {
    Oid access_method = InvalidOid;
    int key_count = 0;
    bool nulls_not_distinct = false;
    std::vector<std::int16_t> columns; // key columns first, then INCLUDE columns; 0 = expression
    std::vector<Oid> opclasses, collations;
    std::vector<std::int16_t> options;
    std::string expressions, predicate;
    bool partial() const { return !predicate.empty(); }
    friend bool operator==(const Definition &a, const Definition &b);
  };

  explicit IndexUsageInput(const catalog::ClassCatalog &classes);
  void reserve(std::size_t rows) { rows_.reserve(rows); }
  void add(const catalog::IndexDetails &d);
  // The tables whose column statistics index_usage needs (tables that have btree indexes).
  std::unordered_set<Oid> indexed_tables() const;
  // Once every index is added: which indexes cover each user foreign key (catalog::scan_user_foreign_keys), taken one
  // at a time as pg_constraint is read (no vector of them held; the keys of tables without an index are not copied).
  // The names the texts need are copied.
  void cover_user_foreign_keys();
  // The indexes whose statistics count_scans() looks up, in OID order (for reading only theirs).
  std::vector<Oid> scanned_indexes(const catalog::Inheritance &inheritance) const;
  // Scans and sizes. A partitioned index has neither of its own: it is what its partitions' indexes are, summed over
  // the leaves of its tree.
  void count_scans(const catalog::Inheritance &inheritance, const catalog::RelationStatistics &stats);
  void measure_sizes(const catalog::Inheritance &inheritance, catalog::RelationSizer &sizer);

private:
  struct DefinitionHash {
    std::size_t operator()(const Definition &d) const;
  };
  void group_by_table();
  // cover_user_foreign_keys() in steps: each key in the order of the catalog's scan, then foreign_keys_covered()
  // once. No index may be added after the first.
  void cover_foreign_key(const catalog::ForeignKey &fk);
  void foreign_keys_covered();
  // Whether some index of `table` was added: the foreign keys of other tables are covered by none.
  bool has_indexes_of(Oid table);
  friend IndexUsageRows judge_index_usage(IndexUsageInput input, const catalog::ColumnCatalog &columns);

  const catalog::ClassCatalog &classes_;
  std::shared_ptr<IndexUsageNames> names_;
  std::vector<IndexUsage> rows_;
  bool grouped_ = false; // rows_ sorted by table, each table's in the order read
  std::unordered_map<Definition, std::uint32_t, DefinitionHash> ids_;
  std::vector<const Definition *> definitions_; // by id, pointing into ids_
  Definition scratch_;                          // the definition being looked up
  // The positions in rows_ of the indexes covering each foreign key that has any, in the keys' order: those of the
  // c-th from covering_first_[c] to covering_first_[c + 1].
  std::vector<std::uint32_t> covering_, covering_first_;
  bool covered_ = false; // covering_first_ ends with its last entry
};

// Every index, judged together once cover_user_foreign_keys(), count_scans() and measure_sizes() have run: a drop is
// advised only where the whole set of drops leaves every foreign key and every lookup an index, and never for an
// index a constraint needs or one attached to a partitioned index (the advice goes to the partitioned one, judged by
// its partitions' scans). Biggest first.
IndexUsageRows judge_index_usage(IndexUsageInput input, const catalog::ColumnCatalog &columns);

} // namespace pgo::health
