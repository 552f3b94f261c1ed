#include "core/relation_file_list.hpp"

#include <algorithm>
#include <stdexcept>

namespace pgo::core {

void RelationFileList::add(const RelationFileName &name, std::uint16_t directory) {
  const auto fork = static_cast<std::uint32_t>(name.fork);
  std::uint32_t word;
  if (name.backend == -1 && directory == 0 && name.segment <= kMaxValue) {
    word = fork | (name.segment << kValueShift);
  } else {
    if (side_.size() > kMaxValue)
      throw std::length_error("pg_optimize: too many relation files outside the database's own directory");
    if (name.backend < INT32_MIN || name.backend > INT32_MAX)
      throw std::out_of_range("pg_optimize: a temporary relation's backend number out of range");
    word = fork | kSpilled | (static_cast<std::uint32_t>(side_.size()) << kValueShift);
    side_.push_back(Side{static_cast<std::int32_t>(name.backend), name.segment, directory});
  }
  files_.push_back(Packed{name.filenode, kNotMeasured, word});
  sorted_ = false;
}

void RelationFileList::sort_by_filenode() {
  // The listing is in the directory's hash order: a comparison sort, whose partitions read the array in sequence,
  // beats core::sort_by_key here, whose moves along the permutation's cycles would each miss the cache. The side
  // entries are found by position in the side list, which does not move.
  std::sort(files_.begin(), files_.end(), [](const Packed &a, const Packed &b) { return a.filenode < b.filenode; });
  by_filenode_ = KeyDirectory::build(files_.size(), [this](std::size_t i) { return files_[i].filenode; });
  sorted_ = true;
}

RelationFileName RelationFileList::name(std::size_t i) const {
  const Packed &p = files_[i];
  RelationFileName name;
  name.filenode = p.filenode;
  name.fork = static_cast<RelationFork>(p.word & ((1u << kForkBits) - 1));
  if ((p.word & kSpilled) == 0) {
    name.segment = p.word >> kValueShift;
    return name;
  }
  const Side &side = side_[p.word >> kValueShift];
  name.backend = side.backend;
  name.segment = side.segment;
  return name;
}

std::uint16_t RelationFileList::directory(std::size_t i) const {
  const Packed &p = files_[i];
  return (p.word & kSpilled) == 0 ? 0 : side_[p.word >> kValueShift].directory;
}

std::int64_t RelationFileList::backend(std::size_t i) const {
  const Packed &p = files_[i];
  return (p.word & kSpilled) == 0 ? -1 : side_[p.word >> kValueShift].backend;
}

std::optional<std::int64_t> RelationFileList::bytes(std::size_t i) const {
  const std::uint32_t b = files_[i].bytes;
  return b == kNotMeasured ? std::nullopt : std::optional<std::int64_t>(b);
}

void RelationFileList::set_bytes(std::size_t i, std::int64_t bytes) {
  if (bytes >= 0 && bytes < kNotMeasured)
    files_[i].bytes = static_cast<std::uint32_t>(bytes);
}

RelationFileList::Range RelationFileList::range_of(std::uint32_t filenode) const {
  if (!sorted_)
    throw std::logic_error("pg_optimize: relation files looked up before they were sorted");
  const KeyDirectory::Range candidates = by_filenode_.candidates(filenode);
  // Bisection inside the bucket (a few files, unless file nodes bunch up).
  const auto first = std::lower_bound(files_.begin() + static_cast<std::ptrdiff_t>(candidates.first),
                                      files_.begin() + static_cast<std::ptrdiff_t>(candidates.last), filenode,
                                      [](const Packed &p, std::uint32_t node) { return p.filenode < node; });
  Range range;
  range.first = static_cast<std::size_t>(first - files_.begin());
  range.last = range.first;
  while (range.last < files_.size() && files_[range.last].filenode == filenode)
    range.last++;
  return range;
}

} // namespace pgo::core
