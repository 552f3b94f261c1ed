#include "catalog/class_catalog.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "catalog/catalog_scan.hpp"
#include "core/sort_by_key.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "storage/sinval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

#include "pg/guard.hpp"

namespace pgo::catalog {

static_assert(sizeof(ClassRow) == 40, "ClassRow: one per relation, kept small");

namespace {

// Number n is access_methods[n]; 0 is InvalidOid. The built-in ones first, in a fixed order.
std::vector<Oid> &access_methods() {
  static std::vector<Oid> numbered{InvalidOid,  HEAP_TABLE_AM_OID, BTREE_AM_OID,  HASH_AM_OID,
                                   GIST_AM_OID, GIN_AM_OID,        SPGIST_AM_OID, BRIN_AM_OID};
  return numbered;
}

constexpr std::size_t kAccessMethodNumbers = 256;
constexpr std::uint8_t kUnnumbered = 255; // every access method past the first 255: reads back as InvalidOid

} // namespace

std::uint8_t access_method_number(Oid access_method) {
  std::vector<Oid> &numbered = access_methods();
  for (std::size_t n = 0; n < numbered.size(); n++)
    if (numbered[n] == access_method)
      return static_cast<std::uint8_t>(n);
  if (numbered.size() >= kAccessMethodNumbers - 1)
    return kUnnumbered;
  numbered.push_back(access_method);
  return static_cast<std::uint8_t>(numbered.size() - 1);
}

Oid access_method_of_number(std::uint8_t number) {
  const std::vector<Oid> &numbered = access_methods();
  return number < numbered.size() && number != kUnnumbered ? numbered[number] : InvalidOid;
}

ClassRow class_row_from(const FormData_pg_class &rel) {
  ClassRow row;
  row.namespace_oid = rel.relnamespace;
  row.access_method_number = access_method_number(rel.relam);
  row.tablespace = rel.reltablespace;
  row.filenode = rel.relfilenode;
  row.toast = rel.reltoastrelid;
  row.relkind = rel.relkind;
  row.persistence = rel.relpersistence;
  row.shared = rel.relisshared;
  row.populated = rel.relispopulated;
  row.pages = rel.relpages;
  row.tuples = rel.reltuples;
  row.frozen_xid = rel.relfrozenxid;
  row.min_multixact = rel.relminmxid;
  return row;
}

bool is_excluded_namespace(Oid namespace_oid) {
  if (namespace_oid == PG_CATALOG_NAMESPACE || namespace_oid == PG_TOAST_NAMESPACE)
    return true;
  struct Facts {
    bool other_temp;
    bool toast_like;
    bool information_schema;
    bool ours;
  };
  const Facts facts = pg::guard([&] {
    Facts f{isOtherTempNamespace(namespace_oid), false, false, false};
    char *name = get_namespace_name(namespace_oid);
    if (name != nullptr) {
      f.toast_like = std::strncmp(name, "pg_toast", 8) == 0;
      f.information_schema = std::strcmp(name, "information_schema") == 0;
      // pg_optimize's own schema (CREATE EXTENSION refuses one of that name it did not make).
      f.ours = std::strcmp(name, "optimize") == 0;
      pfree(name);
    }
    return f;
  });
  return facts.other_temp || facts.toast_like || facts.information_schema || facts.ours;
}

namespace {

// Reads the table-level settings autovacuum and bloat estimation care about. Only heap relations' options are parsed.
std::optional<TableOptions> read_options(HeapTuple tuple, const ClassRow &row) {
  if (row.relkind != RELKIND_RELATION && row.relkind != RELKIND_MATVIEW && row.relkind != RELKIND_TOASTVALUE)
    return std::nullopt;
  if (heap_attisnull(tuple, Anum_pg_class_reloptions, nullptr))
    return std::nullopt;
  const char relkind = row.relkind;
  TableOptions out;
  pg::guard([&] {
    bool isnull = false;
    const Datum datum = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_reloptions, &isnull);
    if (isnull)
      return;
    const auto *opts = reinterpret_cast<const StdRdOptions *>(heap_reloptions(relkind, datum, false));
    if (opts == nullptr)
      return;
    out.fillfactor = opts->fillfactor;
    const AutoVacOpts &av = opts->autovacuum;
    out.autovacuum_enabled = av.enabled;
    out.vacuum_threshold = av.vacuum_threshold;
    out.vacuum_max_threshold = pg::compat::autovacuum_max_threshold(av);
    out.vacuum_insert_threshold = av.vacuum_ins_threshold;
    out.analyze_threshold = av.analyze_threshold;
    out.freeze_max_age = av.freeze_max_age;
    out.vacuum_scale_factor = av.vacuum_scale_factor;
    out.vacuum_insert_scale_factor = av.vacuum_ins_scale_factor;
    out.analyze_scale_factor = av.analyze_scale_factor;
  });
  return out;
}

} // namespace

