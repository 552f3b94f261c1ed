-- bench/health/alerts.sql
--
-- Plain-SQL counterpart of optimize.alerts, as a view pgo_baseline.alerts with
-- the same columns (severity, kind, object, value, threshold, message,
-- recommendation), written the way monitoring checks usually are: one small
-- query per condition over pg_stat_activity, pg_locks, pg_stat_user_tables,
-- pg_database, pg_index, pg_sequences and pg_replication_slots, glued together
-- with UNION ALL.  Thresholds are read from the pg_optimize.alert_* settings
-- (their defaults when unset), so both sides judge by the same numbers.
--
-- Also defines pgo_baseline.sequence_usage (used here and by metrics.sql): every
-- sequence with the share of its range used, counting the tighter of its own
-- range and the range of the integer column that owns it, as
-- optimize.sequence_health does.
--
-- Conditions (severity "critical" at or above the critical threshold, else
-- "warning" at or above the warning one):
--   connection_usage     client connections / usable slots, in percent
--   slow_query           other sessions' active statements older than
--                        pg_optimize.slow_query_ms
--   blocked_query        sessions waiting for a heavyweight lock
--   idle_in_transaction  sessions idle in a transaction, in seconds
--   dead_tuples          tables and materialized views with at least
--                        alert_dead_tuple_min_rows dead tuples, by dead share
--   xid_wraparound       databases, age(datfrozenxid) as a share of the
--                        2,144,483,647 transaction ids usable before the stop
--   invalid_index        every invalid index (always a warning)
--   sequence_exhaustion  sequences, share of the range used
--   inactive_replication_slot  slots without a client, by retained WAL in MB
--                        (the default warning level 0 reports every one)

CREATE SCHEMA IF NOT EXISTS pgo_baseline;

CREATE OR REPLACE VIEW pgo_baseline.sequence_usage AS
SELECT s.oid                                      AS sequence,
       n.nspname, s.relname,
       ps.last_value,
       sq.seqmin, sq.seqmax, sq.seqincrement,
       owner.owned_by, owner.column_type,
       CASE WHEN ps.last_value IS NULL THEN 0
            WHEN r.range_end = r.range_start THEN NULL
            ELSE greatest(0, least(100, 100 * (ps.last_value::float8 - r.range_start)
                                            / (r.range_end - r.range_start)))
       END                                        AS pct_used
  FROM pg_sequence sq
  JOIN pg_class s      ON s.oid = sq.seqrelid
  JOIN pg_namespace n  ON n.oid = s.relnamespace
  LEFT JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = s.relname
  LEFT JOIN LATERAL (
        -- serial columns own their sequence with an 'a' dependency, identity columns with an 'i' one
        SELECT format('%I.%I.%I', tn.nspname, t.relname, a.attname) AS owned_by,
               CASE a.atttypid WHEN 'int2'::regtype THEN 'smallint' WHEN 'int4'::regtype THEN 'integer'
                               WHEN 'int8'::regtype THEN 'bigint' END     AS column_type,
               a.atttypid
          FROM pg_depend d
          JOIN pg_class t      ON t.oid = d.refobjid
          JOIN pg_namespace tn ON tn.oid = t.relnamespace
          JOIN pg_attribute a  ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass
           AND d.objid = s.oid
           AND d.refclassid = 'pg_class'::regclass
           AND d.deptype IN ('a', 'i')
           AND d.refobjsubid > 0
         LIMIT 1) owner ON true
  CROSS JOIN LATERAL (
        SELECT CASE WHEN sq.seqincrement > 0 THEN sq.seqmin ELSE sq.seqmax END::float8 AS range_start,
               CASE WHEN sq.seqincrement > 0
                    THEN least(sq.seqmax, CASE owner.atttypid WHEN 'int2'::regtype THEN 32767
                                                              WHEN 'int4'::regtype THEN 2147483647
                                                              ELSE 9223372036854775807 END)
                    ELSE greatest(sq.seqmin, CASE owner.atttypid WHEN 'int2'::regtype THEN -32768
                                                                 WHEN 'int4'::regtype THEN -2147483648
                                                                 ELSE -9223372036854775808 END)
               END::float8 AS range_end) r
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'optimize')
   AND n.nspname NOT LIKE 'pg\_toast%'
   AND NOT pg_is_other_temp_schema(n.oid);

