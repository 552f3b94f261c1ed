-- bench/scale/compare.sql: does each function of pg_optimize give the answer of its plain-SQL baseline, row by row?
--
--   psql -X -d <db> -f bench/scale/compare.sql     (after bench/health/{table_health,index_usage}.sql and the view
--                                                  pgo_baseline.missing_fk_indexes that bench/run-scale makes of
--                                                  bench/fk_indexes/baseline.sql)
--
-- One statement per pair reads both sides, so both see the same catalog, statistics and files (the bench cluster runs
-- with autovacuum off and no scheduler in the bench database, so nothing changes between them anyway). Rows are
-- matched by a key; a row differs when it is missing on one side or any compared column differs. The compared columns
-- are those of bench/health/compare.sql for table_health and index_usage (the bloat estimates and the wording of
-- recommendations are left out: the methods differ), and every baseline column for missing_fk_indexes:
--   missing_fk_indexes  key table + constraint; columns, referenced_table, table_bytes
--   table_health        key table; bytes, live/dead tuples, dead_pct (1e-9), scans, the four maintenance times,
--                       vacuum_needed, analyze_needed, autovacuum_enabled, xid_age, status without "bloated"
--   index_usage         key index; table, bytes, scans, tuples_read, is_unique, is_primary, is_valid, unused,
--                       duplicate_of, whether redundant_with is set. The baseline view names a duplicate's keeper
--                       (or the longer index) even when that one is advised for dropping too (unused, invalid); the
--                       extension judges its advice as a whole and then names none (docs/health.md): the baseline's
--                       duplicate_of and redundant_with are compared as NULL where the index they name is dropped. The
--                       catalog has that case: both created_at indexes of every tenth table are unused.
-- Prints one row per pair (rows on each side, rows that differ, the first differing row's columns) and a last row
-- "differing rows: N", for bench/run-scale.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION pgo_scale.compared(view text, r jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE view
    WHEN 'missing_fk_indexes' THEN
      jsonb_build_object('columns', r->'columns', 'referenced_table', r->'referenced_table',
                         'table_bytes', r->'table_bytes')
    WHEN 'table_health' THEN
      jsonb_build_object('bytes', r->'bytes', 'live_tuples', r->'live_tuples', 'dead_tuples', r->'dead_tuples',
                         'dead_pct', round((r->>'dead_pct')::numeric, 9),
                         'seq_scans', r->'seq_scans', 'idx_scans', r->'idx_scans',
                         'last_vacuum', r->'last_vacuum', 'last_autovacuum', r->'last_autovacuum',
                         'last_analyze', r->'last_analyze', 'last_autoanalyze', r->'last_autoanalyze',
                         'vacuum_needed', r->'vacuum_needed', 'analyze_needed', r->'analyze_needed',
                         'autovacuum_enabled', r->'autovacuum_enabled', 'xid_age', r->'xid_age',
                         'status (without bloated)',
                         array_to_string(array_remove(array_remove(string_to_array(r->>'status', ', '), 'bloated'),
                                                      'ok'), ', '))
    WHEN 'index_usage' THEN
      jsonb_build_object('table', r->'table', 'bytes', r->'bytes', 'scans', r->'scans',
                         'tuples_read', r->'tuples_read', 'is_unique', r->'is_unique', 'is_primary', r->'is_primary',
                         'is_valid', r->'is_valid', 'unused', r->'unused', 'duplicate_of', r->'duplicate_of',
                         'redundant (redundant_with set)', jsonb_typeof(r->'redundant_with') <> 'null')
  END $$;

CREATE OR REPLACE FUNCTION pgo_scale.row_key(view text, r jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE view
    WHEN 'missing_fk_indexes' THEN (r->>'table_name') || ' ' || (r->>'constraint_name')
    WHEN 'table_health' THEN r->>'table'
    WHEN 'index_usage' THEN r->>'index'
  END $$;

-- agree(view, function query, baseline query): rows of each side, rows that differ, and the first differing row
-- (by key) with each differing column as [function value, baseline value].
CREATE OR REPLACE FUNCTION pgo_scale.agree(view text, function_query text, baseline_query text,
                                           OUT function_rows bigint, OUT baseline_rows bigint,
                                           OUT rows_that_differ bigint, OUT first_difference text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$
    WITH f AS MATERIALIZED (SELECT pgo_scale.row_key(%1$L, to_jsonb(t)) AS key,
                                   pgo_scale.compared(%1$L, to_jsonb(t)) AS cols FROM (%2$s) t),
         b AS MATERIALIZED (SELECT pgo_scale.row_key(%1$L, to_jsonb(t)) AS key,
                                   pgo_scale.compared(%1$L, to_jsonb(t)) AS cols FROM (%3$s) t),
         d AS (SELECT coalesce(f.key, b.key) AS key, f.cols AS fc, b.cols AS bc
                 FROM f FULL JOIN b ON b.key = f.key
                WHERE f.cols IS DISTINCT FROM b.cols)
    SELECT (SELECT count(*) FROM f), (SELECT count(*) FROM b),
           -- a key twice on one side is a difference too
           (SELECT count(*) FROM d) + (SELECT count(*) - count(DISTINCT key) FROM f)
                                    + (SELECT count(*) - count(DISTINCT key) FROM b),
           (SELECT d.key || ': ' || CASE WHEN d.fc IS NULL THEN 'only in the baseline'
                                         WHEN d.bc IS NULL THEN 'only in the function'
                                         ELSE (SELECT jsonb_object_agg(k, jsonb_build_array(d.fc->k, d.bc->k))::text
                                                 FROM jsonb_object_keys(d.fc) k
                                                WHERE (d.fc->k) IS DISTINCT FROM (d.bc->k)) END
              FROM d ORDER BY d.key LIMIT 1)
    $q$, view, function_query, baseline_query)
  INTO function_rows, baseline_rows, rows_that_differ, first_difference;
END $$;

\pset footer off
-- No work table: a temporary table created here would be a table both sides list.
WITH a AS MATERIALIZED (
  SELECT v.ord, v.view, a.*
    FROM (VALUES (1, 'missing_fk_indexes', 'SELECT * FROM optimize.missing_fk_indexes()',
                  'SELECT * FROM pgo_baseline.missing_fk_indexes'),
                 (2, 'table_health', 'SELECT * FROM optimize.table_health', 'SELECT * FROM pgo_baseline.table_health'),
                 (3, 'index_usage', 'SELECT * FROM optimize.index_usage', $q$
                  WITH b AS MATERIALIZED (SELECT * FROM pgo_baseline.index_usage)
                  SELECT b.index, b."table", b.bytes, b.scans, b.tuples_read, b.is_unique, b.is_primary, b.is_valid,
                         b.unused, CASE WHEN NOT (k.unused OR NOT k.is_valid) THEN b.duplicate_of END AS duplicate_of,
                         CASE WHEN NOT (r.unused OR NOT r.is_valid) THEN b.redundant_with END AS redundant_with
                    FROM b LEFT JOIN b k ON k.index = b.duplicate_of LEFT JOIN b r ON r.index = b.redundant_with$q$))
         AS v(ord, view, fq, bq)
   CROSS JOIN LATERAL pgo_scale.agree(v.view, v.fq, v.bq) a)
SELECT view, function_rows, baseline_rows, rows_that_differ, first_difference
  FROM (SELECT * FROM a
        UNION ALL
        SELECT 4, 'differing rows: ' || sum(rows_that_differ), NULL, NULL, sum(rows_that_differ), NULL FROM a) s
 ORDER BY ord;
