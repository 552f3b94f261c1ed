-- bench/health/compare.sql
--
-- Compares optimize.table_health, optimize.index_usage, optimize.alerts and
-- optimize.metrics() with their plain-SQL counterparts (the pgo_baseline views
-- defined by the other files here), column by column, and prints what differs.
--
--   psql -X -d <db> -f bench/health/compare.sql
--
-- Each view is read together with its counterpart in one statement, a FULL
-- JOIN of the two, so both see the same catalog, the same cumulative
-- statistics and the same files: no row is written before both sides are
-- complete.  The work tables this script creates (this session's temporary
-- tables) are left out of the comparison.  Rows are matched by a key (table,
-- index, kind + object, metric); a row differs when it is missing on one side
-- or any compared column differs.  Compared columns:
--
--   table_health  key "table"; bytes, live_tuples, dead_tuples, dead_pct (to
--                 1e-9), seq_scans, idx_scans, last_vacuum, last_autovacuum,
--                 last_analyze, last_autoanalyze, vacuum_needed, analyze_needed,
--                 autovacuum_enabled, xid_age, and status without its "bloated"
--                 finding.  Not compared: estimated_bloat_bytes/_pct (estimation
--                 methods differ; summarised loosely below).
--   index_usage   key "index"; table, bytes, scans, tuples_read, is_unique,
--                 is_primary, is_valid, unused, duplicate_of, and whether
--                 redundant_with is set.  Not compared: which longer index
--                 redundant_with names when several qualify, the bloat estimate
--                 (summarised loosely), recommendation (its wording follows the
--                 other columns; counted apart).
--   alerts        key kind + object; severity, value (to 1e-6), threshold.
--                 message and recommendation texts are counted apart.
--   metrics()     key metric; value (to 1e-9) of every metric except
--                 longest_query_seconds, longest_transaction_seconds and
--                 stats_reset_age_seconds (clock readings taken at different
--                 instants), estimated_bloat_bytes (estimation method) and the
--                 latency_* metrics (SQL has no percentiles to compare with).
--
-- The last line is "differing rows: N (table_health N, index_usage N, alerts N,
-- metrics N)", for scripts.

\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;

-- metrics first: the work tables below would otherwise count among the tables.
CREATE TEMP TABLE pair_metrics AS
SELECT coalesce(f.metric, b.metric) AS key, to_jsonb(f) AS f, to_jsonb(b) AS b
  FROM optimize.metrics() f FULL JOIN pgo_baseline.metrics b ON b.metric = f.metric;
CREATE TEMP TABLE pair_alerts AS
SELECT coalesce(f.kind || ' ' || f.object, b.kind || ' ' || b.object) AS key, to_jsonb(f) AS f, to_jsonb(b) AS b
  FROM optimize.alerts f FULL JOIN pgo_baseline.alerts b ON b.kind = f.kind AND b.object = f.object;
CREATE TEMP TABLE pair_index_usage AS
SELECT coalesce(f.index, b.index) AS oid, to_jsonb(f) AS f, to_jsonb(b) AS b
  FROM optimize.index_usage f FULL JOIN pgo_baseline.index_usage b ON b.index = f.index;
CREATE TEMP TABLE pair_table_health AS
SELECT coalesce(f."table", b."table") AS oid, to_jsonb(f) AS f, to_jsonb(b) AS b
  FROM optimize.table_health f FULL JOIN pgo_baseline.table_health b ON b."table" = f."table";
DELETE FROM pair_table_health WHERE oid::regclass IN (SELECT oid FROM pg_class WHERE relnamespace = pg_my_temp_schema());
DELETE FROM pair_alerts
 WHERE key IN (SELECT 'dead_tuples ' || format('%I.%I', nspname, relname)
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relnamespace = pg_my_temp_schema());

