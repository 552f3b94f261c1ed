// Sizes on disk, computed from pg_class rows and the files themselves.
//
// The same total as pg_total_relation_size (table, TOAST table and its index, every index; for a partitioned table
// the sum over its partitions), without building a relcache entry per relation: on a catalog of thousands of tables
// that costs far more than the file system calls. The database's directories are listed once (DatabaseFiles) and each
// relation's files that the listing holds are stat()ed when its size is asked for; a file node the listing did not
// see (created since) is measured fork by fork, stat()ed relative to its opened directory, without looking for forks
// that cannot exist.
//
// Each table is locked in ACCESS SHARE mode while it is measured, as pg_total_relation_size does, and the lock is
// released at once, so measuring thousands of tables never fills the lock table. Once the lock is held the table's
// pg_class row is looked up again: if it is gone the table is skipped, and if its file node changed since the
// ClassCatalog scan (TRUNCATE, VACUUM FULL, CLUSTER committed meanwhile) the current rows are used instead.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/database_files.hpp"
#include "catalog/indexes.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "storage/fd.h"
}

namespace pgo::catalog {

class RelationSizer {
public:
  // wait_for_locks: total_bytes() waits for a table's lock like pg_total_relation_size; without it, a table locked
  // by DDL is measured from the scan's rows without a lock (monitoring must not queue behind the locks it reports).
  // Listing::None: the call sizes a few relations only, each measured fork by fork, without listing the database's
  // directories first (half a million entries at 100,000 tables).
  enum class Listing { Whole, None };
  RelationSizer(const ClassCatalog &classes, const IndexCatalog &indexes, bool wait_for_locks = true,
                Listing listing = Listing::Whole)
      : classes_(classes), indexes_(&indexes), wait_for_locks_(wait_for_locks), listing_(listing) {}
  // For one relation's own files and the database's total only (unlocked_relation_bytes(), database_bytes()): no
  // index lists are needed for those, so none are read. The totals of tables throw std::logic_error.
  explicit RelationSizer(const ClassCatalog &classes) : classes_(classes), indexes_(nullptr), wait_for_locks_(false) {}
  ~RelationSizer();
  RelationSizer(const RelationSizer &) = delete;
  RelationSizer &operator=(const RelationSizer &) = delete;

  // Total bytes of a table with its TOAST data and indexes, partitions at every level included. std::nullopt when
  // the table no longer exists (dropped while we waited for its lock).
  std::optional<std::int64_t> total_bytes(Oid table);

  // The same total from the pg_class scan's rows, without locking: for health views that must never wait behind
  // DDL. A table dropped or rewritten meanwhile reads as smaller (its old files are gone or truncated), never as an
  // error.
  std::int64_t unlocked_total_bytes(Oid table);
  // One relation's own files (all forks), from the scan's row, without locking.
  std::int64_t unlocked_relation_bytes(Oid relid);
  // pg_database_size() of the current database, from the same listing of its directories that sizes the relations,
  // its files measured on up to `threads` threads (DatabaseFiles::measure_all).
  std::int64_t database_bytes(unsigned threads = 1);

  // Measures ahead, on up to `threads` threads (DatabaseFiles::measure), the files of relations a call is about to
  // size one by one: each relation's own files (Ahead::Relations), or a table's with its indexes and TOAST
  // (Ahead::Tables, what total_bytes() sums, partitions aside). The sizes asked for afterwards come from what was
  // measured, as they would from the listing. Nothing happens with one thread or without a listing. Each relation
  // at most once: a file is measured by one thread. Start::InBackground returns at once, the files measured on
  // threads - 1 threads of their own (DatabaseFiles::start_measuring) while the caller reads catalogs; the first size
  // asked for afterwards takes part and waits.
  enum class Ahead { Relations, Tables };
  enum class Start { Now, InBackground };

  // A listing the caller started before it read the catalogs (DatabaseFiles::Start::InBackground), so that reading
  // the directories overlaps the catalog scans; used instead of one made at the first size asked for. Dropped with
  // Listing::None.
  void use_listing(std::unique_ptr<DatabaseFiles> files);
  void measure_ahead(const std::vector<Oid> &relations, Ahead what, unsigned threads, Start start = Start::Now);

private:
  struct Directory {
    DIR *dir = nullptr; // nullptr: the directory could not be opened (it holds nothing we can measure)
  };

  std::optional<std::int64_t> one_table_bytes(Oid table);
  std::int64_t storage_bytes(Oid relid, const ClassRow &row);
  // Where the relation's files are: std::nullopt for a relation without storage.
  std::optional<DatabaseFiles::Placement> placement(Oid relid, const ClassRow &row) const;
  // f(relid, row) for the table and, as the scan's rows have them, its indexes, its TOAST table and that one's
  // indexes: what a table's total sums (partitions aside).
  template <typename F> void for_each_part(Oid table, F &&f) const;
  void list_files();
  Directory &directory(const std::string &path);
  void close_directories();
  const IndexCatalog &indexes() const;

  const ClassCatalog &classes_;
  const IndexCatalog *indexes_; // nullptr: a sizer of single relations
  bool wait_for_locks_;
  Listing listing_ = Listing::Whole;
  std::unordered_map<std::string, Directory> directories_;
  std::unique_ptr<DatabaseFiles> files_; // listed at the first size asked for, or handed over by use_listing()
  bool measure_afresh_ = false;          // the table being measured was waited for: its files are stat()ed again
};

} // namespace pgo::catalog
