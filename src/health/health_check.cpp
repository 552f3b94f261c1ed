// optimize.health_check(): a quick pass over the signals that matter minute to minute. It reads only shared state
// (sessions, locks, databases, replication slots) and this database's counters, never every table, so it is cheap
// enough to call every few seconds.
#include <algorithm>

#include <fmt/format.h>

#include "core/maintenance_math.hpp"
#include "health/health_data.hpp"
#include "health/metrics.hpp"
#include "health/thresholds.hpp"
#include "pg/barrier.hpp"
#include "pg/srf.hpp"
#include "settings.hpp"

extern "C" {
#include "access/xlog.h"
}

namespace {

const char *level(double value, double warning, double critical) {
  return pgo::health::severity_of(value, warning, critical, "ok");
}

} // namespace

PGO_FUNCTION(pgo_health_check) {
  using namespace pgo;
  health::HealthData data;
  pg::ResultSet out(fcinfo);
  auto row = [&](const char *name, const char *status, const std::string &detail) {
    out.begin_row();
    out.add_text(name);
    out.add_text(status);
    out.add_text(detail);
    out.end_row();
  };

  const bool standby = RecoveryInProgress();
  row("server", "ok", standby ? "hot standby (read-only)" : "primary");

  const health::ConnectionCounts c = health::connection_counts(data);
  row("connections", level(c.used_pct, settings::alert_connection_pct, settings::alert_connection_critical_pct),
      fmt::format("{} of {} usable slots in use ({:.0f}%): {} active, {} idle, {} idle in transaction", c.total,
                  c.usable_slots, c.used_pct, c.active, c.idle, c.idle_in_transaction));

  const auto slow = health::long_running(data.backends(), data.now(), settings::slow_query_ms);
  const double longest_ms = slow.empty() ? 0 : health::seconds_since(slow.front()->query_start, data.now()) * 1000;
  row("long_running_queries", level(longest_ms, settings::slow_query_ms, settings::slow_query_critical_ms),
      slow.empty() ? fmt::format("none over {} ms", settings::slow_query_ms)
                   : fmt::format("{} over {} ms, the longest {:.0f} ms (pid {})", slow.size(), settings::slow_query_ms,
                                 longest_ms, slow.front()->pid));

  const auto &blocked = data.blocked();
  const double wait_ms = blocked.empty() ? 0 : blocked.front().waiting_seconds * 1000;
  row("blocked_queries",
      blocked.empty() ? "ok" : level(wait_ms, settings::alert_lock_wait_ms, settings::alert_lock_wait_critical_ms),
      blocked.empty() ? std::string("no session waits for a lock")
                      : fmt::format("{} waiting, the longest {:.0f} ms (pid {})", blocked.size(), wait_ms,
                                    blocked.front().backend->pid));

  double idle_longest = 0;
  int idle_count = 0;
  for (const catalog::Backend &b : data.backends())
    if (b.is_client() && b.state.rfind("idle in transaction", 0) == 0) {
      idle_count++;
      idle_longest = std::max(idle_longest, health::seconds_since(b.state_change, data.now()));
    }
  row("idle_in_transaction",
      level(idle_longest, settings::alert_idle_in_transaction_s, settings::alert_idle_in_transaction_critical_s),
      fmt::format("{} sessions idle in transaction, the longest for {:.0f} s", idle_count, idle_longest));

  std::int64_t oldest = 0;
  std::string oldest_db;
  for (const catalog::DatabaseAge &d : data.databases())
    if (d.xid_age && *d.xid_age > oldest) {
      oldest = *d.xid_age;
      oldest_db = d.name;
    }
  const double pct = core::xid_age_pct(oldest);
  row("xid_wraparound", level(pct, settings::alert_xid_age_pct, settings::alert_xid_age_critical_pct),
      fmt::format("oldest unfrozen XID {} transactions old in {} ({:.2f}% of the way to the stop)", oldest, oldest_db,
                  pct));

  int inactive = 0;
  std::int64_t retained = 0;
  for (const catalog::ReplicationSlotFacts &s : data.slots())
    if (!s.active) {
      inactive++;
      retained = std::max(retained, s.retained_bytes);
    }
  row("replication_slots",
      inactive == 0 ? "ok"
                    : level(static_cast<double>(retained) / (1024.0 * 1024.0), settings::alert_slot_retained_mb,
                            settings::alert_slot_retained_critical_mb),
      fmt::format("{} slots, {} inactive{}", data.slots().size(), inactive,
                  inactive ? fmt::format(" (the worst keeps {} MB of WAL)", retained / (1024 * 1024)) : ""));

  const catalog::DatabaseActivity &db = data.database_activity();
  const std::int64_t reads = db.blocks_hit + db.blocks_read;
  const double hit = reads > 0 ? 100.0 * static_cast<double>(db.blocks_hit) / static_cast<double>(reads) : 100.0;
  row("cache_hit_pct", reads < 10000 || hit >= 95 ? "ok" : (hit >= 90 ? "warning" : "critical"),
      fmt::format("{:.2f}% of {} block reads from shared buffers", hit, reads));
  return out.done();
}