-- The compared columns of every row of either side, as jsonb.
CREATE TEMP TABLE cmp_rows AS
SELECT 'table_health' AS view, s.side, p.oid::regclass::text AS key,
       jsonb_build_object('bytes', r->'bytes', 'live_tuples', r->'live_tuples', 'dead_tuples', r->'dead_tuples',
                          'dead_pct', round((r->>'dead_pct')::numeric, 9),
                          'seq_scans', r->'seq_scans', 'idx_scans', r->'idx_scans',
                          'last_vacuum', r->'last_vacuum', 'last_autovacuum', r->'last_autovacuum',
                          'last_analyze', r->'last_analyze', 'last_autoanalyze', r->'last_autoanalyze',
                          'vacuum_needed', r->'vacuum_needed', 'analyze_needed', r->'analyze_needed',
                          'autovacuum_enabled', r->'autovacuum_enabled', 'xid_age', r->'xid_age',
                          'status (without bloated)',
                          array_to_string(array_remove(array_remove(string_to_array(r->>'status', ', '), 'bloated'),
                                                       'ok'), ', ')) AS cols
  FROM pair_table_health p
 CROSS JOIN LATERAL (VALUES ('function', p.f), ('baseline', p.b)) AS s(side, r)
 WHERE r IS NOT NULL
UNION ALL
SELECT 'index_usage', s.side, p.oid::regclass::text,
       jsonb_build_object('table', r->'table', 'bytes', r->'bytes', 'scans', r->'scans',
                          'tuples_read', r->'tuples_read', 'is_unique', r->'is_unique',
                          'is_primary', r->'is_primary', 'is_valid', r->'is_valid', 'unused', r->'unused',
                          'duplicate_of', r->'duplicate_of',
                          'redundant (redundant_with set)', jsonb_typeof(r->'redundant_with') <> 'null')
  FROM pair_index_usage p
 CROSS JOIN LATERAL (VALUES ('function', p.f), ('baseline', p.b)) AS s(side, r)
 WHERE r IS NOT NULL
UNION ALL
SELECT 'alerts', s.side, p.key,
       jsonb_build_object('severity', r->'severity', 'value', round((r->>'value')::numeric, 6),
                          'threshold', r->'threshold')
  FROM pair_alerts p
 CROSS JOIN LATERAL (VALUES ('function', p.f), ('baseline', p.b)) AS s(side, r)
 WHERE r IS NOT NULL
UNION ALL
SELECT 'metrics', s.side, p.key, jsonb_build_object('value', round((r->>'value')::numeric, 9))
  FROM pair_metrics p
 CROSS JOIN LATERAL (VALUES ('function', p.f), ('baseline', p.b)) AS s(side, r)
 WHERE r IS NOT NULL
   AND p.key NOT IN ('longest_query_seconds', 'longest_transaction_seconds', 'stats_reset_age_seconds',
                     'estimated_bloat_bytes')
   AND p.key NOT LIKE 'latency\_%';

-- Every (view, key, column) whose values differ, a missing row counting as a
-- difference in every column.
CREATE TEMP TABLE cmp_diff AS
SELECT coalesce(f.view, b.view) AS view, coalesce(f.key, b.key) AS key, c.col,
       f.cols -> c.col AS function_value, b.cols -> c.col AS baseline_value
  FROM (SELECT * FROM cmp_rows WHERE side = 'function') f
  FULL JOIN (SELECT * FROM cmp_rows WHERE side = 'baseline') b ON b.view = f.view AND b.key = f.key
 CROSS JOIN LATERAL jsonb_object_keys(coalesce(f.cols, b.cols)) AS c(col)
 WHERE (f.cols -> c.col) IS DISTINCT FROM (b.cols -> c.col);

