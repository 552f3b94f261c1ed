-- bench/health/table_health.sql
--
-- Plain-SQL counterpart of optimize.table_health, as a view
-- pgo_baseline.table_health with the same columns: the kind of monitoring
-- query a DBA assembles from pg_stat_user_tables, pg_class and pg_stats.
--
-- Rows: ordinary tables and materialized views outside pg_catalog,
-- information_schema, pg_toast*, pg_optimize's own optimize and other sessions'
-- temporary schemas; and a row per partitioned table (relkind p) in those
-- schemas that sums the rows of its leaf partitions, found through pg_inherits
-- at any depth: bytes, live and dead tuples, scans and the bloat estimate
-- summed (estimated_bloat_pct against the summed bytes), dead_pct of the sums,
-- xid_age the oldest; no verdict of its own, since autovacuum never processes a
-- partitioned table (vacuum_needed and analyze_needed false,
-- autovacuum_enabled and last_* NULL), and status
-- 'partitioned: N partitions summed (each has its own row)'.
--
--   bytes            pg_total_relation_size(): heap, TOAST and indexes, all forks
--   live/dead, scans, last (auto)vacuum/analyze
--                    pg_stat_user_tables (idx_scan is NULL there for a table
--                    without indexes: 0 here)
--   dead_pct         100 * dead / (live + dead), 0 when both are 0
--   vacuum_needed    autovacuum's test, with the table's reloptions over the
--                    server settings, in float4 as autovacuum.c computes it:
--                      n_dead_tup > vac_threshold + vac_scale * reltuples
--                        (capped at autovacuum_vacuum_max_threshold on 18), or
--                      (insert threshold not -1 and)
--                      n_ins_since_vacuum > ins_threshold + ins_scale * reltuples
--                    (reltuples < 0, never analyzed, counts as 0); true too when
--                    the TOAST table passes the same test on its own counters
--                    and reltuples (status 'TOAST table vacuum needed')
--   analyze_needed   n_mod_since_analyze > anl_threshold + anl_scale * reltuples
--   autovacuum_enabled  the autovacuum setting and the autovacuum_enabled option
--   xid_age          age(relfrozenxid) of the table or of its TOAST table,
--                    whichever is older ('wraparound vacuum due' past
--                    autovacuum_freeze_max_age, the table's own if lower;
--                    'multixact wraparound vacuum due' instead when
--                    mxid_age(relminmxid) is past
--                    autovacuum_multixact_freeze_max_age)
--   estimated_bloat_*  the usual statistics-based estimate of heap bloat (the
--                    approach of the widely copied ioguix query): per-tuple size
--                    from pg_stats avg_width and null_frac, tuples per page at the
--                    table's fillfactor, expected pages from reltuples; relpages
--                    beyond that are bloat.  Main fork only; NULL when a column
--                    has no statistics or the table was never analyzed.  Unlike
--                    the extension it adds no per-column alignment padding, so
--                    the two estimates may differ.
--   status           the same findings, in the same order, as the extension.

CREATE SCHEMA IF NOT EXISTS pgo_baseline;