ClassCatalog ClassCatalog::read(const char *relkinds, Names names) {
  ClassCatalog catalog;
  catalog.has_names_ = names == Names::Keep;
  bool keep[256];
  std::fill(std::begin(keep), std::end(keep), relkinds == nullptr);
  for (const char *k = relkinds; k != nullptr && *k != '\0'; ++k)
    keep[static_cast<unsigned char>(*k)] = true;
  catalog.partial_ = relkinds != nullptr;
  // A partial catalog without TOAST tables leaves out their indexes too (in the pg_toast schema, never reported; a
  // third of the indexes of a typical catalog): no row of a table it keeps leads to them.
  const bool skip_toast = catalog.partial_ && !keep[static_cast<unsigned char>(RELKIND_TOASTVALUE)];
  std::unordered_map<Oid, bool> excluded; // per schema, decided once
  Oid last_namespace = InvalidOid;
  bool last_excluded = false;
  catalog.invalidations_at_scan_ = SharedInvalidMessageCounter;
  CatalogScan scan(RelationRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *rel = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
    if (!keep[static_cast<unsigned char>(rel->relkind)] || (skip_toast && rel->relnamespace == PG_TOAST_NAMESPACE))
      continue;
    ClassRow row = class_row_from(*rel);
    if (row.namespace_oid != last_namespace) { // rows of one schema mostly come one after another
      auto known = excluded.find(row.namespace_oid);
      if (known == excluded.end())
        known = excluded.emplace(row.namespace_oid, is_excluded_namespace(row.namespace_oid)).first;
      last_namespace = row.namespace_oid;
      last_excluded = known->second;
    }
    row.excluded = last_excluded;
    if (!row.excluded)
      if (std::optional<TableOptions> options = read_options(tuple, row))
        catalog.options_.emplace(rel->oid, *options);
    if (catalog.has_names_ && rel->relnamespace != PG_TOAST_NAMESPACE) // TOAST names: never shown, a fifth of all
      row.name = catalog.names_.add(NameStr(rel->relname));
    catalog.rows_.emplace_back(rel->oid, row);
  }
  scan.close();
  // The heap order of pg_class is OID order with many rows moved a little (updated in place) or far (a new row in
  // space freed by a dropped one), an order on which std::sort fell back to heap sort.
  core::sort_by_key(catalog.rows_, [](const Rows::value_type &row) { return row.first; });
  catalog.directory_ =
      core::KeyDirectory::build(catalog.rows_.size(), [&rows = catalog.rows_](std::size_t i) { return rows[i].first; });
  return catalog;
}

const TableOptions &ClassCatalog::options_of(Oid relid) const {
  const auto found = options_.find(relid);
  return found == options_.end() ? no_options_ : found->second;
}

const ClassRow *ClassCatalog::find(Oid relid) const {
  const core::KeyDirectory::Range range = directory_.candidates(relid);
  std::size_t first = range.first, count = range.last - range.first;
  // Bisection inside the bucket (one or two rows, unless OIDs bunch up).
  while (count > 0) {
    const std::size_t half = count / 2;
    if (rows_[first + half].first < relid) {
      first += half + 1;
      count -= half + 1;
    } else {
      count = half;
    }
  }
  if (first == range.last)
    return nullptr;
  const auto &entry = rows_[first];
  return entry.first == relid ? &entry.second : nullptr;
}

std::uint32_t ClassCatalog::NameArena::add(const char *name) {
  const std::size_t size = strnlen(name, NAMEDATALEN - 1) + 1;
  if (used_ + size > kBlockBytes) {
    blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
    used_ = 0;
  }
  const auto where = static_cast<std::uint32_t>(((blocks_.size() - 1) << kBlockBits) | used_);
  char *copy = blocks_.back().get() + used_;
  std::memcpy(copy, name, size - 1);
  copy[size - 1] = '\0';
  used_ += size;
  return where;
}

} // namespace pgo::catalog

namespace pgo::catalog {

bool ClassCatalog::unchanged_since_scan() const { return SharedInvalidMessageCounter == invalidations_at_scan_; }

} // namespace pgo::catalog