\echo
\echo 'Agreement (function vs baseline; rows matched by key; a row differs when missing on one side or any compared column differs)'
SELECT v.view,
       (SELECT count(*) FROM cmp_rows r WHERE r.view = v.view AND r.side = 'function') AS function_rows,
       (SELECT count(*) FROM cmp_rows r WHERE r.view = v.view AND r.side = 'baseline') AS baseline_rows,
       (SELECT count(DISTINCT d.key) FROM cmp_diff d WHERE d.view = v.view)          AS rows_that_differ,
       v.compared
  FROM (VALUES (1, 'table_health', 'key table; bytes, live_tuples, dead_tuples, dead_pct (1e-9), seq_scans, idx_scans, '
                                  'last_vacuum, last_autovacuum, last_analyze, last_autoanalyze, vacuum_needed, '
                                  'analyze_needed, autovacuum_enabled, xid_age, status without "bloated"'),
               (2, 'index_usage',  'key index; table, bytes, scans, tuples_read, is_unique, is_primary, is_valid, '
                                  'unused, duplicate_of, redundant_with set or not'),
               (3, 'alerts',       'key kind+object; severity, value (1e-6), threshold'),
               (4, 'metrics',      'key metric; value (1e-9) of all metrics except longest_query_seconds, '
                                  'longest_transaction_seconds, stats_reset_age_seconds, estimated_bloat_bytes, '
                                  'latency_*'))
       AS v(ord, view, compared)
 ORDER BY v.ord;

\echo 'Differences by column (rows)'
SELECT view, col AS "column", count(*) AS rows
  FROM cmp_diff GROUP BY view, col ORDER BY view, col;

\echo 'Examples (per view and column, up to 2 for each shape of key: digits ignored)'
SELECT view, key, col AS "column", function_value, baseline_value
  FROM (SELECT d.*, row_number() OVER (PARTITION BY view, col, regexp_replace(key, '[0-9]+', '#', 'g')
                                       ORDER BY key) AS n
          FROM cmp_diff d) d
 WHERE n <= 2
 ORDER BY view, col, regexp_replace(key, '[0-9]+', '#', 'g'), key;