CREATE OR REPLACE VIEW pgo_baseline.table_health AS
WITH RECURSIVE conf AS (
    SELECT current_setting('autovacuum')::bool                              AS autovacuum,
           current_setting('autovacuum_vacuum_threshold')::int              AS vac_threshold,
           current_setting('autovacuum_vacuum_scale_factor')::float4        AS vac_scale,
           current_setting('autovacuum_vacuum_insert_threshold')::int       AS ins_threshold,
           current_setting('autovacuum_vacuum_insert_scale_factor')::float4 AS ins_scale,
           current_setting('autovacuum_analyze_threshold')::int             AS anl_threshold,
           current_setting('autovacuum_analyze_scale_factor')::float4       AS anl_scale,
           current_setting('autovacuum_freeze_max_age')::bigint             AS freeze_max_age,
           current_setting('autovacuum_multixact_freeze_max_age')::bigint   AS mxid_freeze_max_age,
           -- PostgreSQL 18 caps the dead-tuple threshold (-1: no cap; older servers have no setting)
           coalesce(current_setting('autovacuum_vacuum_max_threshold', true), '-1')::int AS vac_max_threshold,
           current_setting('block_size')::int                               AS block_size
),
rel AS (
    SELECT c.oid, n.nspname, c.relname, c.relpages, c.reltuples, c.relfrozenxid, c.relminmxid, c.reltoastrelid,
           c.reloptions
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'optimize')
       AND n.nspname NOT LIKE 'pg\_toast%'
       AND NOT pg_is_other_temp_schema(n.oid)
),
-- Heap tuple estimate: header of 23 bytes plus a null bitmap when any column
-- can be null, MAXALIGNed; the data width summed over the columns; a 4-byte
-- line pointer.  Only tables where every live column has statistics.
tuple_width AS (
    SELECT r.oid,
           count(*)                                          AS natts,
           count(s.attname)                                  AS with_stats,
           max(coalesce(s.null_frac, 0))                     AS max_null_frac,
           sum((1 - s.null_frac::float8) * s.avg_width)      AS data_width
      FROM rel r
      JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_stats s
             ON s.schemaname = r.nspname AND s.tablename = r.relname AND s.attname = a.attname
            AND NOT s.inherited
     GROUP BY r.oid
),
bloat AS (
    SELECT r.oid,
           r.relpages,
           greatest(0, r.relpages - ceil(r.reltuples / greatest(1, floor(
               (conf.block_size - 24) * coalesce(ff.fillfactor, 100)
               / (100.0 * (  8 * ceil((23 + CASE WHEN w.max_null_frac > 0 THEN (w.natts + 7) / 8 ELSE 0 END) / 8.0)
                           + 8 * ceil(ceil(w.data_width) / 8.0)
                           + 4))))))::bigint AS bloat_pages
      FROM rel r
      CROSS JOIN conf
      JOIN tuple_width w ON w.oid = r.oid
      LEFT JOIN LATERAL (SELECT max(option_value::int) FILTER (WHERE option_name = 'fillfactor') AS fillfactor
                           FROM pg_options_to_table(r.reloptions)) ff ON true
     WHERE w.with_stats = w.natts
       AND r.reltuples >= 0
),
opt AS (
    SELECT r.oid,
           bool_and(o.option_value::bool)   FILTER (WHERE o.option_name = 'autovacuum_enabled')                    AS enabled,
           max(o.option_value::int)         FILTER (WHERE o.option_name = 'autovacuum_vacuum_threshold')           AS vac_threshold,
           max(o.option_value::float4)      FILTER (WHERE o.option_name = 'autovacuum_vacuum_scale_factor')        AS vac_scale,
           max(o.option_value::int)         FILTER (WHERE o.option_name = 'autovacuum_vacuum_insert_threshold')    AS ins_threshold,
           max(o.option_value::float4)      FILTER (WHERE o.option_name = 'autovacuum_vacuum_insert_scale_factor') AS ins_scale,
           max(o.option_value::int)         FILTER (WHERE o.option_name = 'autovacuum_analyze_threshold')          AS anl_threshold,
           max(o.option_value::float4)      FILTER (WHERE o.option_name = 'autovacuum_analyze_scale_factor')       AS anl_scale,
           max(o.option_value::bigint)      FILTER (WHERE o.option_name = 'autovacuum_freeze_max_age')             AS freeze_max_age,
           max(o.option_value::int)         FILTER (WHERE o.option_name = 'autovacuum_vacuum_max_threshold')       AS vac_max_threshold
      FROM rel r
      CROSS JOIN LATERAL pg_options_to_table(r.reloptions) o
     GROUP BY r.oid
),
health AS (
    SELECT r.oid,
           pg_total_relation_size(r.oid)                                   AS bytes,
           s.n_live_tup, s.n_dead_tup,
           CASE WHEN s.n_live_tup + s.n_dead_tup = 0 THEN 0
                ELSE 100 * s.n_dead_tup::float8 / (s.n_live_tup + s.n_dead_tup) END AS dead_pct,
           b.bloat_pages * conf.block_size                                  AS bloat_bytes,
           CASE WHEN b.oid IS NULL THEN NULL
                WHEN b.relpages = 0 THEN 0
                ELSE 100 * b.bloat_pages::float8 / b.relpages END           AS bloat_pct,
           s.seq_scan, coalesce(s.idx_scan, 0)                              AS idx_scan,
           s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
           -- autovacuum's arithmetic, float4 throughout
           s.n_dead_tup::float4 > th.vac
           OR (st.ins_threshold >= 0
               AND s.n_ins_since_vacuum::float4
                   > st.ins_threshold::float4 + st.ins_scale * greatest(r.reltuples, 0)::float4)
                                                                            AS heap_vacuum_needed,
           -- the TOAST table, on its own counters and reltuples, with its table's settings
           toast.oid IS NOT NULL AND (
             pg_stat_get_dead_tuples(toast.oid)::float4 > th.toast_vac
             OR (st.ins_threshold >= 0
                 AND pg_stat_get_ins_since_vacuum(toast.oid)::float4
                     > st.ins_threshold::float4 + st.ins_scale * greatest(toast.reltuples, 0)::float4))
                                                                            AS toast_vacuum_needed,
           s.n_mod_since_analyze::float4
             > st.anl_threshold::float4 + st.anl_scale * greatest(r.reltuples, 0)::float4 AS analyze_needed,
           conf.autovacuum AND coalesce(o.enabled, true)                    AS autovacuum_enabled,
           greatest(age(r.relfrozenxid), age(toast.relfrozenxid))::bigint   AS xid_age,
           greatest(mxid_age(r.relminmxid), mxid_age(toast.relminmxid))::bigint AS mxid_age,
           least(coalesce(o.freeze_max_age, conf.freeze_max_age), conf.freeze_max_age) AS freeze_max_age,
           conf.mxid_freeze_max_age,
           r.reltuples
      FROM rel r
      CROSS JOIN conf
      JOIN pg_stat_user_tables s ON s.relid = r.oid
      LEFT JOIN opt o ON o.oid = r.oid
      LEFT JOIN bloat b ON b.oid = r.oid
      LEFT JOIN pg_class toast ON toast.oid = r.reltoastrelid
     -- the table's reloptions over the server settings
     CROSS JOIN LATERAL (
        SELECT coalesce(o.vac_threshold, conf.vac_threshold)::float4 AS vac_threshold,
               coalesce(o.vac_scale, conf.vac_scale)                 AS vac_scale,
               coalesce(o.vac_max_threshold, conf.vac_max_threshold) AS vac_max,
               coalesce(o.ins_threshold, conf.ins_threshold)         AS ins_threshold,
               coalesce(o.ins_scale, conf.ins_scale)                 AS ins_scale,
               coalesce(o.anl_threshold, conf.anl_threshold)         AS anl_threshold,
               coalesce(o.anl_scale, conf.anl_scale)                 AS anl_scale) st
     -- the dead-tuple thresholds of the table and of its TOAST table, capped on 18
     CROSS JOIN LATERAL (
        SELECT CASE WHEN st.vac_max >= 0 AND v.heap > st.vac_max::float4 THEN st.vac_max::float4 ELSE v.heap END,
               CASE WHEN st.vac_max >= 0 AND v.toast > st.vac_max::float4 THEN st.vac_max::float4 ELSE v.toast END
          FROM (SELECT st.vac_threshold + st.vac_scale * greatest(r.reltuples, 0)::float4,
                       st.vac_threshold + st.vac_scale * greatest(toast.reltuples, 0)::float4) v(heap, toast)) th(vac, toast_vac)
),
-- A partitioned table's row: its leaf partitions' rows summed (the oldest age of
-- any), no maintenance verdict of its own: autovacuum never processes it.
parted AS (
    SELECT c.oid
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'p'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'optimize')
       AND n.nspname NOT LIKE 'pg\_toast%'
       AND NOT pg_is_other_temp_schema(n.oid)
),
descendant (root, oid) AS (
    SELECT h.inhparent, h.inhrelid FROM pg_inherits h JOIN parted p ON p.oid = h.inhparent
    UNION ALL
    SELECT d.root, h.inhrelid FROM descendant d JOIN pg_inherits h ON h.inhparent = d.oid
),
parted_health AS (
    SELECT p.oid,
           count(h.oid)                          AS partitions,
           coalesce(sum(h.bytes), 0)::bigint     AS bytes,
           coalesce(sum(h.n_live_tup), 0)::bigint AS n_live_tup,
           coalesce(sum(h.n_dead_tup), 0)::bigint AS n_dead_tup,
           sum(h.bloat_bytes)::bigint            AS bloat_bytes,
           coalesce(sum(h.seq_scan), 0)::bigint  AS seq_scan,
           coalesce(sum(h.idx_scan), 0)::bigint  AS idx_scan,
           max(h.xid_age)                        AS xid_age
      FROM parted p
      LEFT JOIN descendant d ON d.root = p.oid
      LEFT JOIN health h ON h.oid = d.oid     -- the leaves: only tables have health rows
     GROUP BY p.oid
)
SELECT h.oid::regclass AS "table",
       h.bytes,
       h.n_live_tup    AS live_tuples,
       h.n_dead_tup    AS dead_tuples,
       h.dead_pct,
       h.bloat_bytes   AS estimated_bloat_bytes,
       h.bloat_pct     AS estimated_bloat_pct,
       h.seq_scan      AS seq_scans,
       h.idx_scan      AS idx_scans,
       h.last_vacuum, h.last_autovacuum, h.last_analyze, h.last_autoanalyze,
       h.heap_vacuum_needed OR h.toast_vacuum_needed AS vacuum_needed,
       h.analyze_needed, h.autovacuum_enabled, h.xid_age,
       coalesce(nullif(concat_ws(', ',
           CASE WHEN h.mxid_age > h.mxid_freeze_max_age THEN 'multixact wraparound vacuum due'
                WHEN h.xid_age > h.freeze_max_age THEN 'wraparound vacuum due' END,
           CASE WHEN h.toast_vacuum_needed THEN 'TOAST table vacuum needed' END,
           CASE WHEN h.heap_vacuum_needed OR h.toast_vacuum_needed THEN 'vacuum needed' END,
           CASE WHEN h.analyze_needed THEN 'analyze needed' END,
           CASE WHEN h.reltuples < 0 AND h.last_analyze IS NULL AND h.last_autoanalyze IS NULL
                THEN 'never analyzed' END,
           CASE WHEN h.bloat_pct >= 50 AND h.bloat_bytes >= 10 * 1024 * 1024 THEN 'bloated' END,
           CASE WHEN NOT h.autovacuum_enabled THEN 'autovacuum off' END), ''), 'ok') AS status
  FROM health h
UNION ALL
SELECT p.oid::regclass,
       p.bytes,
       p.n_live_tup,
       p.n_dead_tup,
       CASE WHEN p.n_live_tup + p.n_dead_tup = 0 THEN 0
            ELSE 100 * p.n_dead_tup::float8 / (p.n_live_tup + p.n_dead_tup) END,
       p.bloat_bytes,
       CASE WHEN p.bloat_bytes IS NULL THEN NULL
            WHEN p.bytes = 0 THEN 0
            ELSE 100 * p.bloat_bytes::float8 / p.bytes END,
       p.seq_scan,
       p.idx_scan,
       NULL, NULL, NULL, NULL,
       false, false, NULL,     -- no verdict: autovacuum never processes it
       p.xid_age,
       format('partitioned: %s partition%s summed (each has its own row)', p.partitions,
              CASE WHEN p.partitions = 1 THEN '' ELSE 's' END)
  FROM parted_health p
 ORDER BY bytes DESC, "table";
