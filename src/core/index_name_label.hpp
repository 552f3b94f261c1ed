// Which relation names can clash with the names CREATE INDEX chooses for an index of its own (table_col_idx,
// table_col_idx1, ...). PostgreSQL-free: the catalog side uses it to keep only those few names of a catalog.
#pragma once

#include "core/postgres_free.hpp"

#include <string_view>

namespace pgo::core {

// True when `name` ends with "_" + `label`, optionally followed by decimal digits: the only shape of name that
// makeObjectName(table, columns, label) or a numbered retry (label1, label2, ...) can return, since it truncates the
// table and column parts but never the label or the "_" before it. Every other name can never equal a candidate.
bool ends_with_index_label(std::string_view name, std::string_view label);

} // namespace pgo::core
