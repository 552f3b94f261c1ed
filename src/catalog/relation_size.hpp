// Sizes on disk, computed from pg_class rows and the files themselves.
//
// Like pg_total_relation_size (table, TOAST table and its index, every index), but without building relcache
// entries: on a catalog of thousands of tables, opening each relation costs far more than the stat() calls.
// The table is locked in ACCESS SHARE mode while it is measured, as pg_total_relation_size does, and the lock is
// released at once so a scan over thousands of tables never fills the lock table.
#pragma once

#include <cstdint>
#include <optional>

#include "catalog/indexes.hpp"
#include "pg/postgres.hpp"

namespace pgo::catalog {

// Total bytes of a table with its TOAST data and indexes; for a partitioned table, of all its partitions at every
// level. std::nullopt when the table no longer exists (dropped while we waited for its lock).
std::optional<std::int64_t> total_relation_bytes(Oid table, const IndexCatalog &indexes);

} // namespace pgo::catalog
