// The files of the current database, listed in one pass: every entry of its directory under base/ and of its
// directory in each tablespace, read with readdir(). A relation's size is then the sum of the files the listing holds
// for its file node (all forks and segments), each stat()ed relative to its open directory when first asked for. On a
// catalog of hundreds of thousands of relations this replaces a path lookup per fork and segment that might exist
// (most do not) with one stat() per file that does, for the relations a call shows only; the total of every file
// listed is pg_database_size()'s figure, which reads the same directories.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

#include "core/relation_file_list.hpp"
#include "core/threads.hpp"

extern "C" {
#include "storage/fd.h"
}

namespace pgo::catalog {

class DatabaseFiles {
public:
  // Start::InBackground: the directories' entries are read on a thread of their own while the caller goes on (reads
  // the catalogs); the first question waits for it. (Measuring files on that thread until then was tried: the two
  // cores are busy anyway, so it saved no time.) The listing then predates the caller's catalog scan: a file node it
  // does not hold is measured fork by fork, as one created since the listing is; a fork whose last listed segment is
  // full is followed into the segments the listing does not hold (a rewrite being written while the directory was
  // read); a size is as of its stat().
  enum class Start { Now, InBackground };
  explicit DatabaseFiles(Start start = Start::Now);
  // A listing started in the background, or nullptr with one thread (pg_optimize.measure_threads = 1: the backend
  // alone, which lists when the first size is asked for).
  static std::unique_ptr<DatabaseFiles> start_in_background(unsigned threads);
  ~DatabaseFiles();
  DatabaseFiles(const DatabaseFiles &) = delete;
  DatabaseFiles &operator=(const DatabaseFiles &) = delete;

  // The bytes of every fork and segment of the relation with that file node in that tablespace (never 0: the
  // database's default tablespace is named), of that backend for a temporary relation (-1 otherwise), or
  // std::nullopt when the listing saw no such file (created after it, or outside the listed directories: the shared
  // catalogs' global/). Each file is stat()ed once: its size is kept for a later call.
  std::optional<std::int64_t> relation_bytes(Oid tablespace, std::int32_t backend, Oid filenode);
  // Where relation_bytes() finds a relation's files.
  struct Placement {
    Oid tablespace;
    std::int32_t backend;
    Oid filenode;
  };
  // Adds to `files` the listing's positions of that relation's files that are not measured yet.
  void unmeasured_files(const Placement &relation, std::vector<std::uint32_t> &files);
  // stat()s those files on up to `threads` threads (core::parallel_for), so that relation_bytes() finds their sizes
  // known. On a catalog of 100,000 tables the kernel's path lookups are most of a call's time, and a second core
  // halves them. A file that cannot be stat()ed is left unmeasured: relation_bytes() tries it again and reports the
  // error.
  void measure(const std::vector<std::uint32_t> &files, unsigned threads);
  // The same for every relation file listed (ahead of total_bytes()).
  void measure_all(unsigned threads);
  // measure() started on threads - 1 threads of their own while the caller goes on with work that asks this listing
  // nothing (the next question, whichever, takes part in what is left and waits for them). For a caller with catalog
  // reads to do that need no size. Nothing is started with one thread: the next question measures as it goes.
  void start_measuring(std::vector<std::uint32_t> files, unsigned threads);
  // What pg_database_size() reports for this database: every file of its directories, relation or not.
  std::int64_t total_bytes();

private:
  struct Directory {
    std::string path;
    DIR *dir;       // kept open (AllocateDir: an ERROR's abort closes it) as the base of fstatat()
    Oid tablespace; // whose files of this database it holds
  };
  void open_directory(const std::string &path, Oid tablespace);
  void read_directories(const std::vector<DIR *> &dirs); // directories_' entries, from these handles of them
  void listed();                                         // waits for the listing (and reports its error)
  void settle(); // listed(), then the measuring started by start_measuring() finished: before any question
  // before_shmem_exit callback: a FATAL error's proc_exit() waits for every running listing thread before the
  // directories it reads are closed, and stops and waits for the measuring threads.
  static void wait_for_running_listings(int code, Datum arg);
  static void register_exit_wait();
  std::vector<int> directory_fds() const;
  void measure_file(std::size_t file, const std::vector<int> &fds); // any thread
  // The listing's position of the directory of that tablespace, or directories_.size().
  std::uint32_t directory_of(Oid tablespace) const;
  // Calls f(position) for each listed file of that file node, of that backend, in directory `directory`.
  template <typename F> void for_each_file(std::uint32_t directory, std::int32_t backend, Oid filenode, F &&f) const;
  // The measuring of parallel_for: stat()s each position's file unless known; calls nothing of PostgreSQL's.
  void measure_positions(std::size_t count, const std::function<std::size_t(std::size_t)> &position, unsigned threads);
  std::int64_t size_of(std::size_t file);
  std::int64_t size_of(std::uint32_t directory, const char *name);

  std::vector<Directory> directories_;
  // 12 bytes a file (a catalog of 100,000 tables has half a million files), sorted by file node once listed, so a
  // relation's files are next to each other.
  core::RelationFileList files_;
  std::vector<std::pair<std::uint32_t, std::string>> others_; // entries that are no relation file
  std::optional<core::BackgroundTask> listing_;               // while the entries are read in the background
  // start_measuring()'s files and directory descriptors, and its threads (declared last: they stop first).
  std::vector<std::uint32_t> measuring_files_;
  std::vector<int> measuring_fds_;
  std::unique_ptr<core::SharedWork> measuring_;
};

} // namespace pgo::catalog
