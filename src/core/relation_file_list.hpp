// The relation files a listing of a database's directories found, kept in 12 bytes a file: a catalog of 100,000
// tables has half a million of them, and every call that shows sizes holds the list while it measures.
//
// A file is its file node, its size once measured, and one word for the rest: the fork, and the segment number for
// the common file (no backend: not a temporary relation; in the first directory listed; a segment below 2^29). Any
// other file keeps its backend, directory and segment in a side list (temporary relations and other tablespaces are
// few next to the relations of the database's own directory).
#pragma once

#include "core/postgres_free.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/chunked_array.hpp"
#include "core/key_directory.hpp"
#include "core/relation_file_name.hpp"

namespace pgo::core {

class RelationFileList {
public:
  struct Range {
    std::size_t first = 0, last = 0;
  };
  static constexpr std::size_t kBytesPerFile = 12; // for a file that needs no side entry

  // A file of directory `directory` (the listing's own numbering, 0 for the first).
  void add(const RelationFileName &name, std::uint16_t directory);
  // Orders the files by file node, once every file is added; positions change. Needed by range_of().
  void sort_by_filenode();

  std::size_t size() const { return files_.size(); }
  std::uint32_t filenode(std::size_t i) const { return files_[i].filenode; }
  RelationFileName name(std::size_t i) const;
  std::uint16_t directory(std::size_t i) const;
  std::int64_t backend(std::size_t i) const;
  // The size set for file i, std::nullopt before (or when it was 4 GB or more: such a file is measured each time).
  std::optional<std::int64_t> bytes(std::size_t i) const;
  void set_bytes(std::size_t i, std::int64_t bytes);
  // The positions of the files of that file node (in every directory), after sort_by_filenode().
  Range range_of(std::uint32_t filenode) const;

private:
  static constexpr std::uint32_t kNotMeasured = UINT32_MAX;
  static constexpr unsigned kForkBits = 2;
  static constexpr std::uint32_t kSpilled = 1u << kForkBits;
  static constexpr unsigned kValueShift = kForkBits + 1;
  static constexpr std::uint32_t kMaxValue = UINT32_MAX >> kValueShift; // segment or side entry
  struct Packed {
    std::uint32_t filenode;
    std::uint32_t bytes; // kNotMeasured until set
    std::uint32_t word;  // fork in the low 2 bits, kSpilled, then the segment or the side entry's position
  };
  struct Side {
    std::int32_t backend;
    std::uint32_t segment;
    std::uint16_t directory;
  };
  static_assert(sizeof(Packed) == kBytesPerFile);
  ChunkedArray<Packed> files_;
  std::vector<Side> side_;
  KeyDirectory by_filenode_;
  bool sorted_ = false;
};

} // namespace pgo::core
