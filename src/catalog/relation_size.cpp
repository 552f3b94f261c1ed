#include "catalog/relation_size.hpp"

#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_tablespace.h"
#include "nodes/pg_list.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgo::catalog {
namespace {

bool is_index(char relkind) { return relkind == RELKIND_INDEX || relkind == RELKIND_PARTITIONED_INDEX; }

// The relation's pg_class row as it is now (after the caller's lock made invalidations visible).
std::optional<ClassRow> current_row(Oid relid) {
  struct Raw {
    bool found;
    FormData_pg_class fields;
  };
  const Raw raw = pg::guard([&]() -> Raw {
    Raw r{};
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tuple))
      return r;
    r.found = true;
    r.fields = *reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple)); // the fixed-size part only
    ReleaseSysCache(tuple);
    return r;
  });
  if (!raw.found)
    return std::nullopt;
  return class_row_from(raw.fields);
}

} // namespace

const IndexCatalog &RelationSizer::indexes() const {
  if (indexes_ == nullptr)
    throw std::logic_error("pg_optimize: a sizer of single relations was asked for a table's total");
  return *indexes_;
}

RelationSizer::~RelationSizer() {
  if (std::uncaught_exceptions() > 0)
    return; // the transaction abort frees directories opened with AllocateDir
  try {
    close_directories();
  } catch (...) {
    // FreeDir only fails if closedir() does; the abort that follows any ERROR releases what is left.
  }
}

void RelationSizer::close_directories() {
  for (auto &entry : directories_) {
    DIR *dir = entry.second.dir;
    entry.second.dir = nullptr;
    if (dir != nullptr)
      pg::guard([&] { FreeDir(dir); });
  }
}

RelationSizer::Directory &RelationSizer::directory(const std::string &path) {
  auto found = directories_.find(path);
  if (found != directories_.end())
    return found->second;
  Directory &entry = directories_[path];
  // Opened once and used as the base of fstatat(), so each file costs one path component to resolve, not three.
  entry.dir = pg::guard([&] { return AllocateDir(path.c_str()); });
  return entry;
}

std::optional<DatabaseFiles::Placement> RelationSizer::placement(Oid relid, const ClassRow &row) const {
  if (!RELKIND_HAS_STORAGE(row.relkind))
    return std::nullopt;
  Oid filenode = row.filenode;
  if (!OidIsValid(filenode))
    filenode = pg::guard([&] { return pg::compat::mapped_filenode(relid, row.shared); });
  if (!OidIsValid(filenode))
    return std::nullopt;
  const Oid tablespace = OidIsValid(row.tablespace) ? row.tablespace
                         : row.shared               ? GLOBALTABLESPACE_OID
                                                    : MyDatabaseTableSpace;
  const std::int32_t backend = row.persistence == RELPERSISTENCE_TEMP ? pg::compat::temp_relation_backend() : -1;
  return DatabaseFiles::Placement{tablespace, backend, filenode};
}

template <typename F> void RelationSizer::for_each_part(Oid table, F &&f) const {
  const ClassRow *heap = classes_.find(table);
  if (heap == nullptr)
    return;
  f(table, *heap);
  for (Oid index : indexes().indexes_of(table))
    if (const ClassRow *row = classes_.find(index))
      f(index, *row);
  if (OidIsValid(heap->toast)) {
    if (const ClassRow *toast = classes_.find(heap->toast))
      f(heap->toast, *toast);
    for (Oid index : indexes().indexes_of(heap->toast))
      if (const ClassRow *row = classes_.find(index))
        f(index, *row);
  }
}

void RelationSizer::list_files() {
  if (!files_ && listing_ == Listing::Whole)
    files_ = std::make_unique<DatabaseFiles>();
}

void RelationSizer::use_listing(std::unique_ptr<DatabaseFiles> files) {
  if (listing_ == Listing::Whole && !files_)
    files_ = std::move(files);
}

void RelationSizer::measure_ahead(const std::vector<Oid> &relations, Ahead what, unsigned threads, Start start) {
  if (threads <= 1 || listing_ != Listing::Whole)
    return;
  list_files();
  std::vector<std::uint32_t> files;
  auto add = [&](Oid relid, const ClassRow &row) {
    if (const std::optional<DatabaseFiles::Placement> p = placement(relid, row))
      files_->unmeasured_files(*p, files);
  };
  for (Oid relid : relations) {
    if (what == Ahead::Tables)
      for_each_part(relid, add);
    else if (const ClassRow *row = classes_.find(relid))
      add(relid, *row);
  }
  if (start == Start::InBackground)
    files_->start_measuring(std::move(files), threads);
  else
    files_->measure(files, threads);
}

