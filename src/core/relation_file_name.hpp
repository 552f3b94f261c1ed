// The names PostgreSQL gives the files of a relation inside a database directory, read back: "16384" (main fork,
// first segment), "16384.2" (third segment), "16384_fsm", "16384_vm", "16384_init", and for a temporary relation
// "t3_16384" (backend 3) with the same suffixes. A walk over a database directory uses it to sum each relation's
// files from one readdir() instead of a path lookup per fork and segment.
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pgo::core {

enum class RelationFork { Main, FreeSpaceMap, VisibilityMap, Init };

struct RelationFileName {
  std::int64_t backend = -1; // -1: a permanent or unlogged relation; otherwise the backend number of a temp relation
  std::uint32_t filenode = 0;
  RelationFork fork = RelationFork::Main;
  std::uint32_t segment = 0;
};

// std::nullopt for any other file (PG_VERSION, pg_filenode.map, pg_internal.init, temporary files, stray names).
std::optional<RelationFileName> parse_relation_file_name(std::string_view name);

// Room for the longest name format_relation_file_name() writes ("t2147483647_4294967295_init.4294967295") and its NUL.
inline constexpr std::size_t kRelationFileNameSize = 40;
// Writes the file's name as PostgreSQL does, NUL-terminated, into `out` (no allocation: a catalog of 100,000 tables
// names half a million files); the inverse of parse_relation_file_name. Returns the name's length.
std::size_t format_relation_file_name(const RelationFileName &file, char (&out)[kRelationFileNameSize]);

} // namespace pgo::core
