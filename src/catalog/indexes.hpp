// The indexes of each table of the database, read with one scan of pg_index.
#pragma once

#include <vector>

#include "core/key_directory.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

// A run of OIDs inside a container that outlives it.
class OidRange {
public:
  OidRange(const Oid *begin, const Oid *end) : begin_(begin), end_(end) {}
  const Oid *begin() const { return begin_; }
  const Oid *end() const { return end_; }
  std::size_t size() const { return static_cast<std::size_t>(end_ - begin_); }
  bool empty() const { return begin_ == end_; }

private:
  const Oid *begin_;
  const Oid *end_;
};

class IndexCatalog {
public:
  // Reads every index: the table -> index lists that sizes need.
  static IndexCatalog read();

  // Every index on `table`, partitioned indexes included, in pg_index scan order.
  OidRange indexes_of(Oid table) const;

private:
  // Every (table, index) pair, sorted by table: 8 bytes an index, where a hash map of vectors took ten times that.
  std::vector<Oid> tables_;
  std::vector<Oid> indexes_;
  core::KeyDirectory directory_; // over tables_: indexes_of() looks in one bucket
};

} // namespace pgo::catalog
