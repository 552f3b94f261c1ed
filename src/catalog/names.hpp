// Names of catalog objects as C++ strings, and SQL quoting done by PostgreSQL's own rules.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catalog/class_catalog.hpp"
#include "core/fk_coverage.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

// std::nullopt when the object no longer exists.
std::optional<std::string> namespace_name(Oid namespace_oid);
std::optional<std::string> attribute_name(Oid relid, core::AttrNumber attnum);

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

} // namespace pgo::catalog

namespace pgo::catalog {

// A name for a new index on `table` over `columns`, chosen as CREATE INDEX would choose it (table_col1_col2_idx,
// truncated to fit, with a number added while the name is taken in the schema) and not in `reserved` either; the
// chosen name is added to `reserved`, so names proposed together in one answer never collide.
std::string choose_index_name(const ClassCatalog &classes, const std::string &table,
                              const std::vector<std::string> &columns, Oid namespace_oid,
                              std::set<std::pair<Oid, std::string>> &reserved);

} // namespace pgo::catalog
