-- bench/health/metrics.sql
--
-- Plain-SQL counterpart of optimize.metrics(), as a view pgo_baseline.metrics
-- (metric, value, unit, description), one row per metric in the same order.
-- Session figures come from pg_stat_activity and pg_locks, database figures
-- from pg_stat_database and pg_database_size(), table and index figures from
-- the baseline views pgo_baseline.table_health and pgo_baseline.index_usage
-- (table_health.sql and index_usage.sql: load them first), sequence figures
-- from pgo_baseline.sequence_usage (alerts.sql).
--
--   connections_*            client backends (backend_type 'client backend');
--                            usable slots = max_connections minus
--                            superuser_reserved_connections and (16 and later)
--                            reserved_connections
--   blocked_queries          pg_locks rows not granted, of a session in
--                            pg_stat_activity
--   longest_*_seconds        other client sessions' oldest statement (active
--                            ones) and oldest open transaction
--   cache_hit_pct            100 * blks_hit / (blks_hit + blks_read) of this database
--   index_hit_pct            the same over pg_statio_user_indexes: each index
--                            with storage counted once (a partitioned index
--                            has no I/O of its own)
--   dead_tuple_pct           100 * dead / (live + dead) over table_health
--   tables_needing_*         table_health rows with vacuum/analyze_needed
--   estimated_bloat_bytes    sum of table_health's estimates (method-dependent)
--                            (these four leave out the rows of partitioned
--                            tables, which sum their partitions' rows)
--   unused_index_bytes       sum of index_usage.bytes where unused
--   invalid_indexes          index_usage rows that are not valid
--   missing_fk_indexes       foreign keys no index covers (the rule of
--                            optimize.missing_fk_indexes(), as
--                            pgo_baseline.fk_covering_index in index_usage.sql
--                            has it)
--   xid_age_max              max age(datfrozenxid) over all databases
--   mxid_age_max             max mxid_age(datminmxid) over all databases
--                            (datminmxid 1 is the first valid multixact id: it
--                            has an age like any other)
--   sequences_near_exhaustion  sequence_usage rows at or past
--                            pg_optimize.alert_sequence_pct
--   inactive_replication_slots, replication_slot_retained_bytes
--                            pg_replication_slots without a client; WAL from
--                            restart_lsn to the current insert position

CREATE SCHEMA IF NOT EXISTS pgo_baseline;

CREATE OR REPLACE VIEW pgo_baseline.metrics AS
WITH conn AS (
    SELECT count(*)                                                        AS total,
           count(*) FILTER (WHERE state = 'active')                        AS active,
           count(*) FILTER (WHERE state = 'idle')                          AS idle,
           count(*) FILTER (WHERE state LIKE 'idle in transaction%')       AS idle_in_xact,
           count(*) FILTER (WHERE wait_event_type = 'Lock')                AS waiting,
           coalesce(max(extract(epoch FROM clock_timestamp() - query_start))
                      FILTER (WHERE state = 'active' AND pid <> pg_backend_pid()), 0) AS longest_query,
           coalesce(max(extract(epoch FROM clock_timestamp() - xact_start))
                      FILTER (WHERE pid <> pg_backend_pid()), 0)           AS longest_xact,
           greatest(1, current_setting('max_connections')::int
                       - current_setting('superuser_reserved_connections')::int
                       - coalesce(current_setting('reserved_connections', true), '0')::int) AS usable  -- (16+)
      FROM pg_stat_activity
     WHERE backend_type = 'client backend'
),
blocked AS (
    SELECT count(*) AS n
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE NOT l.granted
),
db AS (
    SELECT blks_hit, blks_read, xact_commit, xact_rollback, deadlocks, temp_bytes, stats_reset,
           pg_database_size(datid) AS size
      FROM pg_stat_database
     WHERE datid = (SELECT oid FROM pg_database WHERE datname = current_database())
),
idx_io AS (
    SELECT sum(idx_blks_hit) AS hit, sum(idx_blks_read) AS read
      FROM pg_statio_user_indexes s
     WHERE NOT pg_is_other_temp_schema((SELECT relnamespace FROM pg_class WHERE oid = s.relid))
       AND s.schemaname <> 'optimize'
),
tables AS (
    SELECT sum(live_tuples) AS live, sum(dead_tuples) AS dead,
           count(*) FILTER (WHERE vacuum_needed)  AS need_vacuum,
           count(*) FILTER (WHERE analyze_needed) AS need_analyze,
           coalesce(sum(estimated_bloat_bytes), 0) AS bloat
      FROM pgo_baseline.table_health t
      JOIN pg_class c ON c.oid = t."table"
     WHERE c.relkind <> 'p'      -- a partitioned table's row sums its partitions' rows
),
indexes AS (
    SELECT coalesce(sum(bytes) FILTER (WHERE unused), 0) AS unused_bytes,
           count(*) FILTER (WHERE NOT is_valid)           AS invalid
      FROM pgo_baseline.index_usage
),
missing_fk AS (
    SELECT count(*) AS n
      FROM pg_constraint con
      JOIN pg_namespace n ON n.oid = con.connamespace
     WHERE con.contype = 'f'
       AND con.conparentid = 0
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'optimize')
       AND n.nspname NOT LIKE 'pg\_toast%'
       AND NOT pg_is_other_temp_schema(n.oid)
       AND NOT EXISTS (SELECT FROM pgo_baseline.fk_covering_index c WHERE c.fk = con.oid)
),
ages AS (
    SELECT max(age(datfrozenxid))        AS xid_max,
           max(mxid_age(datminmxid)) FILTER (WHERE datminmxid <> '0') AS mxid_max
      FROM pg_database
),
seqs AS (
    SELECT count(*) AS near
      FROM pgo_baseline.sequence_usage
     WHERE pct_used >= coalesce((SELECT setting FROM pg_settings WHERE name = 'pg_optimize.alert_sequence_pct'),
                                '75')::float8
),
slots AS (
    SELECT count(*) FILTER (WHERE NOT active) AS inactive,
           coalesce(sum(greatest(0, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), restart_lsn))), 0) AS retained
      FROM pg_replication_slots
)
SELECT m.metric, m.value::float8 AS value, m.unit, m.description
  FROM conn, blocked, db, idx_io, tables, indexes, missing_fk, ages, seqs, slots,
       LATERAL (VALUES
  ('connections_total',               conn.total::float8,          'connections',  'client connections to the cluster'),
  ('connections_max',                 conn.usable,                 'connections',  'connection slots usable by ordinary roles (max_connections minus the reserved ones)'),
  ('connections_used_pct',            100.0 * conn.total / conn.usable, 'percent', 'share of the usable connection slots in use'),
  ('connections_active',              conn.active,                 'connections',  'connections running a statement'),
  ('connections_idle',                conn.idle,                   'connections',  'connections waiting for the client'),
  ('connections_idle_in_transaction', conn.idle_in_xact,           'connections',  'connections idle inside an open transaction (holding locks and snapshots)'),
  ('connections_waiting_on_locks',    conn.waiting,                'connections',  'connections waiting for a lock'),
  ('blocked_queries',                 blocked.n,                   'queries',      'sessions waiting for a heavyweight lock'),
  ('longest_query_seconds',           conn.longest_query,          'seconds',      'age of the oldest running statement (other sessions)'),
  ('longest_transaction_seconds',     conn.longest_xact,           'seconds',      'age of the oldest open transaction (other sessions)'),
  ('cache_hit_pct',                   100 * db.blks_hit::float8 / nullif(db.blks_hit + db.blks_read, 0), 'percent',
                                      'share of this database''s block reads served from shared buffers'),
  ('index_hit_pct',                   100 * idx_io.hit::float8 / nullif(idx_io.hit + idx_io.read, 0), 'percent',
                                      'share of index block reads served from shared buffers'),
  ('xact_commit',                     db.xact_commit,              'transactions', 'transactions committed in this database'),
  ('xact_rollback',                   db.xact_rollback,            'transactions', 'transactions rolled back in this database'),
  ('deadlocks',                       db.deadlocks,                'deadlocks',    'deadlocks detected in this database'),
  ('temp_bytes',                      db.temp_bytes,               'bytes',        'bytes written to temporary files by queries'),
  ('stats_reset_age_seconds',         extract(epoch FROM clock_timestamp() - db.stats_reset), 'seconds',
                                      'time since this database''s statistics were reset (NULL: never)'),
  ('database_bytes',                  db.size,                     'bytes',        'size of this database'),
  ('dead_tuple_pct',                  CASE WHEN tables.live + tables.dead = 0 THEN 0
                                           ELSE 100 * tables.dead::float8 / (tables.live + tables.dead) END, 'percent',
                                      'dead tuples among all tuples of this database''s tables'),
  ('tables_needing_vacuum',           tables.need_vacuum,          'tables',       'tables past autovacuum''s VACUUM threshold'),
  ('tables_needing_analyze',          tables.need_analyze,         'tables',       'tables past autovacuum''s ANALYZE threshold'),
  ('estimated_bloat_bytes',           tables.bloat,                'bytes',        'estimated heap bloat of all tables'),
  ('unused_index_bytes',              indexes.unused_bytes,        'bytes',        'size of indexes never scanned'),
  ('invalid_indexes',                 indexes.invalid,             'indexes',      'indexes left invalid by a failed concurrent build'),
  ('missing_fk_indexes',              missing_fk.n,                'foreign keys', 'foreign keys without an index on the referencing columns'),
  ('xid_age_max',                     ages.xid_max,                'transactions', 'age of the oldest unfrozen transaction ID of any database'),
  ('xid_wraparound_pct',              100.0 * ages.xid_max / 2144483647, 'percent',
                                      'share of the transaction ID space used before the server stops to prevent wraparound'),
  ('mxid_age_max',                    ages.mxid_max,               'multixacts',   'age of the oldest multixact ID of any database'),
  ('sequences_near_exhaustion',       seqs.near,                   'sequences',    'sequences past pg_optimize.alert_sequence_pct of their range'),
  ('inactive_replication_slots',      slots.inactive,              'slots',        'replication slots no client is using (they keep WAL)'),
  ('replication_slot_retained_bytes', slots.retained,              'bytes',        'WAL kept for replication slots')
  ) AS m(metric, value, unit, description);
