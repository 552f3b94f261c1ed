// Foreign keys as the catalog describes them, read with one scan of pg_constraint.
#pragma once

#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "catalog/class_catalog.hpp"
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
// temporary schemas; only those `keep` accepts (asked with the referencing table and the columns, before anything is
// copied), each handed to `take` as it is read.
using ForeignKeyFilter = std::function<bool(Oid table, const std::vector<core::AttrNumber> &columns)>;
void scan_user_foreign_keys(const ForeignKeyFilter &keep, const std::function<void(ForeignKey &&)> &take);

} // namespace pgo::catalog
