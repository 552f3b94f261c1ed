#include "catalog/database_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/relation_file_name.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/catalog.h"
#include "catalog/pg_tablespace.h"
#include "miscadmin.h"
#include "storage/ipc.h"
}

namespace pgo::catalog {
namespace {

// The tablespace whose directory pg_tblspc/`name` is: its OID, written as PostgreSQL writes it (another name is no
// tablespace's, and relpath() never leads there).
Oid tablespace_named(const char *name) {
  if (name[0] == '0')
    return InvalidOid;
  const std::optional<core::RelationFileName> parsed = core::parse_relation_file_name(name);
  if (!parsed || parsed->backend >= 0 || parsed->fork != core::RelationFork::Main || parsed->segment != 0)
    return InvalidOid;
  return parsed->filenode; // digits only, no leading zero, not 0: the form of an OID
}

// The listings whose thread may be running. A FATAL error (pg_terminate_backend, a lost client) ends the backend in
// proc_exit() without unwinding. The listing thread reads directory handles of its own (the transaction abort and
// file cleanup there close every directory AllocateDir opened, and other exit callbacks may abort a transaction
// before ours runs), so nothing PostgreSQL frees is in its hands; wait_for_running_listings(), a before_shmem_exit
// callback, still joins it so that no thread runs while the process exits.
std::vector<DatabaseFiles *> running_listings;
bool exit_wait_registered = false;

void forget_listing(DatabaseFiles *files) {
  running_listings.erase(std::remove(running_listings.begin(), running_listings.end(), files), running_listings.end());
}

} // namespace

void DatabaseFiles::wait_for_running_listings(int, Datum) {
  for (DatabaseFiles *files : running_listings) {
    if (files->measuring_)
      files->measuring_->stop_and_join(); // what is not measured yet never will be: the backend is exiting
    try {
      if (files->listing_)
        files->listing_->join(); // only a started thread: the work is not run now
    } catch (...) {
      // The backend is exiting: the listing's error has nobody to go to.
    }
  }
  running_listings.clear();
}

DatabaseFiles::DatabaseFiles(Start start) {
  // The directories are opened here, on the backend's thread (AllocateDir: an ERROR's abort closes them); their
  // entries are read at once or on a thread of their own (core::BackgroundTask).
  open_directory(fmt::format("base/{}", MyDatabaseId), DEFAULTTABLESPACE_OID);
  // The database's directory in every tablespace, as pg_database_size() finds them.
  std::vector<std::string> tablespaces;
  {
    DIR *dir = pg::guard([] { return AllocateDir("pg_tblspc"); });
    if (dir != nullptr) {
      try {
        while (const struct dirent *entry = ::readdir(dir))
          if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
            tablespaces.emplace_back(entry->d_name);
      } catch (...) {
        pg::guard([&] { FreeDir(dir); });
        throw;
      }
      pg::guard([&] { FreeDir(dir); });
    }
  }
  for (const std::string &tablespace : tablespaces)
    open_directory(fmt::format("pg_tblspc/{}/{}/{}", tablespace, TABLESPACE_VERSION_DIRECTORY, MyDatabaseId),
                   tablespace_named(tablespace.c_str()));
  if (start == Start::InBackground) {
    register_exit_wait();
    // The thread reads handles of its own on the same directories (openat(".")), closed by the thread: PostgreSQL
    // may close the AllocateDir ones under it at a FATAL error's exit. One more descriptor a directory for the
    // listing's time. If they cannot be opened, the backend lists alone, now.
    std::vector<DIR *> own;
    own.reserve(directories_.size());
    for (const Directory &d : directories_) {
      const int fd = openat(dirfd(d.dir), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      DIR *dir = fd >= 0 ? fdopendir(fd) : nullptr;
      if (dir == nullptr) {
        if (fd >= 0)
          close(fd);
        break;
      }
      own.push_back(dir);
    }
    if (own.size() == directories_.size()) {
      running_listings.push_back(this); // before the thread starts
      try {
        listing_.emplace([this, own] {
          struct Close {
            const std::vector<DIR *> &dirs;
            ~Close() {
              for (DIR *dir : dirs)
                closedir(dir);
            }
          } close_them{own};
          read_directories(own);
        });
        if (listing_->on_own_thread())
          return;
        listing_.reset(); // no thread could be started: its work, never run, leaves the handles to close here
        forget_listing(this);
      } catch (...) {
        forget_listing(this);
        for (DIR *dir : own)
          closedir(dir);
        throw;
      }
    }
    for (DIR *dir : own)
      closedir(dir);
  }
  std::vector<DIR *> dirs;
  for (const Directory &d : directories_)
    dirs.push_back(d.dir);
  read_directories(dirs);
}

void DatabaseFiles::register_exit_wait() {
  if (!exit_wait_registered) {
    pg::guard([] { before_shmem_exit(&DatabaseFiles::wait_for_running_listings, 0); });
    exit_wait_registered = true;
  }
}

std::unique_ptr<DatabaseFiles> DatabaseFiles::start_in_background(unsigned threads) {
  return threads > 1 ? std::make_unique<DatabaseFiles>(Start::InBackground) : nullptr;
}

DatabaseFiles::~DatabaseFiles() {
  measuring_.reset(); // the measuring threads stop, and the listing's thread, before their directories are closed
  listing_.reset();
  forget_listing(this);
  if (std::uncaught_exceptions() > 0)
    return; // the transaction abort the exception is heading for frees the directories
  for (Directory &d : directories_) {
    DIR *dir = d.dir;
    d.dir = nullptr;
    try {
      pg::guard([&] { FreeDir(dir); });
    } catch (...) {
      // FreeDir only fails if closedir() does; nothing is left to release then.
    }
  }
}

void DatabaseFiles::open_directory(const std::string &path, Oid tablespace) {
  DIR *dir = pg::guard([&] { return AllocateDir(path.c_str()); });
  if (dir == nullptr)
    return; // as pg_database_size: a directory that cannot be opened holds nothing to count
  if (directories_.size() > UINT16_MAX) {
    pg::guard([&] { FreeDir(dir); });
    throw Error("54000", fmt::format("too many tablespace directories to list (more than {})", UINT16_MAX));
  }
  directories_.push_back(Directory{path, dir, tablespace});
}

void DatabaseFiles::read_directories(const std::vector<DIR *> &dirs) {
  // Runs on the listing's thread too: readdir(), this object's own containers and messages, nothing of PostgreSQL's.
  for (std::size_t i = 0; i < directories_.size(); i++) {
    const auto directory = static_cast<std::uint16_t>(i);
    DIR *dir = dirs[i];
    for (;;) {
      errno = 0;
      const struct dirent *entry = ::readdir(dir);
      if (entry == nullptr) {
        if (errno != 0)
          throw Error("58030",
                      fmt::format("could not read directory \"{}\": {}", directories_[i].path, std::strerror(errno)));
        break;
      }
      if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0)
        continue;
      if (const auto name = core::parse_relation_file_name(entry->d_name))
        files_.add(*name, directory);
      else
        others_.emplace_back(directory, entry->d_name);
    }
  }
  files_.sort_by_filenode();
}

void DatabaseFiles::listed() {
  if (!listing_)
    return;
  struct Done {
    std::optional<core::BackgroundTask> &listing;
    DatabaseFiles *files;
    ~Done() {
      listing.reset();
      forget_listing(files);
    }
  } done{listing_, this};
  listing_->wait(); // rethrows the listing's error
}

void DatabaseFiles::settle() {
  listed();
  if (!measuring_)
    return;
  struct Done {
    DatabaseFiles *files;
    ~Done() {
      files->measuring_.reset();
      forget_listing(files);
      std::vector<std::uint32_t>().swap(files->measuring_files_);
    }
  } done{this};
  measuring_->finish(); // takes part, then waits for the threads
}

std::int64_t DatabaseFiles::size_of(std::uint32_t directory, const char *name) {
  struct stat st;
  if (fstatat(dirfd(directories_[directory].dir), name, &st, 0) != 0) {
    if (errno == ENOENT)
      return 0; // removed since it was listed, as pg_database_size skips it
    throw Error("58030", fmt::format("could not stat file \"{}/{}\": {}", directories_[directory].path, name,
                                     std::strerror(errno)));
  }
  return st.st_size;
}

std::int64_t DatabaseFiles::size_of(std::size_t file) {
  if (const std::optional<std::int64_t> known = files_.bytes(file))
    return *known;
  char name[core::kRelationFileNameSize];
  core::format_relation_file_name(files_.name(file), name);
  const std::int64_t bytes = size_of(files_.directory(file), name);
  files_.set_bytes(file, bytes);
  return bytes;
}

std::uint32_t DatabaseFiles::directory_of(Oid tablespace) const {
  std::uint32_t directory = 0;
  while (directory < directories_.size() && directories_[directory].tablespace != tablespace)
    directory++;
  return directory;
}

template <typename F>
void DatabaseFiles::for_each_file(std::uint32_t directory, std::int32_t backend, Oid filenode, F &&f) const {
  // The files of that file node, in every directory (a file node is unique in its tablespace only).
  const core::RelationFileList::Range range = files_.range_of(filenode);
  for (std::size_t file = range.first; file < range.last; file++)
    if (files_.directory(file) == directory && files_.backend(file) == backend)
      f(file);
}

std::optional<std::int64_t> DatabaseFiles::relation_bytes(Oid tablespace, std::int32_t backend, Oid filenode) {
  settle();
  const std::uint32_t directory = directory_of(tablespace);
  if (directory == directories_.size())
    return std::nullopt;
  std::optional<std::int64_t> total;
  // Each fork's last segment listed, and its size.
  constexpr int kForks = 4;
  std::optional<std::pair<std::uint32_t, std::int64_t>> last[kForks];
  for_each_file(directory, backend, filenode, [&](std::size_t file) {
    const std::int64_t bytes = size_of(file);
    total = total.value_or(0) + bytes;
    const core::RelationFileName name = files_.name(file);
    auto &fork_last = last[static_cast<int>(name.fork)];
    if (!fork_last || name.segment > fork_last->first)
      fork_last = std::make_pair(name.segment, bytes);
  });
  // A fork whose last listed segment is full may go on in segments the listing did not see (the relation grew past
  // a segment since, or was being written when the directory was read): they are looked for, as they are fork by
  // fork without a listing.
  constexpr std::int64_t kSegmentBytes = static_cast<std::int64_t>(RELSEG_SIZE) * BLCKSZ;
  for (int fork = 0; fork < kForks; fork++) {
    if (!last[fork] || last[fork]->second < kSegmentBytes)
      continue;
    for (std::uint32_t segment = last[fork]->first + 1;; segment++) {
      core::RelationFileName name;
      name.backend = backend;
      name.filenode = filenode;
      name.fork = static_cast<core::RelationFork>(fork);
      name.segment = segment;
      char text[core::kRelationFileNameSize];
      core::format_relation_file_name(name, text);
      struct stat st;
      if (fstatat(dirfd(directories_[directory].dir), text, &st, 0) != 0) {
        if (errno == ENOENT)
          break;
        throw Error("58030", fmt::format("could not stat file \"{}/{}\": {}", directories_[directory].path, text,
                                         std::strerror(errno)));
      }
      *total += st.st_size;
      if (st.st_size < kSegmentBytes)
        break;
    }
  }
  return total;
}

std::vector<int> DatabaseFiles::directory_fds() const {
  std::vector<int> fds;
  fds.reserve(directories_.size());
  for (const Directory &d : directories_)
    fds.push_back(dirfd(d.dir));
  return fds;
}

void DatabaseFiles::measure_file(std::size_t file, const std::vector<int> &fds) {
  // Runs on other threads too: only the C library and this object's own arrays, each file's size slot written by
  // the one thread that measures it. A file whose stat() fails otherwise is left for size_of() to report.
  if (files_.bytes(file))
    return;
  char name[core::kRelationFileNameSize];
  core::format_relation_file_name(files_.name(file), name);
  struct stat st;
  if (fstatat(fds[files_.directory(file)], name, &st, 0) == 0)
    files_.set_bytes(file, st.st_size);
  else if (errno == ENOENT)
    files_.set_bytes(file, 0); // removed since it was listed, as size_of() counts it
}

void DatabaseFiles::measure_positions(std::size_t count, const std::function<std::size_t(std::size_t)> &position,
                                      unsigned threads) {
  const std::vector<int> fds = directory_fds();
  core::parallel_for(count, threads, [&](std::size_t i) { measure_file(position(i), fds); });
}

void DatabaseFiles::unmeasured_files(const Placement &relation, std::vector<std::uint32_t> &files) {
  settle();
  const std::uint32_t directory = directory_of(relation.tablespace);
  if (directory < directories_.size())
    for_each_file(directory, relation.backend, relation.filenode, [&](std::size_t file) {
      if (!files_.bytes(file))
        files.push_back(static_cast<std::uint32_t>(file)); // fits: 4 billion files would be a 48 GB listing
    });
}

void DatabaseFiles::measure(const std::vector<std::uint32_t> &files, unsigned threads) {
  settle();
  measure_positions(
      files.size(), [&](std::size_t i) { return files[i]; }, threads);
}

void DatabaseFiles::start_measuring(std::vector<std::uint32_t> files, unsigned threads) {
  settle();
  if (files.empty() || threads <= 1)
    return;
  register_exit_wait();
  measuring_files_ = std::move(files);
  measuring_fds_ = directory_fds();
  running_listings.push_back(this); // before a thread starts
  try {
    // Each thread only stat()s and writes the size slots of its files (measure_file): nothing of PostgreSQL's. At a
    // FATAL error's exit the directories may be closed under it first: a stat() then fails (EBADF) or answers for
    // another file, into memory nobody reads again, until the exit callback stops it.
    measuring_ = std::make_unique<core::SharedWork>(
        measuring_files_.size(), threads, [this](std::size_t i) { measure_file(measuring_files_[i], measuring_fds_); });
  } catch (...) {
    forget_listing(this);
    throw;
  }
}

void DatabaseFiles::measure_all(unsigned threads) {
  settle();
  measure_positions(
      files_.size(), [](std::size_t i) { return i; }, threads);
}

std::int64_t DatabaseFiles::total_bytes() {
  settle();
  std::int64_t total = 0;
  for (std::size_t file = 0; file < files_.size(); file++)
    total += size_of(file);
  for (const auto &[directory, name] : others_)
    total += size_of(directory, name.c_str());
  return total;
}

} // namespace pgo::catalog
