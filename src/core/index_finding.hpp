// What index_usage says about one index, as a small code, and the texts built from it when a row is shown.
//
// index_usage judges hundreds of thousands of indexes together before any row goes out; each row keeps only these
// codes, and its recommendation, statement and reason are written from them one row at a time. PostgreSQL-free:
// every name handed in is already schema-qualified and quoted for SQL.
#pragma once

#include "core/postgres_free.hpp"

#include <cstdint>
#include <string>

namespace pgo::core {

// What to do about an index. The drops are listed in the order their reasons are named (an invalid index that is
// also unused is named invalid).
enum class IndexFinding : std::uint8_t {
  None,          // nothing to do
  Reindex,       // valid, kept, and bloated enough to rebuild
  DropInvalid,   // left invalid by a failed build
  DropDuplicate, // identical to another index that stays
  DropRedundant, // its keys lead another index that stays
  DropUnused     // never scanned
};

// Why an index that could look droppable must stay.
enum class KeptReason : std::uint8_t {
  None,
  OnlyIndexLeftForForeignKey, // "the only index left for foreign key <name>"
  ReplacementsDropped,        // the indexes that would replace it are advised for dropping
  AttachedToPartitioned,      // attached to partitioned index <name>
  PrimaryKey,
  ConstraintNeedsIt, // constraint <name> (of the constraint type given) needs it
  ExclusionConstraint,
  ReplicaIdentity,
  EnforcesUniqueness,
  OnlyIndexOfForeignKey // kept to serve a foreign key whose other indexes all go
};

struct IndexFindingInput {
  IndexFinding finding = IndexFinding::None;
  std::string index;        // the index's qualified name
  bool partitioned = false; // an index of a partitioned table: DROP without CONCURRENTLY, which takes its partitions'
  std::int64_t bytes = 0;   // its size (the unused drop names what it costs to maintain)
  std::int64_t bloat_bytes = 0; // Reindex: the estimated bloat
  std::string replacement;      // DropDuplicate, DropRedundant: the qualified name of the index that stays
};

// The statement that carries the finding out ("" for None).
std::string index_finding_sql(const IndexFindingInput &in);
// The recommendation shown to the user ("" for None).
std::string index_finding_recommendation(const IndexFindingInput &in);

// The reason's text ("" for None). `object` is the foreign key's name (OnlyIndexLeftForForeignKey), the partitioned
// index's qualified name (AttachedToPartitioned) or the constraint's name (ConstraintNeedsIt), whose pg_constraint
// contype is `constraint_type` ('f' a foreign key, 'x' an exclusion constraint, any other a constraint).
std::string kept_reason_text(KeptReason reason, const std::string &object = {}, char constraint_type = 0);

} // namespace pgo::core
