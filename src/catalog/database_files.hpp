// The files of the current database, sized in one walk: every entry of its directory under base/ and of its
// directory in each tablespace, read with readdir() and measured with fstatat() relative to the directory, then
// summed per relation file node (all forks and segments). On a catalog of hundreds of thousands of relations this
// replaces a path lookup per fork and segment (most of them for forks that do not exist) with one stat() per file
// that does; it also gives pg_database_size()'s figure, which walks the same directories.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

namespace pgo::catalog {

class DatabaseFiles {
public:
  static DatabaseFiles walk();

  // The bytes of every fork and segment of the relation whose main fork is at `main_fork_path` (as relpath() writes
  // it), or std::nullopt when the walk saw no such file (created after the walk, or outside the walked directories).
  std::optional<std::int64_t> relation_bytes(const char *main_fork_path) const;
  // What pg_database_size() reports for this database: every file of its directories, relation or not.
  std::int64_t total_bytes() const { return total_bytes_; }

private:
  struct File {
    std::uint32_t filenode;
    std::int32_t backend; // -1: not a temporary relation
    std::uint32_t directory;
    std::int64_t bytes;
  };
  void read_directory(const std::string &path);

  std::vector<std::string> directories_;
  std::vector<File> files_; // sorted by (directory, backend, filenode), one entry per relation file node
  std::int64_t total_bytes_ = 0;
};

} // namespace pgo::catalog