std::int64_t RelationSizer::storage_bytes(Oid relid, const ClassRow &row) {
  const std::optional<DatabaseFiles::Placement> where = placement(relid, row);
  if (!where)
    return 0;
  const auto locator =
      pg::compat::make_locator(where->tablespace, row.shared ? InvalidOid : MyDatabaseId, where->filenode);
  const auto backend =
      row.persistence == RELPERSISTENCE_TEMP ? pg::compat::temp_relation_backend() : pg::compat::no_backend();

  list_files();
  if (files_ && !measure_afresh_) {
    // The listing's entries of this file node in that directory: found without building the path.
    if (const std::optional<std::int64_t> bytes =
            files_->relation_bytes(where->tablespace, where->backend, where->filenode))
      return *bytes;
  }
  // Not in the listing: a file node created since (a rewrite that committed meanwhile), or a directory the listing
  // does not read (the shared catalogs'). Measured fork by fork.
  std::int64_t total = 0;
  for (int fork = 0; fork <= MAX_FORKNUM; fork++) {
    // Forks that cannot exist are not looked for.
    if ((fork == VISIBILITYMAP_FORKNUM && is_index(row.relkind)) ||
        (fork == INIT_FORKNUM && row.persistence != RELPERSISTENCE_UNLOGGED))
      continue;
    char path[MAXPGPATH];
    pg::guard(
        [&] { pg::compat::relation_fork_path(locator, backend, static_cast<ForkNumber>(fork), path, sizeof path); });
    const char *slash = std::strrchr(path, '/');
    if (slash == nullptr)
      continue;
    Directory &dir = directory(std::string(path, static_cast<std::size_t>(slash - path)));
    const std::string file(slash + 1);
    for (unsigned segment = 0;; segment++) {
      const std::string name = segment == 0 ? file : fmt::format("{}.{}", file, segment);
      if (dir.dir == nullptr)
        break; // no such directory (a tablespace being dropped): nothing to measure there
      struct stat st;
      if (fstatat(dirfd(dir.dir), name.c_str(), &st, 0) != 0) {
        if (errno == ENOENT)
          break; // this fork or segment does not exist
        throw Error("58030", fmt::format("could not stat file \"{}\": {}", name, std::strerror(errno)));
      }
      total += st.st_size;
      // Every segment but the last is full: a short one is the last.
      if (st.st_size < static_cast<off_t>(RELSEG_SIZE) * BLCKSZ)
        break;
    }
  }
  return total;
}

std::optional<std::int64_t> RelationSizer::one_table_bytes(Oid table) {
  if (wait_for_locks_) {
    if (!pg::guard([&] { return ConditionalLockRelationOid(table, AccessShareLock); })) {
      pg::guard([&] { LockRelationOid(table, AccessShareLock); });
      // What the session we waited for wrote may postdate the directory listing: measure this table's files afresh.
      measure_afresh_ = true;
    }
  } else if (!pg::guard([&] { return ConditionalLockRelationOid(table, AccessShareLock); })) {
    if (classes_.find(table) == nullptr)
      return std::nullopt;
    return unlocked_total_bytes(table);
  }
  // With the lock held, a drop or rewrite that committed since the pg_class scan has been processed. If nothing at
  // all was invalidated since the scan its rows are current; otherwise read the rows that matter again.
  const bool scan_is_current = classes_.unchanged_since_scan();
  auto row_of = [&](Oid relid) -> std::optional<ClassRow> {
    if (scan_is_current) {
      const ClassRow *row = classes_.find(relid);
      return row ? std::optional<ClassRow>(*row) : std::nullopt;
    }
    return current_row(relid);
  };
  std::optional<std::int64_t> total;
  if (const std::optional<ClassRow> heap = row_of(table)) {
    total = storage_bytes(table, *heap);
    for (Oid index : indexes().indexes_of(table))
      if (const std::optional<ClassRow> row = row_of(index))
        *total += storage_bytes(index, *row);
    if (OidIsValid(heap->toast)) {
      if (const std::optional<ClassRow> toast = row_of(heap->toast))
        *total += storage_bytes(heap->toast, *toast);
      for (Oid index : indexes().indexes_of(heap->toast))
        if (const std::optional<ClassRow> row = row_of(index))
          *total += storage_bytes(index, *row);
    }
  }
  measure_afresh_ = false;
  pg::guard([&] { UnlockRelationOid(table, AccessShareLock); });
  return total;
}

std::int64_t RelationSizer::unlocked_relation_bytes(Oid relid) {
  const ClassRow *row = classes_.find(relid);
  return row == nullptr ? 0 : storage_bytes(relid, *row);
}

std::int64_t RelationSizer::unlocked_total_bytes(Oid table) {
  std::int64_t total = 0;
  for_each_part(table, [&](Oid relid, const ClassRow &row) { total += storage_bytes(relid, row); });
  return total;
}

std::int64_t RelationSizer::database_bytes(unsigned threads) {
  if (!files_)
    files_ = std::make_unique<DatabaseFiles>();
  if (threads > 1)
    files_->measure_all(threads);
  return files_->total_bytes();
}

std::optional<std::int64_t> RelationSizer::total_bytes(Oid table) {
  indexes(); // a sizer of single relations refuses before it takes any lock
  std::optional<std::int64_t> total = one_table_bytes(table);
  if (!total)
    return std::nullopt;
  const ClassRow *row = classes_.find(table);
  if (row == nullptr || row->relkind != RELKIND_PARTITIONED_TABLE)
    return total;

  // find_all_inheritors lists the table itself first, then every partition at every level.
  std::vector<Oid> members;
  List *tree = pg::guard([&] { return find_all_inheritors(table, NoLock, nullptr); });
  ListCell *cell;
  foreach (cell, tree)
    members.push_back(lfirst_oid(cell));
  for (Oid member : members)
    if (member != table)
      *total += one_table_bytes(member).value_or(0);
  return total;
}

} // namespace pgo::catalog
