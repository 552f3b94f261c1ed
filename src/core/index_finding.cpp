#include "core/index_finding.hpp"

#include <fmt/format.h>

#include "core/units.hpp"

namespace pgo::core {
namespace {

bool is_drop(IndexFinding f) { return f != IndexFinding::None && f != IndexFinding::Reindex; }

// PostgreSQL refuses CONCURRENTLY for a partitioned index; a plain DROP takes its partitions' indexes along.
std::string drop_sql(const IndexFindingInput &in) {
  return in.partitioned ? fmt::format("DROP INDEX {};", in.index)
                        : fmt::format("DROP INDEX CONCURRENTLY {};", in.index);
}

} // namespace

std::string index_finding_sql(const IndexFindingInput &in) {
  if (in.finding == IndexFinding::Reindex)
    return fmt::format("REINDEX INDEX CONCURRENTLY {};", in.index);
  return is_drop(in.finding) ? drop_sql(in) : std::string();
}

std::string index_finding_recommendation(const IndexFindingInput &in) {
  if (in.finding == IndexFinding::None)
    return {};
  if (in.finding == IndexFinding::Reindex)
    return fmt::format("about {} of bloat: REINDEX INDEX CONCURRENTLY {};", pretty_bytes(in.bloat_bytes), in.index);
  const std::string sql = drop_sql(in);
  const char *tree = in.partitioned ? " (a partitioned index: the drop removes its partitions' indexes too and "
                                      "locks the tables briefly)"
                                    : "";
  switch (in.finding) {
  case IndexFinding::DropInvalid:
    return fmt::format("invalid: left by a failed CREATE INDEX or REINDEX CONCURRENTLY, maintained on every write and "
                       "never used; remove it with {} and build it again once the cause (duplicate keys, a cancelled "
                       "build) is fixed{}",
                       sql, tree);
  case IndexFinding::DropDuplicate:
    return fmt::format("duplicate of {}: {}{}", in.replacement, sql, tree);
  case IndexFinding::DropRedundant:
    return fmt::format("its columns lead {}, which serves the same lookups: {}{}", in.replacement, sql, tree);
  default:
    return fmt::format("never scanned since the statistics were reset ({} to maintain on every write): {}{}",
                       pretty_bytes(in.bytes), sql, tree);
  }
}

std::string kept_reason_text(KeptReason reason, const std::string &object, char constraint_type) {
  switch (reason) {
  case KeptReason::None:
    return {};
  case KeptReason::OnlyIndexLeftForForeignKey:
    return fmt::format("the only index left for foreign key {}", object);
  case KeptReason::ReplacementsDropped:
    return "the indexes that would serve its lookups instead are advised for dropping";
  case KeptReason::AttachedToPartitioned:
    return fmt::format("attached to partitioned index {} (advice goes to that one)", object);
  case KeptReason::PrimaryKey:
    return "primary key";
  case KeptReason::ConstraintNeedsIt:
    return fmt::format("{} {} needs it",
                       constraint_type == 'f'   ? "foreign key"
                       : constraint_type == 'x' ? "exclusion constraint"
                                                : "constraint",
                       object);
  case KeptReason::ExclusionConstraint:
    return "exclusion constraint";
  case KeptReason::ReplicaIdentity:
    return "replica identity";
  case KeptReason::EnforcesUniqueness:
    return "enforces uniqueness";
  case KeptReason::OnlyIndexOfForeignKey:
    return "the only index of a foreign key";
  }
  return {};
}

} // namespace pgo::core
