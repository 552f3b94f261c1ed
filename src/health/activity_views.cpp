// Sessions: optimize.connections (grouped counts), optimize.long_running_queries and optimize.blocked_queries.
#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "health/activity.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "pg/srf.hpp"
#include "settings.hpp"

extern "C" {
#include "commands/dbcommands.h"
#include "utils/timestamp.h"
}

namespace pgo::health {

std::string database_name(Oid database) {
  if (!OidIsValid(database))
    return {};
  const char *name = pg::guard([&] { return get_database_name(database); });
  std::string result = name ? name : std::to_string(database);
  return result;
}

std::string role_name(Oid role) {
  if (!OidIsValid(role))
    return {};
  const char *name = pg::guard([&] { return GetUserNameFromId(role, true); });
  return name ? name : std::to_string(role);
}

double seconds_since(const std::optional<TimestampTz> &ts, TimestampTz now) {
  if (!ts)
    return 0;
  return static_cast<double>(now - *ts) / USECS_PER_SEC;
}

std::vector<const catalog::Backend *> long_running(const std::vector<catalog::Backend> &backends, TimestampTz now,
                                                   int threshold_ms) {
  std::vector<const catalog::Backend *> result;
  for (const catalog::Backend &b : backends)
    if (b.is_client() && b.state == "active" && b.pid != MyProcPid &&
        seconds_since(b.query_start, now) * 1000.0 > threshold_ms)
      result.push_back(&b);
  std::sort(result.begin(), result.end(), [](const catalog::Backend *a, const catalog::Backend *b) {
    return a->query_start.value_or(0) < b->query_start.value_or(0);
  });
  return result;
}

std::vector<BlockedQuery> blocked_queries(const std::vector<catalog::Backend> &backends, TimestampTz now) {
  std::vector<BlockedQuery> result;
  const std::vector<catalog::LockWait> waits = catalog::lock_waits();
  std::unordered_map<int, const catalog::Backend *> by_pid;
  for (const catalog::Backend &b : backends)
    by_pid[b.pid] = &b;
  for (const catalog::LockWait &w : waits) {
    auto blocked = by_pid.find(w.pid);
    if (blocked == by_pid.end())
      continue;
    BlockedQuery q;
    q.backend = blocked->second;
    q.wait = w;
    q.waiting_seconds = w.wait_start ? seconds_since(w.wait_start, now) : seconds_since(q.backend->state_change, now);
    q.blocking_pids = catalog::blocking_pids(w.pid);
    if (!q.blocking_pids.empty()) {
      auto first = by_pid.find(q.blocking_pids.front());
      if (first != by_pid.end())
        q.first_blocker = first->second;
    }
    result.push_back(std::move(q));
  }
  std::sort(result.begin(), result.end(),
            [](const BlockedQuery &a, const BlockedQuery &b) { return a.waiting_seconds > b.waiting_seconds; });
  return result;
}

} // namespace pgo::health

PGO_FUNCTION(pgo_connections) {
  using namespace pgo;
  const std::vector<catalog::Backend> backends = catalog::read_backends();
  struct Group {
    std::int64_t count = 0;
    std::optional<TimestampTz> oldest_xact, oldest_state_change;
  };
  using Key = std::tuple<Oid, Oid, std::string, std::string, std::string>;
  std::map<Key, Group> groups;
  for (const catalog::Backend &b : backends) {
    if (!b.is_client())
      continue;
    Group &g = groups[Key{b.database, b.role, b.application, b.client_address, b.state}];
    g.count++;
    if (b.xact_start && (!g.oldest_xact || *b.xact_start < *g.oldest_xact))
      g.oldest_xact = b.xact_start;
    if (b.state_change && (!g.oldest_state_change || *b.state_change < *g.oldest_state_change))
      g.oldest_state_change = b.state_change;
  }
  pg::ResultSet out(fcinfo);
  for (const auto &[key, g] : groups) {
    const auto &[database, role, application, client, state] = key;
    out.begin_row();
    out.add_text(health::database_name(database));
    out.add_text(health::role_name(role));
    out.add_text(application);
    if (client.empty())
      out.add_null();
    else
      out.add_text(client);
    out.add_text(state);
    out.add_int64(g.count);
    out.add_timestamp(g.oldest_xact);
    out.add_timestamp(g.oldest_state_change);
    out.end_row();
  }
  return out.done();
}

PGO_FUNCTION(pgo_long_running_queries) {
  using namespace pgo;
  const std::vector<catalog::Backend> backends = catalog::read_backends();
  const TimestampTz now = GetCurrentTimestamp();
  pg::ResultSet out(fcinfo);
  for (const catalog::Backend *b : health::long_running(backends, now, settings::slow_query_ms)) {
    out.begin_row();
    out.add_int32(b->pid);
    out.add_text(health::database_name(b->database));
    out.add_text(health::role_name(b->role));
    out.add_text(b->application);
    out.add_timestamp(b->query_start);
    out.add_float8(health::seconds_since(b->query_start, now));
    if (b->wait_event_type.empty())
      out.add_null();
    else
      out.add_text(b->wait_event_type + ": " + b->wait_event);
    out.add_text(b->query);
    out.end_row();
  }
  return out.done();
}

PGO_FUNCTION(pgo_blocked_queries) {
  using namespace pgo;
  const std::vector<catalog::Backend> backends = catalog::read_backends();
  const TimestampTz now = GetCurrentTimestamp();
  pg::ResultSet out(fcinfo);
  for (const health::BlockedQuery &q : health::blocked_queries(backends, now)) {
    out.begin_row();
    out.add_int32(q.backend->pid);
    out.add_text(health::database_name(q.backend->database));
    out.add_text(health::role_name(q.backend->role));
    out.add_text(q.backend->query);
    out.add_float8(q.waiting_seconds);
    out.add_text(q.wait.lock_type);
    out.add_text(q.wait.mode);
    if (OidIsValid(q.wait.relation))
      out.add_oid(q.wait.relation);
    else
      out.add_null();
    out.add_int32_array(q.blocking_pids);
    if (q.first_blocker) {
      out.add_text(q.first_blocker->query);
      out.add_text(q.first_blocker->state);
    } else {
      out.add_null();
      out.add_null();
    }
    out.end_row();
  }
  return out.done();
}
