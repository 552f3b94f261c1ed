#include "catalog/table_stats.hpp"

#include "pg/fmgr_call.hpp"

extern "C" {
#include "utils/fmgrprotos.h"
}

namespace pgo::catalog {

TableActivity table_activity(Oid table) {
  const Datum oid = ObjectIdGetDatum(table);
  TableActivity a;
  a.live_tuples = pg::call_int64(pg_stat_get_live_tuples, oid);
  a.dead_tuples = pg::call_int64(pg_stat_get_dead_tuples, oid);
  a.seq_scans = pg::call_int64(pg_stat_get_numscans, oid);
  a.mod_since_analyze = pg::call_int64(pg_stat_get_mod_since_analyze, oid);
  a.ins_since_vacuum = pg::call_int64(pg_stat_get_ins_since_vacuum, oid);
  const std::int64_t fetched = pg::call_int64(pg_stat_get_blocks_fetched, oid);
  a.blocks_hit = pg::call_int64(pg_stat_get_blocks_hit, oid);
  a.blocks_read = fetched - a.blocks_hit;
  a.last_vacuum = pg::call_timestamp(pg_stat_get_last_vacuum_time, oid);
  a.last_autovacuum = pg::call_timestamp(pg_stat_get_last_autovacuum_time, oid);
  a.last_analyze = pg::call_timestamp(pg_stat_get_last_analyze_time, oid);
  a.last_autoanalyze = pg::call_timestamp(pg_stat_get_last_autoanalyze_time, oid);
  return a;
}

IndexActivity index_activity(Oid index) {
  const Datum oid = ObjectIdGetDatum(index);
  IndexActivity a;
  a.scans = pg::call_int64(pg_stat_get_numscans, oid);
  a.tuples_read = pg::call_int64(pg_stat_get_tuples_returned, oid);
  a.tuples_fetched = pg::call_int64(pg_stat_get_tuples_fetched, oid);
  const std::int64_t fetched = pg::call_int64(pg_stat_get_blocks_fetched, oid);
  a.blocks_hit = pg::call_int64(pg_stat_get_blocks_hit, oid);
  a.blocks_read = fetched - a.blocks_hit;
  return a;
}

} // namespace pgo::catalog
