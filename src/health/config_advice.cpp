// optimize.config_recommendations(): configuration advice for this server, from the PostgreSQL-free arithmetic in
// core/config_advice with the machine's memory and CPUs and the server's current settings.
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

#include "catalog/names.hpp"
#include "core/config_advice.hpp"
#include "health/config_advice.hpp"

#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/guc.h"
}

namespace pgo::health {
namespace {

// Physical memory, or the cgroup (container) limit when that is lower.
std::int64_t detect_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  std::int64_t memory = pages > 0 && page_size > 0 ? static_cast<std::int64_t>(pages) * page_size : 0;
  for (const char *path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream file(path);
    std::int64_t limit = 0;
    if (file >> limit && limit > 0 && (memory == 0 || limit < memory))
      memory = limit;
  }
  return memory;
}

bool needs_restart(const std::string &setting) {
  return setting == "shared_buffers" || setting == "wal_buffers" || setting == "max_connections" ||
         (setting == "autovacuum_max_workers" && pg::compat::autovacuum_max_workers_needs_restart());
}

} // namespace

std::vector<ConfigAdvice> config_advice(std::optional<std::int64_t> memory, const std::string &storage,
                                        std::optional<int> max_client_connections) {
  core::ConfigInputs in;
  in.total_memory_bytes = memory ? *memory : detect_memory_bytes();
  in.storage = core::parse_storage(storage);
  in.max_client_connections = max_client_connections;
  in.current_max_connections = MaxConnections;
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  in.cpu_count = cpus > 0 ? static_cast<int>(cpus) : 1;

  std::vector<ConfigAdvice> result;
  for (core::Recommendation &r : core::config_recommendations(in)) {
    ConfigAdvice a;
    const char *current = pg::guard([&] { return GetConfigOptionByName(r.setting.c_str(), nullptr, true); });
    a.current_value = current ? current : "";
    a.needs_restart = needs_restart(r.setting);
    a.sql = fmt::format("ALTER SYSTEM SET {} = {};", r.setting, catalog::quote_literal(r.value));
    a.recommendation = std::move(r);
    result.push_back(std::move(a));
  }
  return result;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_config_recommendations) {
  using namespace pgo;
  std::optional<std::int64_t> memory;
  if (!PG_ARGISNULL(0))
    memory = PG_GETARG_INT64(0);
  if (PG_ARGISNULL(1))
    throw Error(sqlstate::kNullValueNotAllowed, "storage must not be null", "",
                "Pass 'ssd', 'hdd' or 'network', or leave the argument out for 'ssd'.");
  const std::string storage = pg::guard([&] { return text_to_cstring(PG_GETARG_TEXT_PP(1)); });
  std::optional<int> clients;
  if (!PG_ARGISNULL(2))
    clients = PG_GETARG_INT32(2);
  const std::vector<health::ConfigAdvice> rows = health::config_advice(memory, storage, clients);

  pg::ResultSet out(fcinfo);
  for (const health::ConfigAdvice &a : rows) {
    out.begin_row();
    out.add_text(a.recommendation.setting);
    out.add_text(a.current_value);
    out.add_text(a.recommendation.value);
    out.add_text(a.recommendation.unit_kind);
    out.add_text(a.recommendation.reason);
    out.add_bool(a.needs_restart);
    out.add_text(a.sql);
    out.end_row();
  }
  return out.done();
}
