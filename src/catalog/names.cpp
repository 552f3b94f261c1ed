#include "catalog/names.hpp"

#include <algorithm>
#include <cstring>

#include "catalog/catalog_scan.hpp"
#include "core/index_name_label.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
}

namespace pgo::catalog {
namespace {

// Copies a palloc'd C string into a std::string and frees it; nullptr becomes std::nullopt.
std::optional<std::string> take(char *text) {
  if (text == nullptr)
    return std::nullopt;
  std::optional<std::string> result;
  try {
    result.emplace(text);
  } catch (...) {
    pfree(text);
    throw;
  }
  pfree(text);
  return result;
}

} // namespace

std::optional<std::string> namespace_name(Oid namespace_oid) {
  return take(pg::guard([&] { return get_namespace_name(namespace_oid); }));
}

std::optional<std::string> attribute_name(Oid relid, core::AttrNumber attnum) {
  // An index probe of pg_attribute, not the system cache: callers ask for a column or two of tens of thousands of
  // tables, once each, and the cache would keep every one of those rows until the backend exits.
  struct Found {
    bool found;
    NameData name{};
  };
  const Found found = pg::guard([&]() -> Found {
    Found f{};
    Relation attribute = table_open(AttributeRelationId, AccessShareLock);
    ScanKeyData keys[2];
    ScanKeyInit(&keys[0], Anum_pg_attribute_attrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
    ScanKeyInit(&keys[1], Anum_pg_attribute_attnum, BTEqualStrategyNumber, F_INT2EQ, Int16GetDatum(attnum));
    SysScanDesc scan = systable_beginscan(attribute, AttributeRelidNumIndexId, true, nullptr, 2, keys);
    HeapTuple tuple = systable_getnext(scan);
    if (HeapTupleIsValid(tuple)) {
      f.found = true;
      f.name = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple))->attname;
    }
    systable_endscan(scan);
    table_close(attribute, AccessShareLock);
    return f;
  });
  if (!found.found)
    return std::nullopt;
  return std::string(NameStr(found.name));
}

void ColumnNames::set(std::size_t i, const char *name) {
  auto found = id_of_.find(name);
  if (found == id_of_.end()) {
    found = id_of_.emplace(name, static_cast<std::uint32_t>(distinct_.size())).first;
    distinct_.emplace_back(name);
  }
  ids_[i] = found->second;
}

ColumnNames ColumnNames::read(const std::vector<std::pair<Oid, core::AttrNumber>> &columns, double attribute_rows) {
  ColumnNames names;
  names.ids_.assign(columns.size(), kMissing);
  if (columns.empty())
    return names;
  // The pairs in (table, column) order, as positions into `columns`: the order of pg_attribute's index.
  std::vector<std::uint32_t> order(columns.size());
  for (std::uint32_t i = 0; i < order.size(); i++)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return columns[a] < columns[b]; });

  if (static_cast<double>(columns.size()) * 100 > attribute_rows) {
    // The tables asked about, as a bitmap over their OID range when that is small (a few bits a table), else as a
    // sorted list: a test per attribute row, millions of them, without a hash set's 40 bytes a table.
    std::vector<Oid> tables;
    tables.reserve(order.size());
    for (std::uint32_t i : order)
      if (tables.empty() || tables.back() != columns[i].first)
        tables.push_back(columns[i].first);
    const Oid lowest = tables.front();
    const std::uint64_t range = std::uint64_t{tables.back()} - lowest + 1;
    std::vector<bool> bitmap;
    if (range <= std::uint64_t{64} * tables.size())
      bitmap.resize(range);
    for (Oid table : tables)
      if (!bitmap.empty())
        bitmap[table - lowest] = true;
    auto wanted = [&](Oid table) {
      if (table < lowest || table > tables.back())
        return false;
      return bitmap.empty() ? std::binary_search(tables.begin(), tables.end(), table) : bitmap[table - lowest];
    };
    auto before = [&](std::uint32_t i, const std::pair<Oid, core::AttrNumber> &key) { return columns[i] < key; };
    CatalogScan scan(AttributeRelationId);
    while (HeapTuple tuple = scan.next()) {
      const auto *att = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple));
      if (att->attnum <= 0 || !wanted(att->attrelid))
        continue;
      const std::pair<Oid, core::AttrNumber> key(att->attrelid, att->attnum);
      for (auto it = std::lower_bound(order.begin(), order.end(), key, before);
           it != order.end() && columns[*it] == key; ++it)
        names.set(*it, NameStr(att->attname));
    }
    scan.close();
    return names;
  }
  Relation attribute = pg::guard([] { return table_open(AttributeRelationId, AccessShareLock); });
  for (std::size_t n = 0; n < order.size(); n++) {
    const std::pair<Oid, core::AttrNumber> &column = columns[order[n]];
    if (n > 0 && column == columns[order[n - 1]]) {
      names.ids_[order[n]] = names.ids_[order[n - 1]];
      continue;
    }
    NameData name{};
    const bool found = pg::guard([&] {
      ScanKeyData keys[2];
      ScanKeyInit(&keys[0], Anum_pg_attribute_attrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(column.first));
      ScanKeyInit(&keys[1], Anum_pg_attribute_attnum, BTEqualStrategyNumber, F_INT2EQ, Int16GetDatum(column.second));
      SysScanDesc scan = systable_beginscan(attribute, AttributeRelidNumIndexId, true, nullptr, 2, keys);
      HeapTuple tuple = systable_getnext(scan);
      const bool f = HeapTupleIsValid(tuple);
      if (f)
        name = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple))->attname;
      systable_endscan(scan);
      return f;
    });
    if (found)
      names.set(order[n], NameStr(name)); // a bad_alloc leaves pg_attribute to the transaction abort
  }
  pg::guard([&] { table_close(attribute, AccessShareLock); });
  return names;
}

