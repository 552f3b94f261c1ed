// A RANGE-partitioned table as partition maintenance sees it: its key (one plain column of a time or integer type)
// and its partitions with their bounds, read from the catalogs through SPI. Also the registrations of
// optimize.partition_config and the one way they are written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/partition_bounds.hpp"
#include "pg/postgres.hpp"
#include "pg/spi.hpp"

namespace pgo::partition {

struct Partition {
  Oid oid = InvalidOid;
  std::string name;      // unquoted
  std::string qualified; // schema.name, quoted
  bool is_default = false;
  bool partitioned = false; // sub-partitioned
  core::ExistingPartition bounds;
};

struct PartitionedTable {
  Oid oid = InvalidOid;
  std::string schema, name; // unquoted
  std::string qualified;    // quoted
  std::string key_column;   // unquoted
  core::PartitionKeyType key_type = core::PartitionKeyType::Timestamptz;
  std::vector<Partition> partitions;

  std::vector<core::ExistingPartition> ranges() const; // the non-default partitions' bounds
  const Partition *default_partition() const;
};

// Reads the table; throws pgo::Error for anything maintenance cannot handle: 42P01 gone, 42809 not a partitioned
// table, 0A000 LIST or HASH, a key of several columns or an expression, a key type other than timestamptz,
// timestamp, date, smallint, integer or bigint, or sub-partitions.
PartitionedTable read_partitioned_table(pg::Spi &spi, Oid relid);

// Whether the relation exists (system caches); whether `role` owns it (or is a member of its owner, or a superuser).
bool exists(Oid relid);
bool owns(Oid relid, Oid role);

struct Registration {
  Oid parent = InvalidOid;
  std::optional<std::string> interval; // time keys
  std::optional<std::int64_t> step;    // integer keys
  int premake = 4;
  std::optional<std::string> retention; // time keys
  std::optional<std::int64_t> retention_values;
  std::string retention_mode = "drop";
  Oid owner = InvalidOid;
};

// Registrations visible to the current role (its own; all of them for pg_monitor and superusers), or the one of
// `parent` when valid. Rows whose table no longer exists are included (parent valid, the table gone).
std::vector<Registration> read_registrations(pg::Spi &spi, Oid parent);

// Writes to optimize.partition_config run as the table's owner (the role that created the extension): no other role
// has DML on it. `sql` is one of this module's fixed statements.
pg::SqlResult write_config(pg::Spi &spi, const std::string &sql, const std::vector<pg::SqlValue> &params);

} // namespace pgo::partition
