// What a statement asks of each table it reads, found in its analysed query tree (never in its text): the columns
// and expressions compared with a value (equality or range, by the operator's btree strategy), the ORDER BY columns,
// the keys a GIN index would serve (an operator of the type's default GIN operator class: jsonb @> ? ?| ?&, array
// @> <@ &&, tsvector @@ on a to_tsvector(config, text) expression), and the fixed filters a partial index could take
// (a boolean column, IS [NOT] NULL, equality or IN on a column with few distinct values).
#pragma once

#include <string>
#include <vector>

#include "advisor/planning.hpp"

namespace pgo::advisor {

enum class UseKind { Equality, Range, OrderBy, Gin, Fixed };

struct Use {
  Oid relid = InvalidOid;
  UseKind kind = UseKind::Equality;
  std::string key; // quoted column name or parenthesised expression, as CREATE INDEX writes it
  bool expression = false;
  bool descending = false; // ORDER BY ... DESC
  double distinct = 0;     // estimated distinct values of a column (0: unknown)
  std::string predicate;   // Fixed: the filter as SQL over the table's columns
};

std::vector<Use> statement_uses(const ParsedStatement &statement);

} // namespace pgo::advisor
