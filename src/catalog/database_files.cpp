#include "catalog/database_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <sys/stat.h>
#include <tuple>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/relation_file_name.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/catalog.h"
#include "miscadmin.h"
}

namespace pgo::catalog {
namespace {

auto key_of(std::uint32_t directory, std::int32_t backend, std::uint32_t filenode) {
  return std::make_tuple(directory, backend, filenode);
}

const char *fork_suffix(std::uint8_t fork) {
  switch (static_cast<core::RelationFork>(fork)) {
  case core::RelationFork::FreeSpaceMap:
    return "_fsm";
  case core::RelationFork::VisibilityMap:
    return "_vm";
  case core::RelationFork::Init:
    return "_init";
  case core::RelationFork::Main:
    break;
  }
  return "";
}

} // namespace

DatabaseFiles::DatabaseFiles() {
  list_directory(fmt::format("base/{}", MyDatabaseId));
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
    list_directory(fmt::format("pg_tblspc/{}/{}/{}", tablespace, TABLESPACE_VERSION_DIRECTORY, MyDatabaseId));
  std::sort(files_.begin(), files_.end(), [](const File &a, const File &b) {
    return key_of(a.directory, a.backend, a.filenode) < key_of(b.directory, b.backend, b.filenode);
  });
}

DatabaseFiles::~DatabaseFiles() {
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

void DatabaseFiles::list_directory(const std::string &path) {
  DIR *dir = pg::guard([&] { return AllocateDir(path.c_str()); });
  if (dir == nullptr)
    return; // as pg_database_size: a directory that cannot be opened holds nothing to count
  if (directories_.size() > UINT16_MAX) {
    pg::guard([&] { FreeDir(dir); });
    throw Error("54000", fmt::format("too many tablespace directories to list (more than {})", UINT16_MAX));
  }
  directories_.push_back(Directory{path, dir});
  const auto directory = static_cast<std::uint16_t>(directories_.size() - 1);
  for (;;) {
    errno = 0;
    const struct dirent *entry = ::readdir(dir);
    if (entry == nullptr) {
      if (errno != 0)
        throw Error("58030", fmt::format("could not read directory \"{}\": {}", path, std::strerror(errno)));
      break;
    }
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0)
      continue;
    if (const auto name = core::parse_relation_file_name(entry->d_name))
      files_.push_back(File{name->filenode, static_cast<std::int32_t>(name->backend), name->segment, File::kNotMeasured,
                            directory, static_cast<std::uint8_t>(name->fork)});
    else
      others_.emplace_back(directory, entry->d_name);
  }
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

std::int64_t DatabaseFiles::size_of(File &file) {
  if (file.bytes != File::kNotMeasured)
    return file.bytes;
  const std::string name =
      fmt::format("{}{}{}{}", file.backend >= 0 ? fmt::format("t{}_", file.backend) : std::string(), file.filenode,
                  fork_suffix(file.fork), file.segment > 0 ? fmt::format(".{}", file.segment) : std::string());
  const std::int64_t bytes = size_of(file.directory, name.c_str());
  if (bytes < File::kNotMeasured)
    file.bytes = static_cast<std::uint32_t>(bytes);
  return bytes;
}

std::optional<std::int64_t> DatabaseFiles::relation_bytes(const char *main_fork_path) {
  const char *slash = std::strrchr(main_fork_path, '/');
  if (slash == nullptr)
    return std::nullopt;
  const std::string_view directory_path(main_fork_path, static_cast<std::size_t>(slash - main_fork_path));
  const auto directory = std::find_if(directories_.begin(), directories_.end(),
                                      [&](const Directory &d) { return d.path == directory_path; });
  if (directory == directories_.end())
    return std::nullopt;
  const std::optional<core::RelationFileName> name = core::parse_relation_file_name(slash + 1);
  if (!name || name->fork != core::RelationFork::Main || name->segment != 0)
    return std::nullopt;
  const auto key = key_of(static_cast<std::uint32_t>(directory - directories_.begin()),
                          static_cast<std::int32_t>(name->backend), name->filenode);
  auto file = std::lower_bound(files_.begin(), files_.end(), key, [](const File &f, const auto &k) {
    return key_of(f.directory, f.backend, f.filenode) < k;
  });
  if (file == files_.end() || key_of(file->directory, file->backend, file->filenode) != key)
    return std::nullopt;
  std::int64_t total = 0;
  for (; file != files_.end() && key_of(file->directory, file->backend, file->filenode) == key; ++file)
    total += size_of(*file);
  return total;
}

std::int64_t DatabaseFiles::total_bytes() {
  std::int64_t total = 0;
  for (File &file : files_)
    total += size_of(file);
  for (const auto &[directory, name] : others_)
    total += size_of(directory, name.c_str());
  return total;
}

} // namespace pgo::catalog