std::optional<std::string> qualified_name(const ClassCatalog &classes, Oid relid) {
  const ClassRow *row = classes.find(relid);
  if (row == nullptr)
    return classes.partial() ? qualified_name(relid) : std::nullopt;
  if (!classes.has_names() || row->name == ClassRow::kNoName)
    return qualified_name(relid);
  std::optional<std::string> schema = namespace_name(row->namespace_oid);
  if (!schema)
    return std::nullopt;
  return quote_identifier(*schema) + "." + quote_identifier(classes.name_of(*row));
}

std::optional<std::string> qualified_name(Oid relid) {
  const Oid namespace_oid = pg::guard([&] { return get_rel_namespace(relid); });
  std::optional<std::string> name = take(pg::guard([&] { return get_rel_name(relid); }));
  std::optional<std::string> schema = OidIsValid(namespace_oid) ? namespace_name(namespace_oid) : std::nullopt;
  if (!name || !schema)
    return std::nullopt;
  return quote_identifier(*schema) + "." + quote_identifier(*name);
}

std::string display_name(const ClassCatalog &classes, Oid relid) {
  return qualified_name(classes, relid).value_or(std::to_string(relid));
}

std::string quote_literal(const std::string &text) {
  return *take(pg::guard([&] { return quote_literal_cstr(text.c_str()); }));
}

std::string one_line(const std::string &text, std::size_t width) {
  std::size_t len = text.size();
  if (len > width)
    len = static_cast<std::size_t>(
        pg::guard([&] { return pg_mbcliplen(text.c_str(), static_cast<int>(text.size()), static_cast<int>(width)); }));
  std::string out = text.substr(0, len);
  for (char &c : out)
    if (c == '\n' || c == '\r' || c == '\t')
      c = ' ';
  return len < text.size() ? out + "..." : out;
}

std::string quote_identifier(const std::string &ident) {
  const char *quoted = pg::guard([&] { return ::quote_identifier(ident.c_str()); });
  std::string result(quoted);
  if (quoted != ident.c_str())
    pfree(const_cast<char *>(quoted));
  return result;
}

} // namespace pgo::catalog

extern "C" {
#include "commands/defrem.h"
}

