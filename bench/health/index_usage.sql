-- bench/health/index_usage.sql
--
-- Plain-SQL counterpart of optimize.index_usage, as a view
-- pgo_baseline.index_usage with the same columns, in the style of the unused-
-- and duplicate-index queries of PgHero, check_postgres and the PostgreSQL wiki.
--
-- Rows: every index (pg_index) whose table is outside pg_catalog,
-- information_schema, pg_toast*, pg_optimize's own optimize and other sessions'
-- temporary schemas.
--
--   bytes          pg_total_relation_size() of the index: all its forks.  (PgHero
--                  prints pg_relation_size(), the main fork only, which leaves
--                  out the free space map a vacuumed btree may have.)
--   scans, tuples_read  pg_stat_user_indexes (0 where the view has no row:
--                  partitioned indexes)
--   unused         never scanned, enforcing nothing (not unique, primary,
--                  exclusion or replica identity), and not the only index that
--                  covers some foreign key of its table.  A foreign key is
--                  covered by a valid, ready, non-partial btree index (or hash
--                  index for a one-column key) whose first k key columns are the
--                  key's k columns in any order: the rule of
--                  optimize.missing_fk_indexes().
--   duplicate_of   another index of the same table with the same definition:
--                  access method, all columns (key and INCLUDE columns, indkey),
--                  operator classes, collations, per-column options (DESC,
--                  NULLS FIRST), and the same expressions and predicate as
--                  pg_get_expr() prints them.  Of a group of duplicates one is
--                  kept: the primary key, else one that enforces a constraint,
--                  else a valid one, else the oldest (lowest OID); the others
--                  name it.
--   redundant_with a btree index, enforcing nothing, not partial, without
--                  expressions and not a duplicate, whose key columns (with
--                  their operator classes, collations and options) are a strict
--                  leading part of another valid, non-partial index's key
--                  columns: that index, the lowest OID if several.
--   estimated_bloat_bytes  the usual statistics-based btree estimate (the
--                  approach of the ioguix btree bloat query), leaf level only:
--                  index tuple = MAXALIGN(8-byte header + 4-byte null bitmap if
--                  any column can be null) + MAXALIGN(data width from pg_stats)
--                  + 4-byte line pointer; tuples per page at the fillfactor
--                  (default 90); expected pages = ceil(reltuples / per page) + 1
--                  (the meta page).  Btree indexes without expressions only.  No
--                  per-column alignment padding, unlike the extension.
--   fk keep rule   a foreign key whose every covering index would be dropped by
--                  the rules above keeps one of them (not a duplicate, not
--                  redundant, the smallest, then the lowest OID): that index is
--                  neither unused, duplicate_of nor redundant_with.
--   recommendation the same advice as the extension, worded the same way.

CREATE SCHEMA IF NOT EXISTS pgo_baseline;

