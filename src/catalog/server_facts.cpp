#include "catalog/server_facts.hpp"

#include "catalog/catalog_scan.hpp"
#include "pg/fmgr_call.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xlog.h"
#include "access/xlogrecovery.h"
#include "catalog/pg_database.h"
#include "replication/slot.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
#include "utils/fmgrprotos.h"
}

namespace pgo::catalog {
namespace {} // namespace

std::vector<DatabaseAge> database_ages() {
  struct Raw {
    Oid oid;
    NameData name;
    bool allow;
    std::uint32_t frozen, minmxid;
  };
  std::vector<Raw> raw;
  CatalogScan scan(DatabaseRelationId);
  while (HeapTuple tuple = scan.next()) {
    const auto *db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
    raw.push_back(Raw{db->oid, db->datname, db->datallowconn, db->datfrozenxid, db->datminmxid});
  }
  scan.close();
  std::vector<DatabaseAge> result;
  for (const Raw &r : raw) {
    DatabaseAge d;
    d.database = r.oid;
    d.name = NameStr(r.name);
    d.allows_connections = r.allow;
    d.xid_age = pg::id_age(xid_age, r.frozen);
    d.mxid_age = pg::id_age(mxid_age, r.minmxid);
    result.push_back(std::move(d));
  }
  return result;
}

std::vector<ReplicationSlotFacts> replication_slots() {
  struct Raw {
    NameData name;
    bool in_use, active, logical;
    XLogRecPtr restart;
  };
  std::vector<ReplicationSlotFacts> result;
  if (max_replication_slots <= 0 || ReplicationSlotCtl == nullptr)
    return result;
  const XLogRecPtr now =
      pg::guard([] { return RecoveryInProgress() ? GetXLogReplayRecPtr(nullptr) : GetXLogInsertRecPtr(); });
  for (int i = 0; i < max_replication_slots; i++) {
    const Raw raw = pg::guard([&]() -> Raw {
      Raw r{};
      LWLockAcquire(ReplicationSlotControlLock, LW_SHARED);
      ReplicationSlot *slot = &ReplicationSlotCtl->replication_slots[i];
      if (slot->in_use) {
        SpinLockAcquire(&slot->mutex);
        r.in_use = true;
        r.name = slot->data.name;
        r.active = slot->active_pid != 0;
        r.logical = OidIsValid(slot->data.database);
        r.restart = slot->data.restart_lsn;
        SpinLockRelease(&slot->mutex);
      }
      LWLockRelease(ReplicationSlotControlLock);
      return r;
    });
    if (!raw.in_use)
      continue;
    ReplicationSlotFacts f;
    f.name = NameStr(raw.name);
    f.active = raw.active;
    f.logical = raw.logical;
    f.retained_bytes =
        raw.restart != InvalidXLogRecPtr && now > raw.restart ? static_cast<std::int64_t>(now - raw.restart) : 0;
    result.push_back(std::move(f));
  }
  return result;
}

DatabaseActivity current_database_activity() {
  const Datum db = ObjectIdGetDatum(MyDatabaseId);
  DatabaseActivity a;
  a.xact_commit = pg::call_int64(pg_stat_get_db_xact_commit, db);
  a.xact_rollback = pg::call_int64(pg_stat_get_db_xact_rollback, db);
  const std::int64_t fetched = pg::call_int64(pg_stat_get_db_blocks_fetched, db);
  a.blocks_hit = pg::call_int64(pg_stat_get_db_blocks_hit, db);
  a.blocks_read = fetched - a.blocks_hit;
  a.deadlocks = pg::call_int64(pg_stat_get_db_deadlocks, db);
  a.temp_bytes = pg::call_int64(pg_stat_get_db_temp_bytes, db);
  a.stats_reset = pg::call_timestamp(pg_stat_get_db_stat_reset_time, db);
  return a;
}

} // namespace pgo::catalog
