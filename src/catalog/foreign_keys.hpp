// Foreign keys as the catalog describes them, read with one scan of pg_constraint.
#pragma once

#include <string>
#include <vector>

#include "core/fk_coverage.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

struct ForeignKey {
  Oid constraint_oid = InvalidOid;
  Oid table = InvalidOid;            // conrelid: the referencing table
  Oid referenced_table = InvalidOid; // confrelid
  Oid namespace_oid = InvalidOid;    // connamespace (the referencing table's schema)
  std::string name;
  std::vector<core::AttrNumber> columns; // conkey, in constraint order
};

// Every foreign key that a user would call one: root constraints only (a partitioned table's clones on each
// partition are left out), outside pg_catalog, information_schema, the TOAST schemas and other sessions'
// temporary schemas.
std::vector<ForeignKey> read_user_foreign_keys();

// True for schemas whose objects pg_optimize never reports: pg_catalog, information_schema, pg_toast*, and
// temporary schemas of other sessions (this session's own temporary schema is reported).
bool is_excluded_namespace(Oid namespace_oid);

} // namespace pgo::catalog
