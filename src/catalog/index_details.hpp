// Every index with what index health needs to compare indexes with each other: key and INCLUDE columns, operator
// classes, collations, options, expressions and predicate, and the constraints it enforces. One scan of pg_index.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "catalog/indexes.hpp"
#include "catalog/inheritance.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

// A short array kept inside its owner up to N elements, on the heap beyond: an index's per-column arrays hold one or
// two entries, and four std::vectors put four blocks on the heap for each of hundreds of thousands of indexes.
template <typename T, std::size_t N> class ShortArray {
public:
  ShortArray() = default;
  ShortArray(const ShortArray &other) { assign(other.begin(), other.end()); }
  ShortArray(ShortArray &&other) noexcept { take(other); }
  ShortArray &operator=(const ShortArray &other) {
    if (this != &other)
      assign(other.begin(), other.end());
    return *this;
  }
  ShortArray &operator=(ShortArray &&other) noexcept {
    if (this != &other)
      take(other);
    return *this;
  }

  template <typename It> void assign(It first, It last) {
    const auto n = static_cast<std::size_t>(std::distance(first, last));
    heap_ = n > N ? std::make_unique<T[]>(n) : nullptr;
    size_ = static_cast<std::uint32_t>(n);
    std::copy(first, last, data());
  }
  const T *begin() const { return data(); }
  const T *end() const { return data() + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T &operator[](std::size_t i) const { return data()[i]; }
  friend bool operator==(const ShortArray &a, const ShortArray &b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator!=(const ShortArray &a, const ShortArray &b) { return !(a == b); }

private:
  const T *data() const { return size_ > N ? heap_.get() : inline_; }
  T *data() { return size_ > N ? heap_.get() : inline_; }
  void take(ShortArray &other) {
    std::copy(other.inline_, other.inline_ + N, inline_);
    heap_ = std::move(other.heap_);
    size_ = other.size_;
    other.size_ = 0;
  }

  T inline_[N] = {};
  std::uint32_t size_ = 0;
  std::unique_ptr<T[]> heap_;
};

struct IndexDetails {
  Oid index = InvalidOid;
  Oid table = InvalidOid;
  Oid access_method = InvalidOid;
  int key_count = 0;                   // indnkeyatts
  ShortArray<std::int16_t, 6> columns; // indkey, key columns first, then INCLUDE columns; 0 = expression
  ShortArray<Oid, 3> opclasses;        // per key column
  ShortArray<Oid, 3> collations;       // per key column
  ShortArray<std::int16_t, 6> options; // indoption per key column (DESC, NULLS FIRST)
  std::string expressions;             // nodeToString form, "" when none
  std::string predicate;               // nodeToString form, "" when not partial
  bool unique = false, primary = false, exclusion = false, replica_identity = false;
  bool nulls_not_distinct = false; // indnullsnotdistinct (PostgreSQL 15+)
  bool immediate = true;           // indimmediate: false for a deferrable constraint's index
  bool valid = false, ready = false, live = false;
  bool partitioned = false;      // relkind I: an index of a partitioned table, with no storage of its own
  Oid parent_index = InvalidOid; // the partitioned index it is attached to (pg_inherits), if any
  // A constraint that depends on the index (conindid): its own PRIMARY KEY, UNIQUE or EXCLUDE constraint, or a
  // foreign key referencing it. DROP INDEX refuses such an index.
  char constraint_type = 0;    // pg_constraint.contype of that constraint, 0 when none
  std::string constraint_name; // its name; "" for a primary key's (never shown) and when none
  bool constraint_backed() const { return constraint_type != 0; }
  bool attached() const { return OidIsValid(parent_index); }
  bool partial() const { return !predicate.empty(); }
  // Enforces something: dropping it would change behaviour, not just speed.
  bool enforces_constraint() const { return unique || primary || exclusion || replica_identity; }
};

std::vector<IndexDetails> read_index_details(const ClassCatalog &classes, const Inheritance &inheritance);
// The same indexes, each handed to `take` as it is read, for callers that keep them in a structure of their own.
void read_index_details(const ClassCatalog &classes, const Inheritance &inheritance,
                        const std::function<void(IndexDetails &&)> &take);
// How many indexes read_index_details() finds, as of the ClassCatalog's scan: those outside the excluded schemas
// (an index is in its table's schema).
std::size_t reported_index_count(const ClassCatalog &classes);
// The same, reading pg_inherits itself.
std::vector<IndexDetails> read_index_details(const ClassCatalog &classes);

// Just the invalid indexes (indisvalid = false) outside the excluded schemas: a cheap scan for alerts.
std::vector<Oid> invalid_indexes(const ClassCatalog &classes);

} // namespace pgo::catalog