namespace pgo::catalog {

namespace {

// Whether pg_class has a relation of that name in the schema now: one probe of its (relname, relnamespace) index,
// without the system cache (which would keep an entry for every name tried).
bool relation_name_exists(Oid namespace_oid, const std::string &name) {
  return pg::guard([&] {
    NameData key;
    namestrcpy(&key, name.c_str());
    Relation rel = table_open(RelationRelationId, AccessShareLock);
    ScanKeyData keys[2];
    ScanKeyInit(&keys[0], Anum_pg_class_relname, BTEqualStrategyNumber, F_NAMEEQ, NameGetDatum(&key));
    ScanKeyInit(&keys[1], Anum_pg_class_relnamespace, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(namespace_oid));
    SysScanDesc scan = systable_beginscan(rel, ClassNameNspIndexId, true, nullptr, 2, keys);
    const bool found = HeapTupleIsValid(systable_getnext(scan));
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    return found;
  });
}

constexpr const char *kIndexLabel = "idx";

} // namespace

std::string_view IndexNames::NameSet::key_at(std::uint32_t where) const {
  const char *entry = blocks_[where >> kBlockBits].get() + (where & (kBlockBytes - 1));
  return std::string_view(entry + 1, static_cast<unsigned char>(entry[0]));
}

std::size_t IndexNames::NameSet::slot_of(Oid namespace_oid, std::string_view name) const {
  char key[sizeof(Oid) + NAMEDATALEN];
  std::memcpy(key, &namespace_oid, sizeof(Oid));
  std::memcpy(key + sizeof(Oid), name.data(), name.size());
  const std::string_view wanted(key, sizeof(Oid) + name.size());
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t slot = std::hash<std::string_view>()(wanted) & mask;; slot = (slot + 1) & mask)
    if (slots_[slot] == 0 || key_at(slots_[slot] - 1) == wanted)
      return slot;
}

void IndexNames::NameSet::grow() {
  std::vector<std::uint32_t> old(slots_.empty() ? 64 : slots_.size() * 2, 0);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (std::uint32_t where : old) {
    if (where == 0)
      continue;
    std::size_t slot = std::hash<std::string_view>()(key_at(where - 1)) & mask;
    while (slots_[slot] != 0)
      slot = (slot + 1) & mask;
    slots_[slot] = where;
  }
}

bool IndexNames::NameSet::contains(Oid namespace_oid, std::string_view name) const {
  return !slots_.empty() && name.size() < NAMEDATALEN && slots_[slot_of(namespace_oid, name)] != 0;
}

bool IndexNames::NameSet::insert(Oid namespace_oid, std::string_view name) {
  if (name.size() >= NAMEDATALEN)
    name = name.substr(0, NAMEDATALEN - 1); // never the case for names read from the catalog or made to fit
  if ((count_ + 1) * 2 > slots_.size())
    grow();
  const std::size_t slot = slot_of(namespace_oid, name);
  if (slots_[slot] != 0)
    return false;
  const std::size_t size = 1 + sizeof(Oid) + name.size();
  if (used_ + size > kBlockBytes) {
    blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
    used_ = 0;
  }
  char *entry = blocks_.back().get() + used_;
  entry[0] = static_cast<char>(sizeof(Oid) + name.size());
  std::memcpy(entry + 1, &namespace_oid, sizeof(Oid));
  std::memcpy(entry + 1 + sizeof(Oid), name.data(), name.size());
  slots_[slot] = static_cast<std::uint32_t>(((blocks_.size() - 1) << kBlockBits) | used_) + 1;
  used_ += size;
  count_++;
  return true;
}

IndexNames::IndexNames(const ClassCatalog &classes) : from_catalog_(!classes.partial() && classes.has_names()) {
  if (!from_catalog_)
    return;
  for (const auto &entry : classes.rows()) {
    const char *name = classes.name_of(entry.second);
    if (core::ends_with_index_label(name, kIndexLabel))
      taken_.insert(entry.second.namespace_oid, name);
  }
}

void IndexNames::reserve(Oid namespace_oid, const char *name) { taken_.insert(namespace_oid, name); }

std::string IndexNames::choose(const char *table, const std::vector<std::string> &columns, Oid namespace_oid) {
  // Like CREATE INDEX: column names joined by '_', stopping once the text is long enough to be clipped anyway.
  std::string addition;
  for (const std::string &column : columns) {
    if (!addition.empty())
      addition += '_';
    addition += column;
    if (addition.size() >= NAMEDATALEN)
      break;
  }
  // ChooseRelationName's loop (label, label1, label2, ...); makeObjectName does the encoding-aware truncation.
  for (int attempt = 0;; attempt++) {
    char label[16];
    if (attempt == 0)
      snprintf(label, sizeof label, "%s", kIndexLabel);
    else
      snprintf(label, sizeof label, "%s%d", kIndexLabel, attempt);
    std::optional<std::string> name = take(pg::guard([&] { return makeObjectName(table, addition.c_str(), label); }));
    if (!name || taken_.contains(namespace_oid, *name))
      continue;
    if (!from_catalog_ && relation_name_exists(namespace_oid, *name))
      continue;
    taken_.insert(namespace_oid, *name);
    return *name;
  }
}

} // namespace pgo::catalog
