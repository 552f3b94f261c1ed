// The pg_class facts pg_optimize needs, for every relation, from one scan of pg_class.
//
// One sequential pass is far cheaper than a syscache lookup per relation on a catalog of tens of thousands of
// relations (each first lookup is an index scan). The rows reflect the catalog snapshot of the scan; code that
// acts on a relation later re-checks it after locking (see relation_size.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pg/postgres.hpp"

#include "core/chunked_array.hpp"
#include "core/key_directory.hpp"

extern "C" {
#include "catalog/pg_class.h"
}

namespace pgo::catalog {

// Per-table settings from pg_class.reloptions; -1 (or unset optional) means "use the server-wide setting".
struct TableOptions {
  bool autovacuum_enabled = true;
  int fillfactor = -1;
  int vacuum_threshold = -1;
  int vacuum_max_threshold = -1;
  int vacuum_insert_threshold = -2; // -1 is a real value here (disables insert-driven vacuum); -2 = unset
  int analyze_threshold = -1;
  int freeze_max_age = -1;
  double vacuum_scale_factor = -1;
  double vacuum_insert_scale_factor = -1;
  double analyze_scale_factor = -1;
};

// The access methods of relations, each numbered in one byte: a relation's row keeps the number (see ClassRow).
// Numbers are given in the order the access methods are first met, for the life of the process; past 255 of them,
// every further one reads back as InvalidOid.
std::uint8_t access_method_number(Oid access_method);
Oid access_method_of_number(std::uint8_t number);

// One pg_class row, in 40 bytes (44 with its OID): catalogs of hundreds of thousands of relations keep one per
// relation.
struct ClassRow {
  static constexpr std::uint32_t kNoName = UINT32_MAX;
  // Where relname is in its catalog's name arena: ClassCatalog::name_of() reads it. kNoName in a catalog read
  // without names (Names::Skip), for a relation of the pg_toast schema (never shown: qualified_name() asks the system
  // caches) and in a row that no ClassCatalog holds (class_row_from() leaves it so).
  std::uint32_t name = kNoName;
  Oid namespace_oid = InvalidOid;
  Oid tablespace = InvalidOid;
  Oid filenode = InvalidOid;
  Oid toast = InvalidOid;
  std::int32_t pages = 0; // relpages, as of the last VACUUM/ANALYZE
  float tuples = -1;      // reltuples (a float4 in pg_class); -1: never vacuumed or analyzed
  std::uint32_t frozen_xid = 0;
  std::uint32_t min_multixact = 0;
  char relkind = 0;
  char persistence = 0;
  std::uint8_t access_method_number = 0; // relam, numbered (0: none)
  // A bit each (a bit-field takes no default initializer before C++20: the constructor sets them).
  bool shared : 1;
  bool populated : 1; // relispopulated (false: a materialized view never refreshed)
  bool excluded : 1;  // in a schema pg_optimize never reports on (see is_excluded_namespace)

  ClassRow() : shared(false), populated(true), excluded(false) {}
  Oid access_method() const { return access_method_of_number(access_method_number); } // relam
};

// True for schemas whose objects pg_optimize never reports: pg_catalog, information_schema, pg_toast*, its own schema
// optimize, and temporary schemas of other sessions (this session's own temporary schema is reported).
bool is_excluded_namespace(Oid namespace_oid);

// The fields of a pg_class tuple's fixed part that ClassRow keeps, but the name.
ClassRow class_row_from(const FormData_pg_class &rel);

// The relkinds a partial catalog keeps for callers that never look at indexes or TOAST: tables (plain and
// partitioned), materialized views and sequences; about a quarter of the rows of a typical catalog.
inline constexpr const char *kTablesAndSequences = "rpmS";
// For callers that look at indexes and their tables only: no TOAST tables or their indexes (in the excluded schema
// pg_toast, they are never reported), sequences or views; about 60% of the rows of a typical catalog. (A partial
// catalog without TOAST tables, 't', leaves out every relation of the pg_toast schema.)
inline constexpr const char *kTablesAndIndexes = "rpmiI";

class ClassCatalog {
public:
  // Chunked: it grows chunk by chunk, never holding an old and a new copy at once, and needs no guess of how many
  // rows a partial catalog will keep; a row is found by index with a shift and a mask (a std::deque's nine-row
  // blocks made sorting and searching several times dearer).
  using Rows = core::ChunkedArray<std::pair<Oid, ClassRow>>;

  // Whether the rows keep their names (about 17 bytes a relation); without, every row's name is "", and
  // qualified_name() looks names up in the system caches.
  enum class Names { Keep, Skip };

  // Every relation, or with `relkinds` only the relations of those kinds (the scan is the same, but the others are
  // neither decoded nor stored; without 't', nothing of the pg_toast schema either).
  static ClassCatalog read(const char *relkinds = nullptr, Names names = Names::Keep);
  // nullptr when the relation was not in pg_class at the time of the scan.
  const ClassRow *find(Oid relid) const;
  // The table's reloptions that matter here (the defaults when it has none): kept beside the rows, since few
  // relations have any.
  const TableOptions &options_of(Oid relid) const;
  // Every row, in OID order.
  const Rows &rows() const { return rows_; }
  // The row's relname, NUL-terminated, valid while the catalog lives; "" when the catalog was read without names and
  // for a relation of the pg_toast schema.
  const char *name_of(const ClassRow &row) const { return names_.at(row.name); }

  // True while this backend has processed no catalog invalidation since the scan began: then no committed catalog
  // change has become visible to us, and every row is still current. (Taking a lock processes pending ones.)
  bool unchanged_since_scan() const;

  // Whether only some relkinds were kept: then find() answers nullptr for the others too.
  bool partial() const { return partial_; }

  bool has_names() const { return has_names_; }

private:
  // The names of the rows, copied one after another into blocks that never move (a row points into them): about
  // 17 bytes a relation instead of a std::string of 32 and often a heap block of its own.
  class NameArena {
  public:
    // Where the copy is: block number in the high bits, position in the low 16 (a name is at most NAMEDATALEN).
    std::uint32_t add(const char *name);
    const char *at(std::uint32_t where) const {
      return where == ClassRow::kNoName ? "" : blocks_[where >> kBlockBits].get() + (where & (kBlockBytes - 1));
    }

  private:
    static constexpr unsigned kBlockBits = 16;
    static constexpr std::size_t kBlockBytes = std::size_t{1} << kBlockBits;
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t used_ = kBlockBytes; // in the last block
  };

  // Sorted by OID: about 54 bytes a relation (the directory included), where a node-based hash map took 130.
  Rows rows_;
  core::KeyDirectory directory_; // over rows_' OIDs: find() looks in one bucket of a few rows
  NameArena names_;
  std::unordered_map<Oid, TableOptions> options_;
  TableOptions no_options_;
  std::uint64_t invalidations_at_scan_ = 0;
  bool partial_ = false;
  bool has_names_ = true;
};

} // namespace pgo::catalog
