// Statements that create the index a foreign key is missing, written to run as they are.
//
// PostgreSQL-free: every identifier handed in is already quoted for SQL (the catalog layer quotes with
// PostgreSQL's own quote_identifier, which knows the keyword list).
#pragma once

#include "core/postgres_free.hpp"

#include <string>
#include <vector>

namespace pgo::core {

struct IndexTarget {
  std::string schema;     // quoted schema of the table (the index lives there too)
  std::string table;      // quoted table name
  std::string index_name; // quoted name for the new index
  bool partitioned = false;
  std::vector<IndexTarget> partitions; // for a partitioned table: its direct partitions
};

// One statement for a plain table: CREATE INDEX CONCURRENTLY IF NOT EXISTS ... ON schema.table (cols);
// For a partitioned table, where CONCURRENTLY is refused, the statements that build the same index without blocking
// writes for long, one per line: the parent index is created ON ONLY (invalid, empty), each leaf partition's index is
// built CONCURRENTLY and attached, sub-partitioned levels the same way; the parent becomes valid with the last attach.
// Every statement ends with ';' and stands on a line of its own, so the lines can be run one by one (psql \gexec).
std::string create_index_statements(const IndexTarget &target, const std::vector<std::string> &quoted_columns);

} // namespace pgo::core
