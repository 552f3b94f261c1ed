// Names of catalog objects as C++ strings, and SQL quoting done by PostgreSQL's own rules.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "core/fk_coverage.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

// std::nullopt when the object no longer exists.
std::optional<std::string> namespace_name(Oid namespace_oid);
std::optional<std::string> attribute_name(Oid relid, core::AttrNumber attnum);

// The names of many (table, column number) pairs, each kept once however many pairs share it (tables of one schema
// repeat their column names).
class ColumnNames {
public:
  // Read in (table, column) order, with one index probe of pg_attribute each (pg_attribute opened once),
  // or with one sequential scan of it when there are more than a hundredth as many pairs as `attribute_rows`, its
  // estimated row count: at 50,000 pairs in a catalog of 2.3 million attributes the scan took 120 ms, the probes 220.
  static ColumnNames read(const std::vector<std::pair<Oid, core::AttrNumber>> &columns, double attribute_rows);
  // The name of the i-th pair; nullptr for a column that no longer exists.
  const std::string *name(std::size_t i) const { return ids_[i] == kMissing ? nullptr : &distinct_[ids_[i]]; }

private:
  static constexpr std::uint32_t kMissing = UINT32_MAX;
  void set(std::size_t i, const char *name);

  std::vector<std::uint32_t> ids_;
  std::vector<std::string> distinct_;
  std::unordered_map<std::string, std::uint32_t> id_of_;
};

// quote_identifier(): quotes only where SQL needs it (upper case, spaces, quotes, keywords).
std::string quote_identifier(const std::string &ident);
// quote_literal(): a string as an SQL string literal.
std::string quote_literal(const std::string &text);

// A statement's text for a one-line message: newlines and tabs become spaces, and a text longer than `width` bytes is
// cut there, never inside a character of the server encoding, with "..." added.
std::string one_line(const std::string &text, std::size_t width);

// schema.name, each part quoted where needed; std::nullopt when the relation or its schema is gone. A relation a
// partial catalog left out is looked up in the system caches.
std::optional<std::string> qualified_name(const ClassCatalog &classes, Oid relid);
// The same from the system caches alone.
std::optional<std::string> qualified_name(Oid relid);
// For a text that names the relation: qualified_name(), or its OID in digits when the relation or its schema is gone.
std::string display_name(const ClassCatalog &classes, Oid relid);

} // namespace pgo::catalog

namespace pgo::catalog {

// Names for new indexes, chosen as CREATE INDEX would choose them (table_col1_col2_idx, truncated to fit, with a number
// added while the name is taken in the schema), none of them chosen twice in one answer.
//
// CREATE INDEX probes pg_class by name for each try. Here the catalog of the pg_class scan is read once for the only
// names that can equal a try, those ending in "_idx" and digits (core::ends_with_index_label): a few per schema in a
// typical catalog, where keeping every name (or its hash) of a catalog of 500,000 relations took megabytes and a
// sort. A catalog read without every name is asked through pg_class's name index instead, one probe per try.
class IndexNames {
public:
  explicit IndexNames(const ClassCatalog &classes);
  IndexNames(const IndexNames &) = delete;
  IndexNames &operator=(const IndexNames &) = delete;

  // A free name for an index on `table` over `columns`, in the schema `namespace_oid`; it is taken from then on.
  std::string choose(const char *table, const std::vector<std::string> &columns, Oid namespace_oid);
  // Marks a name as taken (an existing index the answer reuses).
  void reserve(Oid namespace_oid, const char *name);

private:
  bool from_catalog_; // false: the catalog lacks rows or names, so pg_class is probed
  // (schema, name) of the catalog's names that could clash and of every name chosen or reserved: the bytes of the
  // schema OID and the name, one after another in blocks that never move, found through an open-addressing table of
  // their positions (about 35 bytes a name, where a std::set of pairs took over 100).
  class NameSet {
  public:
    // False when it was there already.
    bool insert(Oid namespace_oid, std::string_view name);
    bool contains(Oid namespace_oid, std::string_view name) const;

  private:
    static constexpr unsigned kBlockBits = 16;
    static constexpr std::size_t kBlockBytes = std::size_t{1} << kBlockBits;
    std::size_t slot_of(Oid namespace_oid, std::string_view name) const; // where it is, or the empty slot for it
    std::string_view key_at(std::uint32_t where) const;
    void grow();

    std::vector<std::unique_ptr<char[]>> blocks_;
    std::size_t used_ = kBlockBytes;   // in the last block
    std::vector<std::uint32_t> slots_; // position + 1 in the blocks; 0: empty
    std::size_t count_ = 0;
  };
  NameSet taken_;
};

} // namespace pgo::catalog
