// The estimated size of a GIN index: entries per row from what the operator class extracts out of a value of a given
// average width, then a few bytes per entry.
//
// A GIN index stores each distinct key once and, for each key, the row pointers as delta-compressed posting lists:
// a key found in many rows costs one or two bytes per row, a rare key its entry tuple besides. About two bytes per
// (row, key) pair on the whole, pages and keys included: measured on the bench's million stories (PostgreSQL 15,
// bench/run-index-advisor): jsonb_ops on a three-pair object 2.3 bytes an entry, jsonb_path_ops 3.4,
// to_tsvector('english', ...) of a 76-character sentence 1.5.
#pragma once

#include "core/postgres_free.hpp"

#include "core/index_advice.hpp"

namespace pgo::core {

// What a GIN operator class extracts from one value.
enum class GinKeys {
  JsonbKeysAndValues, // jsonb_ops: every key and every scalar value
  JsonbPaths,         // jsonb_path_ops: one hash per scalar value (with its path)
  TextWords,          // a tsvector computed from text (to_tsvector(config, column)): the lexemes
  TsVector,           // a stored tsvector: its lexemes
  ArrayElements,      // array_ops: the distinct elements
  Trigrams,           // pg_trgm's gin_trgm_ops: the trigrams of the text
  Other,              // anything else: one entry per row
};

// Average entries one row contributes, from the average width in bytes of the value the keys are extracted from (for
// TextWords, the text; for the others, the indexed value itself). At least 1.
double gin_entries_per_row(GinKeys keys, double width);

// Pages of a GIN index over `tuples` rows of `entries_per_row` entries each (metapage and entry tree root included).
IndexSize estimate_gin_index_size(double tuples, double entries_per_row, int block_size = 8192);

} // namespace pgo::core
