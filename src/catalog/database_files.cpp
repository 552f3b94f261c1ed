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
#include "storage/fd.h"
}

namespace pgo::catalog {
namespace {

// A directory opened with AllocateDir (so that an ERROR's transaction abort closes it), closed by the destructor on
// the normal path.
class OpenDirectory {
public:
  explicit OpenDirectory(const std::string &path) : dir_(pg::guard([&] { return AllocateDir(path.c_str()); })) {}
  ~OpenDirectory() {
    if (dir_ == nullptr || std::uncaught_exceptions() > 0)
      return; // an exception is heading for the transaction abort, which frees the directory
    try {
      DIR *dir = dir_;
      dir_ = nullptr;
      pg::guard([&] { FreeDir(dir); });
    } catch (...) {
      // FreeDir only fails if closedir() does; nothing is left to release then.
    }
  }
  OpenDirectory(const OpenDirectory &) = delete;
  OpenDirectory &operator=(const OpenDirectory &) = delete;
  DIR *get() const { return dir_; }

private:
  DIR *dir_;
};

auto key_of(std::uint32_t directory, std::int32_t backend, std::uint32_t filenode) {
  return std::make_tuple(directory, backend, filenode);
}

} // namespace

void DatabaseFiles::read_directory(const std::string &path) {
  OpenDirectory dir(path);
  if (dir.get() == nullptr)
    return; // as pg_database_size: a directory that cannot be opened holds nothing to count
  const auto directory = static_cast<std::uint32_t>(directories_.size());
  directories_.push_back(path);
  for (;;) {
    errno = 0;
    const struct dirent *entry = ::readdir(dir.get());
    if (entry == nullptr) {
      if (errno != 0)
        throw Error("58030", fmt::format("could not read directory \"{}\": {}", path, std::strerror(errno)));
      break;
    }
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0)
      continue;
    struct stat st;
    if (fstatat(dirfd(dir.get()), entry->d_name, &st, 0) != 0) {
      if (errno == ENOENT)
        continue; // removed since readdir() listed it, as pg_database_size skips it
      throw Error("58030", fmt::format("could not stat file \"{}/{}\": {}", path, entry->d_name, std::strerror(errno)));
    }
    total_bytes_ += st.st_size;
    if (const auto name = core::parse_relation_file_name(entry->d_name))
      files_.push_back(File{name->filenode, static_cast<std::int32_t>(name->backend), directory, st.st_size});
  }
}

DatabaseFiles DatabaseFiles::walk() {
  DatabaseFiles result;
  result.read_directory(fmt::format("base/{}", MyDatabaseId));
  // The database's directory in every tablespace, as pg_database_size() finds them.
  std::vector<std::string> tablespaces;
  {
    OpenDirectory dir("pg_tblspc");
    if (dir.get() != nullptr)
      while (const struct dirent *entry = ::readdir(dir.get()))
        if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
          tablespaces.emplace_back(entry->d_name);
  }
  for (const std::string &tablespace : tablespaces)
    result.read_directory(fmt::format("pg_tblspc/{}/{}/{}", tablespace, TABLESPACE_VERSION_DIRECTORY, MyDatabaseId));

  std::vector<File> &files = result.files_;
  std::sort(files.begin(), files.end(), [](const File &a, const File &b) {
    return key_of(a.directory, a.backend, a.filenode) < key_of(b.directory, b.backend, b.filenode);
  });
  // One entry per file node: forks and segments summed.
  std::size_t out = 0;
  for (std::size_t i = 0; i < files.size(); i++) {
    if (out > 0 && key_of(files[out - 1].directory, files[out - 1].backend, files[out - 1].filenode) ==
                       key_of(files[i].directory, files[i].backend, files[i].filenode))
      files[out - 1].bytes += files[i].bytes;
    else
      files[out++] = files[i];
  }
  files.resize(out);
  files.shrink_to_fit();
  return result;
}

std::optional<std::int64_t> DatabaseFiles::relation_bytes(const char *main_fork_path) const {
  const char *slash = std::strrchr(main_fork_path, '/');
  if (slash == nullptr)
    return std::nullopt;
  const std::string_view directory_path(main_fork_path, static_cast<std::size_t>(slash - main_fork_path));
  const auto directory = std::find(directories_.begin(), directories_.end(), directory_path);
  if (directory == directories_.end())
    return std::nullopt;
  const std::optional<core::RelationFileName> name = core::parse_relation_file_name(slash + 1);
  if (!name || name->fork != core::RelationFork::Main || name->segment != 0)
    return std::nullopt;
  const auto key = key_of(static_cast<std::uint32_t>(directory - directories_.begin()),
                          static_cast<std::int32_t>(name->backend), name->filenode);
  const auto found = std::lower_bound(files_.begin(), files_.end(), key, [](const File &f, const auto &k) {
    return key_of(f.directory, f.backend, f.filenode) < k;
  });
  if (found == files_.end() || key_of(found->directory, found->backend, found->filenode) != key)
    return std::nullopt;
  return found->bytes;
}

} // namespace pgo::catalog
