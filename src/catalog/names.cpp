#include "catalog/names.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_attribute.h"
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
    NameData name;
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

std::optional<std::string> qualified_name(const ClassCatalog &classes, Oid relid) {
  const ClassRow *row = classes.find(relid);
  if (row == nullptr)
    return classes.partial() ? qualified_name(relid) : std::nullopt;
  if (!classes.has_names())
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

std::string choose_index_name(const ClassCatalog &classes, const std::string &table,
                              const std::vector<std::string> &columns, Oid namespace_oid,
                              std::set<std::pair<Oid, std::string>> &reserved) {
  // Like CREATE INDEX: column names joined by '_', stopping once the text is long enough to be clipped anyway.
  std::string addition;
  for (const std::string &column : columns) {
    if (!addition.empty())
      addition += '_';
    addition += column;
    if (addition.size() >= NAMEDATALEN)
      break;
  }
  // ChooseRelationName's loop (label, label1, label2, ...) against the names of the pg_class scan, which saves a
  // catalog index probe per candidate; makeObjectName does the encoding-aware truncation.
  for (int attempt = 0;; attempt++) {
    const std::string label = attempt == 0 ? "idx" : "idx" + std::to_string(attempt);
    std::optional<std::string> name =
        take(pg::guard([&] { return makeObjectName(table.c_str(), addition.c_str(), label.c_str()); }));
    if (name && !classes.name_taken(namespace_oid, *name) && reserved.emplace(namespace_oid, *name).second)
      return *name;
  }
}

} // namespace pgo::catalog
