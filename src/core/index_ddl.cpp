#include "core/index_ddl.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pgo::core {
namespace {

std::string qualified_index(const IndexTarget &t) { return fmt::format("{}.{}", t.schema, t.index_name); }

void append_partitioned(const IndexTarget &t, const std::string &columns, std::vector<std::string> &out) {
  if (!t.partitioned) {
    out.push_back(fmt::format("CREATE INDEX CONCURRENTLY IF NOT EXISTS {} ON {}.{} ({});", t.index_name, t.schema,
                              t.table, columns));
    return;
  }
  out.push_back(
      fmt::format("CREATE INDEX IF NOT EXISTS {} ON ONLY {}.{} ({});", t.index_name, t.schema, t.table, columns));
  for (const IndexTarget &child : t.partitions) {
    append_partitioned(child, columns, out);
    out.push_back(fmt::format("ALTER INDEX {} ATTACH PARTITION {};", qualified_index(t), qualified_index(child)));
  }
}

} // namespace

std::string create_index_statements(const IndexTarget &target, const std::vector<std::string> &quoted_columns) {
  const std::string columns = fmt::format("{}", fmt::join(quoted_columns, ", "));
  std::vector<std::string> statements;
  append_partitioned(target, columns, statements);
  return fmt::format("{}", fmt::join(statements, "\n"));
}

} // namespace pgo::core