-- The CTEs over the catalogs are NOT MATERIALIZED so that the planner sees the
-- catalogs' own statistics (a materialized CTE has none, and its misestimates
-- turn the joins below into nested loops over 20,000 indexes); the one that
-- measures sizes is materialized and read once, so each size is taken once.
CREATE OR REPLACE VIEW pgo_baseline.index_usage AS
WITH idx AS NOT MATERIALIZED (
    SELECT i.indexrelid, i.indrelid, ic.relam, am.amname, n.nspname, ic.relname, tc.relname AS table_name,
           i.indnatts, i.indnkeyatts, i.indkey, i.indclass, i.indcollation, i.indoption,
           i.indisunique, i.indisprimary, i.indisvalid, i.indisready,
           i.indisunique OR i.indisprimary OR i.indisexclusion OR i.indisreplident AS enforces,
           i.indpred IS NOT NULL                AS partial,
           i.indexprs IS NOT NULL               AS has_expressions,
           pg_get_expr(i.indexprs, i.indrelid)  AS expressions,
           pg_get_expr(i.indpred, i.indrelid)   AS predicate,
           ic.relpages, ic.reltuples, ic.reloptions
      FROM pg_index i
      JOIN pg_class ic     ON ic.oid = i.indexrelid
      JOIN pg_am am        ON am.oid = ic.relam
      JOIN pg_class tc     ON tc.oid = i.indrelid
      JOIN pg_namespace n  ON n.oid = tc.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'optimize')
       AND n.nspname NOT LIKE 'pg\_toast%'
       AND NOT pg_is_other_temp_schema(n.oid)
),
-- Every (foreign key, index) pair where the index covers the key.
covers AS MATERIALIZED (
    SELECT con.oid AS fk, x.indexrelid
      FROM pg_constraint con
      JOIN idx x ON x.indrelid = con.conrelid
     WHERE con.contype = 'f'
       AND con.conparentid = 0
       AND x.indisvalid AND x.indisready AND NOT x.partial
       AND x.indnkeyatts >= cardinality(con.conkey)
       AND (x.amname = 'btree' OR (x.amname = 'hash' AND cardinality(con.conkey) = 1))
       AND x.indkey[0 : cardinality(con.conkey) - 1] @> con.conkey
       AND x.indkey[0 : cardinality(con.conkey) - 1] <@ con.conkey
),
-- Foreign keys with exactly one covering index: that index is needed.
fk_only_index AS NOT MATERIALIZED (
    SELECT (array_agg(c.indexrelid))[1] AS indexrelid   -- the one and only
      FROM covers c
     GROUP BY c.fk
    HAVING count(*) = 1
),
dup AS (
    SELECT x.indexrelid,
           first_value(x.indexrelid) OVER (
               PARTITION BY x.indrelid, x.relam, x.indkey::text, x.indclass::text, x.indcollation::text,
                            x.indoption::text, coalesce(x.expressions, ''), coalesce(x.predicate, '')
               ORDER BY NOT x.indisprimary, NOT x.enforces, NOT x.indisvalid, x.indexrelid) AS keeper
      FROM idx x
),
-- Column statistics of the indexed columns, for the bloat estimate.
btree_width AS NOT MATERIALIZED (
    SELECT x.indexrelid,
           count(*)                                       AS ncols,
           count(s.attname)                               AS with_stats,
           max(coalesce(s.null_frac, 0))                  AS max_null_frac,
           sum((1 - s.null_frac::float8) * s.avg_width)   AS data_width
      FROM idx x
      CROSS JOIN LATERAL unnest(x.indkey::int2[]) AS k(attnum)
      JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
      LEFT JOIN pg_stats s
             ON s.schemaname = x.nspname AND s.tablename = x.table_name AND s.attname = a.attname
            AND NOT s.inherited
     WHERE x.amname = 'btree' AND NOT x.has_expressions
     GROUP BY x.indexrelid
),
btree_bloat AS NOT MATERIALIZED (
    SELECT x.indexrelid,
           greatest(0, x.relpages - 1 - ceil(x.reltuples / greatest(1, floor(
               (current_setting('block_size')::int - 24 - 16) * coalesce(ff.fillfactor, 90)
               / (100.0 * (  8 * ceil((8 + CASE WHEN w.max_null_frac > 0 THEN 4 ELSE 0 END) / 8.0)
                           + 8 * ceil(ceil(w.data_width) / 8.0)
                           + 4))))))::bigint * current_setting('block_size')::int AS bloat_bytes
      FROM idx x
      JOIN btree_width w ON w.indexrelid = x.indexrelid
      LEFT JOIN LATERAL (SELECT max(option_value::int) FILTER (WHERE option_name = 'fillfactor') AS fillfactor
                           FROM pg_options_to_table(x.reloptions)) ff ON true
     WHERE w.with_stats = w.ncols
       AND x.reltuples >= 0
),
-- Redundant: the key columns are a strict leading part of another index's.
redundant AS NOT MATERIALIZED (
    SELECT DISTINCT ON (u.indexrelid) u.indexrelid, o.indexrelid AS longer
      FROM idx u
      JOIN dup d ON d.indexrelid = u.indexrelid AND d.keeper = u.indexrelid   -- not a duplicate
      JOIN idx o ON o.indrelid = u.indrelid AND o.relam = u.relam
     WHERE u.amname = 'btree' AND NOT u.enforces AND NOT u.partial AND NOT u.has_expressions
       AND o.indexrelid <> u.indexrelid
       AND o.indisvalid AND NOT o.partial
       AND o.indnkeyatts > u.indnkeyatts
       AND o.indkey[0 : u.indnkeyatts - 1] = u.indkey[0 : u.indnkeyatts - 1]
       AND o.indclass[0 : u.indnkeyatts - 1] = u.indclass[0 : u.indnkeyatts - 1]
       AND o.indcollation[0 : u.indnkeyatts - 1] = u.indcollation[0 : u.indnkeyatts - 1]
       AND o.indoption[0 : u.indnkeyatts - 1] = u.indoption[0 : u.indnkeyatts - 1]
     ORDER BY u.indexrelid, o.indexrelid
),
judged AS MATERIALIZED (
    SELECT x.*,
           pg_total_relation_size(x.indexrelid)          AS bytes,
           coalesce(s.idx_scan, 0)                       AS scans,
           coalesce(s.idx_tup_read, 0)                   AS tuples_read,
           coalesce(s.idx_scan, 0) = 0 AND NOT x.enforces AND f.indexrelid IS NULL AS unused,
           nullif(d.keeper, x.indexrelid)                AS duplicate_of,
           r.longer                                      AS redundant_with,
           b.bloat_bytes,
           format('%I.%I', x.nspname, x.relname)         AS qualified,
           -- (an index lives in its table's schema)
           CASE WHEN dk.oid IS NOT NULL THEN format('%I.%I', x.nspname, dk.relname) END AS duplicate_name,
           CASE WHEN rk.oid IS NOT NULL THEN format('%I.%I', x.nspname, rk.relname) END AS redundant_name
      FROM idx x
      JOIN dup d ON d.indexrelid = x.indexrelid
      LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
      LEFT JOIN fk_only_index f ON f.indexrelid = x.indexrelid
      LEFT JOIN btree_bloat b ON b.indexrelid = x.indexrelid
      LEFT JOIN redundant r ON r.indexrelid = x.indexrelid
      LEFT JOIN pg_class dk ON dk.oid = nullif(d.keeper, x.indexrelid)
      LEFT JOIN pg_class rk ON rk.oid = r.longer
),
-- Every index that covers a foreign key, and whether the rules above would drop it.
fk_covering AS MATERIALIZED (
    SELECT c.fk, j.indexrelid, j.bytes,
           j.duplicate_of IS NOT NULL AS duplicate, j.redundant_with IS NOT NULL AS redundant,
           NOT j.indisvalid OR j.duplicate_of IS NOT NULL OR j.redundant_with IS NOT NULL OR j.unused AS droppable
      FROM covers c
      JOIN judged j ON j.indexrelid = c.indexrelid
),
-- A foreign key all of whose covering indexes are up for dropping keeps one: not a duplicate, not redundant, the
-- smallest, the lowest OID; that one is advised to stay.
fk_kept AS (
    SELECT DISTINCT ON (c.fk) c.indexrelid
      FROM fk_covering c
     WHERE NOT EXISTS (SELECT FROM fk_covering o WHERE o.fk = c.fk AND NOT o.droppable)
     ORDER BY c.fk, c.duplicate, c.redundant, c.bytes, c.indexrelid
),
settled AS (
    SELECT j.indexrelid, j.indrelid, j.bytes, j.scans, j.tuples_read, j.indisunique, j.indisprimary, j.indisvalid,
           j.bloat_bytes, j.qualified,
           j.unused AND k.indexrelid IS NULL                          AS unused,
           CASE WHEN k.indexrelid IS NULL THEN j.duplicate_of END     AS duplicate_of,
           CASE WHEN k.indexrelid IS NULL THEN j.redundant_with END   AS redundant_with,
           j.duplicate_name, j.redundant_name
      FROM judged j
      LEFT JOIN (SELECT DISTINCT indexrelid FROM fk_kept) k ON k.indexrelid = j.indexrelid
)
SELECT j.indexrelid::regclass     AS index,
       j.indrelid::regclass       AS "table",
       j.bytes,
       j.scans,
       j.tuples_read,
       j.indisunique              AS is_unique,
       j.indisprimary             AS is_primary,
       j.indisvalid               AS is_valid,
       j.unused,
       j.duplicate_of::regclass   AS duplicate_of,
       j.redundant_with::regclass AS redundant_with,
       j.bloat_bytes              AS estimated_bloat_bytes,
       CASE
         WHEN NOT j.indisvalid THEN
           format('invalid: left by a failed CREATE INDEX or REINDEX CONCURRENTLY, maintained on every write and '
                  'never used; remove it with DROP INDEX CONCURRENTLY %s; and build it again once the cause '
                  '(duplicate keys, a cancelled build) is fixed', j.qualified)
         WHEN j.duplicate_of IS NOT NULL THEN
           format('duplicate of %s: DROP INDEX CONCURRENTLY %s;',
                  j.duplicate_name, j.qualified)
         WHEN j.redundant_with IS NOT NULL THEN
           format('its columns lead %s, which serves the same lookups: DROP INDEX CONCURRENTLY %s;',
                  j.redundant_name, j.qualified)
         WHEN j.unused THEN
           format('never scanned since the statistics were reset (%s to maintain on every write): '
                  'DROP INDEX CONCURRENTLY %s;',
                  CASE WHEN j.bytes >= 1024.0 ^ 3 THEN round(j.bytes / 1024.0 ^ 3, 1) || ' GB'
                       WHEN j.bytes >= 1024.0 ^ 2 THEN round(j.bytes / 1024.0 ^ 2, 1) || ' MB'
                       ELSE round(j.bytes / 1024.0) || ' kB' END,
                  j.qualified)
         WHEN j.bloat_bytes >= 10 * 1024 * 1024 AND j.bloat_bytes * 2 >= j.bytes THEN
           format('about %s of bloat: REINDEX INDEX CONCURRENTLY %s;',
                  CASE WHEN j.bloat_bytes >= 1024.0 ^ 3 THEN round(j.bloat_bytes / 1024.0 ^ 3, 1) || ' GB'
                       ELSE round(j.bloat_bytes / 1024.0 ^ 2, 1) || ' MB' END,
                  j.qualified)
       END                        AS recommendation
  FROM settled j
 ORDER BY j.bytes DESC, j.indexrelid;