\echo 'The indexes of those index_usage examples, and the other index of the pair'
SELECT d.key AS index, pg_get_indexdef(d.key::regclass) AS definition,
       coalesce(d.function_value #>> '{}', d.baseline_value #>> '{}') AS paired_with,
       pg_get_indexdef(coalesce(d.function_value #>> '{}', d.baseline_value #>> '{}')::regclass) AS its_definition
  FROM (SELECT d.*, row_number() OVER (PARTITION BY regexp_replace(key, '[0-9]+', '#', 'g') ORDER BY key) AS n
          FROM cmp_diff d
         WHERE view = 'index_usage' AND col = 'duplicate_of') d
 WHERE n = 1
 ORDER BY d.key;

\echo 'Not compared strictly'
SELECT 'table_health heap bloat' AS estimate,
       count(f->'estimated_bloat_bytes') FILTER (WHERE f->>'estimated_bloat_bytes' IS NOT NULL) AS function_estimates,
       count(b->'estimated_bloat_bytes') FILTER (WHERE b->>'estimated_bloat_bytes' IS NOT NULL) AS baseline_estimates,
       count(*) FILTER (WHERE (f->>'estimated_bloat_bytes')::bigint = (b->>'estimated_bloat_bytes')::bigint) AS equal,
       count(*) FILTER (WHERE abs((f->>'estimated_bloat_bytes')::bigint - (b->>'estimated_bloat_bytes')::bigint)
                              <= 2 * 8192)                                                  AS within_2_pages,
       pg_size_pretty(sum((f->>'estimated_bloat_bytes')::bigint))                            AS function_total,
       pg_size_pretty(sum((b->>'estimated_bloat_bytes')::bigint))                            AS baseline_total
  FROM pair_table_health
UNION ALL
SELECT 'index_usage btree bloat',
       count(*) FILTER (WHERE f->>'estimated_bloat_bytes' IS NOT NULL),
       count(*) FILTER (WHERE b->>'estimated_bloat_bytes' IS NOT NULL),
       count(*) FILTER (WHERE (f->>'estimated_bloat_bytes')::bigint = (b->>'estimated_bloat_bytes')::bigint),
       count(*) FILTER (WHERE abs((f->>'estimated_bloat_bytes')::bigint - (b->>'estimated_bloat_bytes')::bigint)
                              <= 2 * 8192),
       pg_size_pretty(sum((f->>'estimated_bloat_bytes')::bigint)),
       pg_size_pretty(sum((b->>'estimated_bloat_bytes')::bigint))
  FROM pair_index_usage;

SELECT 'index_usage recommendation' AS text_column,
       count(*) FILTER (WHERE f->'recommendation' = b->'recommendation')        AS same,
       count(*) FILTER (WHERE f->'recommendation' <> b->'recommendation')       AS different,
       count(*) FILTER (WHERE f->'recommendation' <> b->'recommendation'
                          AND f->'duplicate_of' = b->'duplicate_of')            AS different_where_duplicate_of_agrees
  FROM pair_index_usage
UNION ALL
SELECT 'alerts message + recommendation',
       count(*) FILTER (WHERE (f->'message', f->'recommendation') = (b->'message', b->'recommendation')),
       count(*) FILTER (WHERE (f->'message', f->'recommendation') <> (b->'message', b->'recommendation')),
       NULL
  FROM pair_alerts;

\echo 'Consistency of the advice (same rule on both sides): foreign keys that some index covers, but whose every'
\echo 'covering index index_usage advises to drop (unused, redundant, duplicate or invalid): running all those DROPs'
\echo 'leaves the key unindexed'
WITH fk_cover AS (
    SELECT con.oid AS conoid, format('%s.%I', con.conrelid::regclass, con.conname) AS fk_name, i.indexrelid
      FROM pg_constraint con
      JOIN pg_index i   ON i.indrelid = con.conrelid
      JOIN pg_class ic  ON ic.oid = i.indexrelid
      JOIN pg_am am     ON am.oid = ic.relam
     WHERE con.contype = 'f' AND con.conparentid = 0
       AND con.connamespace = 'bench_health'::regnamespace
       AND i.indisvalid AND i.indisready AND i.indpred IS NULL
       AND i.indnkeyatts >= cardinality(con.conkey)
       AND (am.amname = 'btree' OR (am.amname = 'hash' AND cardinality(con.conkey) = 1))
       AND i.indkey[0 : cardinality(con.conkey) - 1] @> con.conkey
       AND i.indkey[0 : cardinality(con.conkey) - 1] <@ con.conkey
)
SELECT side, count(*) AS foreign_keys_left_unindexed, min(fk_name) AS example
  FROM (SELECT s.side, c.conoid, c.fk_name
          FROM fk_cover c
          JOIN pair_index_usage p ON p.oid = c.indexrelid
         CROSS JOIN LATERAL (VALUES ('function', p.f), ('baseline', p.b)) AS s(side, r)
         GROUP BY s.side, c.conoid, c.fk_name
        HAVING bool_and(coalesce(r->>'recommendation', '') LIKE '%DROP INDEX%')) x
 GROUP BY side
 ORDER BY side DESC;

\echo 'metrics() side by side (* = not compared)'
SELECT p.key || CASE WHEN p.key IN ('longest_query_seconds', 'longest_transaction_seconds',
                                    'stats_reset_age_seconds', 'estimated_bloat_bytes')
                          OR p.key LIKE 'latency\_%' THEN ' *' ELSE '' END
                                                                              AS metric,
       (p.f->>'value')::float8 AS function_value, (p.b->>'value')::float8 AS baseline_value,
       CASE WHEN d.key IS NOT NULL THEN 'DIFFERS' ELSE '' END                 AS agreement
  FROM pair_metrics p
  LEFT JOIN (SELECT DISTINCT key FROM cmp_diff WHERE view = 'metrics') d ON d.key = p.key
 ORDER BY (SELECT ord FROM (SELECT metric, row_number() OVER () AS ord FROM optimize.metrics()) m
            WHERE m.metric = p.key);

\pset tuples_only on
SELECT format('differing rows: %s (table_health %s, index_usage %s, alerts %s, metrics %s)',
              count(*),
              count(*) FILTER (WHERE view = 'table_health'), count(*) FILTER (WHERE view = 'index_usage'),
              count(*) FILTER (WHERE view = 'alerts'), count(*) FILTER (WHERE view = 'metrics'))
  FROM (SELECT DISTINCT view, key FROM cmp_diff) x;
