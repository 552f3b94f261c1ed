#include "catalog/database_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/relation_file_name.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "catalog/catalog.h"
#include "catalog/pg_tablespace.h"
#include "miscadmin.h"
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

} // namespace

DatabaseFiles::DatabaseFiles() {
  list_directory(fmt::format("base/{}", MyDatabaseId), DEFAULTTABLESPACE_OID);
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
    list_directory(fmt::format("pg_tblspc/{}/{}/{}", tablespace, TABLESPACE_VERSION_DIRECTORY, MyDatabaseId),
                   tablespace_named(tablespace.c_str()));
  files_.sort_by_filenode();
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

void DatabaseFiles::list_directory(const std::string &path, Oid tablespace) {
  DIR *dir = pg::guard([&] { return AllocateDir(path.c_str()); });
  if (dir == nullptr)
    return; // as pg_database_size: a directory that cannot be opened holds nothing to count
  if (directories_.size() > UINT16_MAX) {
    pg::guard([&] { FreeDir(dir); });
    throw Error("54000", fmt::format("too many tablespace directories to list (more than {})", UINT16_MAX));
  }
  directories_.push_back(Directory{path, dir, tablespace});
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
      files_.add(*name, directory);
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

std::int64_t DatabaseFiles::size_of(std::size_t file) {
  if (const std::optional<std::int64_t> known = files_.bytes(file))
    return *known;
  char name[core::kRelationFileNameSize];
  core::format_relation_file_name(files_.name(file), name);
  const std::int64_t bytes = size_of(files_.directory(file), name);
  files_.set_bytes(file, bytes);
  return bytes;
}

std::optional<std::int64_t> DatabaseFiles::relation_bytes(Oid tablespace, std::int32_t backend, Oid filenode) {
  std::uint32_t directory = 0;
  while (directory < directories_.size() && directories_[directory].tablespace != tablespace)
    directory++;
  if (directory == directories_.size())
    return std::nullopt;
  // The files of that file node, in every directory (a file node is unique in its tablespace only).
  const core::RelationFileList::Range range = files_.range_of(filenode);
  std::optional<std::int64_t> total;
  for (std::size_t file = range.first; file < range.last; file++)
    if (files_.directory(file) == directory && files_.backend(file) == backend)
      total = total.value_or(0) + size_of(file);
  return total;
}

std::int64_t DatabaseFiles::total_bytes() {
  std::int64_t total = 0;
  for (std::size_t file = 0; file < files_.size(); file++)
    total += size_of(file);
  for (const auto &[directory, name] : others_)
    total += size_of(directory, name.c_str());
  return total;
}

} // namespace pgo::catalog