CREATE OR REPLACE VIEW pgo_baseline.alerts AS
WITH raw_conf AS (
    -- pg_settings.setting is the bare number in the setting's own unit (ms, s, MB)
    SELECT name, setting FROM pg_settings WHERE name LIKE 'pg\_optimize.%'
),
conf AS (
    SELECT coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.slow_query_ms'), '50')::float8                  AS slow_ms,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.slow_query_critical_ms'), '5000')::float8       AS slow_crit_ms,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_connection_pct'), '80')::float8           AS conn_pct,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_connection_critical_pct'), '95')::float8  AS conn_crit_pct,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_dead_tuple_pct'), '20')::float8           AS dead_pct,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_dead_tuple_critical_pct'), '50')::float8  AS dead_crit_pct,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_dead_tuple_min_rows'), '1000')::bigint    AS dead_min_rows,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_xid_age_pct'), '50')::float8              AS xid_pct,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_xid_age_critical_pct'), '80')::float8     AS xid_crit_pct,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_sequence_pct'), '75')::float8             AS seq_pct,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_sequence_critical_pct'), '90')::float8    AS seq_crit_pct,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_idle_in_transaction_s'), '60')::float8    AS idle_s,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_idle_in_transaction_critical_s'), '600')::float8 AS idle_crit_s,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_lock_wait_ms'), '1000')::float8           AS lock_ms,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_lock_wait_critical_ms'), '30000')::float8 AS lock_crit_ms,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_slot_retained_mb'), '0')::float8          AS slot_mb,
           coalesce(max(setting) FILTER (WHERE name = 'pg_optimize.alert_slot_retained_critical_mb'), '10240')::float8 AS slot_crit_mb,
           current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
             - coalesce(current_setting('reserved_connections', true), '0')::int                     AS usable_slots,
           clock_timestamp()                                                                           AS now
      FROM raw_conf
),
clients AS (
    SELECT a.* FROM pg_stat_activity a WHERE a.backend_type = 'client backend'
),
-- value, warning and critical threshold of every candidate; severity below
candidates AS (
    -- connection slots
    SELECT 'connection_usage' AS kind, 'cluster' AS object,
           100.0 * count(*) / greatest(1, conf.usable_slots) AS value,
           conf.conn_pct AS warn, conf.conn_crit_pct AS crit,
           format('%s of %s usable connection slots in use (%s%%), %s of them idle in transaction',
                  count(*), greatest(1, conf.usable_slots),
                  round(100.0 * count(*) / greatest(1, conf.usable_slots)),
                  count(*) FILTER (WHERE c.state LIKE 'idle in transaction%')) AS message,
           'Put a connection pooler (PgBouncer in transaction mode) in front, shrink application pools, end idle '
           'sessions (idle_session_timeout, idle_in_transaction_session_timeout), or raise max_connections.'
                                                              AS recommendation
      FROM conf LEFT JOIN clients c ON true
     GROUP BY conf.usable_slots, conf.conn_pct, conf.conn_crit_pct
    UNION ALL
    -- statements running too long (other sessions)
    SELECT 'slow_query', 'pid ' || c.pid,
           extract(epoch FROM conf.now - c.query_start) * 1000, conf.slow_ms, conf.slow_crit_ms,
           format('query running for %s ms in %s: %s', round(extract(epoch FROM conf.now - c.query_start) * 1000),
                  c.datname,
                  replace(left(c.query, 120), E'\n', ' ') || CASE WHEN length(c.query) > 120 THEN '...' ELSE '' END),
           format('Look at its plan with EXPLAIN (ANALYZE, BUFFERS); to stop it: SELECT pg_cancel_backend(%s);', c.pid)
      FROM clients c, conf
     WHERE c.state = 'active' AND c.pid <> pg_backend_pid()
       AND extract(epoch FROM conf.now - c.query_start) * 1000 > conf.slow_ms
    UNION ALL
    -- lock waits
    SELECT 'blocked_query', 'pid ' || l.pid,
           extract(epoch FROM conf.now - coalesce(l.waitstart, a.state_change)) * 1000, conf.lock_ms, conf.lock_crit_ms,
           format('waiting %s ms for %s on %s, blocked by pid %s',
                  round(extract(epoch FROM conf.now - coalesce(l.waitstart, a.state_change)) * 1000), l.mode,
                  CASE WHEN l.relation IS NULL THEN l.locktype
                       WHEN l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                       THEN l.relation::regclass::text
                       ELSE 'a relation in database ' || (SELECT datname FROM pg_database WHERE oid = l.database) END,
                  coalesce(nullif(array_to_string(pg_blocking_pids(l.pid), ', '), ''), '?')),
           CASE WHEN cardinality(pg_blocking_pids(l.pid)) = 0 THEN 'See optimize.blocked_queries.'
                ELSE format('See optimize.blocked_queries; to end the first blocker: SELECT pg_terminate_backend(%s);',
                            (pg_blocking_pids(l.pid))[1]) END
      FROM pg_locks l
      JOIN pg_stat_activity a ON a.pid = l.pid
      CROSS JOIN conf
     WHERE NOT l.granted
    UNION ALL
    -- idle in transaction
    SELECT 'idle_in_transaction', 'pid ' || c.pid,
           extract(epoch FROM conf.now - c.state_change), conf.idle_s, conf.idle_crit_s,
           format('session of %s idle in transaction for %s s (application "%s")',
                  c.usename, round(extract(epoch FROM conf.now - c.state_change)), c.application_name),
           format('It holds locks and keeps VACUUM from cleaning up. Fix the application, set '
                  'idle_in_transaction_session_timeout, or end it: SELECT pg_terminate_backend(%s);', c.pid)
      FROM clients c, conf
     WHERE c.state LIKE 'idle in transaction%'
    UNION ALL
    -- dead tuples
    SELECT 'dead_tuples', format('%I.%I', s.schemaname, s.relname),
           100 * s.n_dead_tup::float8 / (s.n_live_tup + s.n_dead_tup), conf.dead_pct, conf.dead_crit_pct,
           format('%s dead tuples, %s%% of the table%s', s.n_dead_tup,
                  round((100 * s.n_dead_tup::float8 / (s.n_live_tup + s.n_dead_tup))::numeric, 1),
                  CASE WHEN current_setting('autovacuum')::bool
                             AND coalesce((SELECT bool_and(o.option_value::bool)
                                             FROM pg_options_to_table(c.reloptions) o
                                            WHERE o.option_name = 'autovacuum_enabled'), true)
                       THEN '' ELSE ' (autovacuum is off for it)' END),
           format('VACUUM (ANALYZE) %I.%I;', s.schemaname, s.relname)
      FROM pg_stat_user_tables s
      JOIN pg_class c ON c.oid = s.relid
      CROSS JOIN conf
     WHERE c.relkind IN ('r', 'm')
       AND s.schemaname <> 'optimize'                -- pg_optimize's own tables are not reported
       AND NOT pg_is_other_temp_schema(c.relnamespace)
       AND s.n_dead_tup >= conf.dead_min_rows
    UNION ALL
    -- transaction id wraparound
    SELECT 'xid_wraparound', d.datname,
           100.0 * age(d.datfrozenxid) / 2144483647, conf.xid_pct, conf.xid_crit_pct,
           format('oldest unfrozen transaction ID is %s transactions old, %s%% of the way to the wraparound stop',
                  age(d.datfrozenxid), round(100.0 * age(d.datfrozenxid) / 2144483647, 1)),
           'VACUUM (FREEZE) the oldest tables (optimize.table_health ordered by xid_age) and end long transactions and '
           'stale replication slots or prepared transactions that hold the horizon back.'
      FROM pg_database d, conf
    UNION ALL
    -- invalid indexes
    -- (always a warning: the critical level is out of reach)
    SELECT 'invalid_index', format('%I.%I', n.nspname, ic.relname), 1, 1, 'Infinity',
           'index is invalid: it is maintained on every write but never used',
           format('invalid: left by a failed CREATE INDEX or REINDEX CONCURRENTLY, maintained on every write and '
                  'never used; remove it with DROP INDEX CONCURRENTLY %I.%I; and build it again once the cause '
                  '(duplicate keys, a cancelled build) is fixed', n.nspname, ic.relname)
      FROM pg_index i
      JOIN pg_class ic    ON ic.oid = i.indexrelid
      JOIN pg_class tc    ON tc.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = tc.relnamespace
     WHERE NOT i.indisvalid
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'optimize')
       AND n.nspname NOT LIKE 'pg\_toast%'
       AND NOT pg_is_other_temp_schema(n.oid)
    UNION ALL
    -- sequences running out
    SELECT 'sequence_exhaustion', format('%I.%I', q.nspname, q.relname),
           q.pct_used, conf.seq_pct, conf.seq_crit_pct,
           format('%s%% of its range used%s', round(q.pct_used::numeric, 1),
                  CASE WHEN q.owned_by IS NOT NULL THEN format(' (feeds %s %s)', q.owned_by, coalesce(q.column_type, ''))
                       ELSE '' END),
           CASE WHEN q.column_type IN ('integer', 'smallint')
                THEN format('Change the column to bigint (ALTER TABLE ... ALTER COLUMN ... TYPE bigint) and the '
                            'sequence with ALTER SEQUENCE %I.%I AS bigint;', q.nspname, q.relname)
                ELSE format('ALTER SEQUENCE %I.%I MAXVALUE ...; or plan a new key.', q.nspname, q.relname) END
      FROM pgo_baseline.sequence_usage q, conf
     WHERE q.pct_used IS NOT NULL
    UNION ALL
    -- replication slots nobody reads
    SELECT 'inactive_replication_slot', r.slot_name::text,
           coalesce(greatest(0, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), r.restart_lsn)), 0) / (1024.0 * 1024.0),
           conf.slot_mb, conf.slot_crit_mb,
           format('%s replication slot has no client and keeps %s MB of WAL', r.slot_type,
                  round(coalesce(greatest(0, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), r.restart_lsn)), 0)
                        / (1024.0 * 1024.0))),
           format('Reconnect its consumer, or drop it if it is gone: SELECT pg_drop_replication_slot(%L);', r.slot_name)
      FROM pg_replication_slots r, conf
     WHERE NOT r.active
),
graded AS (
    SELECT c.*,
           CASE WHEN c.value >= greatest(c.warn, c.crit) THEN 'critical'
                WHEN c.value >= c.warn THEN 'warning' END AS severity
      FROM candidates c
)
SELECT g.severity,
       g.kind,
       g.object,
       g.value::float8 AS value,
       -- the threshold that was crossed
       CASE WHEN g.severity = 'critical' THEN greatest(g.warn, g.crit) ELSE g.warn END::float8 AS threshold,
       g.message,
       g.recommendation
  FROM graded g
 WHERE g.severity IS NOT NULL
 ORDER BY g.severity <> 'critical', g.kind, g.object;
