-- bench/health/index_usage.sql
--
-- Plain-SQL counterpart of optimize.index_usage, as a view
-- pgo_baseline.index_usage with the same columns (all but kept_because), in
-- the style of the unused- and duplicate-index queries of PgHero,
-- check_postgres and the PostgreSQL wiki, extended to the rules of
-- docs/health.md (0.2): partitioned indexes, constraint-backed indexes, and
-- advice judged as a whole.  Also defines pgo_baseline.fk_covering_index (the
-- indexes that cover each foreign key), which metrics.sql reuses.
--
-- Rows: every index (pg_index) whose table is outside pg_catalog,
-- information_schema, pg_toast*, pg_optimize's own optimize and other sessions'
-- temporary schemas.
--
--   bytes, scans, tuples_read  pg_total_relation_size() of the index (all
--                  its forks: PgHero's pg_relation_size() leaves out the free
--                  space map a vacuumed btree may have) and pg_stat_user_indexes.
--                  A partitioned index (relkind I) has neither storage nor
--                  statistics: its figures are those of the leaf indexes of
--                  its tree (pg_inherits, recursively) summed.
--   constraint-backed  some pg_constraint row names the index in conindid:
--                  its own PRIMARY KEY, UNIQUE or EXCLUDE constraint, or a
--                  foreign key referencing it (DROP INDEX would refuse it).
--   attached       the index is a partition of a partitioned index
--                  (pg_inherits); it never gets advice of its own.
--   enforces       unique, primary, exclusion or replica identity.
--   unused         never scanned, enforcing nothing, not constraint-backed,
--                  not attached, and (below) advised for dropping.
--   duplicate_of   another index of the same table with the same definition:
--                  access method, key and INCLUDE columns (indkey), operator
--                  classes, collations, per-column options, expressions and
--                  predicate as pg_get_expr() prints them, NULLS NOT DISTINCT.
--                  The one of a group kept is, in this order, constraint-backed,
--                  the primary key, attached, enforcing, immediate, valid, the
--                  lowest OID.  Another index of the group names it only if it
--                  may go: it is not constraint-backed, primary, exclusion,
--                  replica identity or attached, the kept one is valid, and if
--                  it is unique the kept one is unique too and checked at least
--                  as soon (immediate, or both deferrable).
--   redundant_with a btree index that is not a duplicate, enforces nothing, is
--                  not constraint-backed, partial, attached nor on expressions,
--                  whose key columns (with operator classes, collations and
--                  options) are a strict leading part of another valid,
--                  non-partial index's key columns, that index storing every
--                  column (key and INCLUDE) it stores: that index, the lowest
--                  OID if several.
--   covering       (pgo_baseline.fk_covering_index) the rule of
--                  optimize.missing_fk_indexes(): a valid, ready btree index (or
--                  hash for a one-column key) whose first k key columns are the
--                  key's k columns in any order; a partial one only when its
--                  predicate is "col IS NOT NULL" terms of key columns joined by
--                  AND (what the key's own lookup implies; the extension asks
--                  the planner's prover, which also accepts other implied forms).
--   the advice as a whole  an index is up for dropping when it is invalid,
--                  unused, a duplicate or redundant, and neither attached nor
--                  constraint-backed.  Then:
--                  1. a foreign key all of whose covering indexes are up for
--                     dropping keeps one (not a duplicate, not redundant, the
--                     smallest, the lowest OID): it is neither unused,
--                     duplicate_of nor redundant_with.  Judged for all foreign
--                     keys at once (the extension goes key by key, so an index
--                     kept for one key may already serve the next one: on two
--                     keys sharing covering indexes it may keep fewer);
--                  2. a duplicate or redundant index whose replacement is up for
--                     dropping takes another replacement that stays (lowest
--                     OID), else loses duplicate_of/redundant_with and stays
--                     unless it is invalid or unused.  Judged for all indexes at
--                     once, one round: a step only takes drops back, so the
--                     indexes that stay after it are replacements that stay.
--                     (The extension walks the indexes one by one in pg_index
--                     order; on a chain of three or more indexes each replacing
--                     the next, all advised, it may keep fewer of them.)
--                  An index that is not advised for dropping shows no
--                  unused/duplicate_of/redundant_with.
--   estimated_bloat_bytes  the usual statistics-based btree estimate (the
--                  approach of the ioguix btree bloat query), leaf level only:
--                  index tuple = MAXALIGN(8-byte header + 4-byte null bitmap if
--                  any column can be null) + MAXALIGN(data width from pg_stats)
--                  + 4-byte line pointer; tuples per page at the fillfactor
--                  (default 90); expected pages = ceil(reltuples / per page) + 1
--                  (the meta page).  Btree indexes without expressions only, not
--                  partitioned ones.  No per-column alignment padding, unlike
--                  the extension.
--   recommendation the same advice as the extension, worded the same way (a
--                  partitioned index is dropped without CONCURRENTLY).

CREATE SCHEMA IF NOT EXISTS pgo_baseline;

-- Every (foreign key, index) pair where the index covers the key; foreign keys
-- of partitions cloned from a partitioned table's key (conparentid) are left
-- out, the root's key stands for them.
CREATE OR REPLACE VIEW pgo_baseline.fk_covering_index AS
-- (Both sides materialized: left to itself, the planner joins pg_class to the
-- foreign keys through pg_am before it joins pg_index, tens of millions of rows.)
WITH fk AS MATERIALIZED (
    SELECT con.oid, con.conrelid, con.conkey
      FROM pg_constraint con
     WHERE con.contype = 'f'
       AND con.conparentid = 0
),
-- The predicate of each partial index, split at AND: the columns of its
-- "col IS NOT NULL" terms, and whether every term is one of those.
partial AS MATERIALIZED (
    SELECT i.indexrelid, bool_and(a.attnum IS NOT NULL) AS only_not_null, array_agg(a.attnum) AS not_null_columns
      FROM pg_index i
     CROSS JOIN LATERAL unnest(string_to_array(regexp_replace(pg_get_expr(i.indpred, i.indrelid), '[()]', '', 'g'),
                                               ' AND ')) AS t(term)
      LEFT JOIN pg_attribute a
             ON a.attrelid = i.indrelid AND a.attnum > 0 AND quote_ident(a.attname) || ' IS NOT NULL' = t.term
     WHERE i.indpred IS NOT NULL
     GROUP BY i.indexrelid
),
candidate AS MATERIALIZED (
    SELECT i.indexrelid, i.indrelid, i.indkey, i.indnkeyatts, am.amname, i.indpred IS NULL AS total,
           p.only_not_null, p.not_null_columns
      FROM pg_index i
      JOIN pg_class ic  ON ic.oid = i.indexrelid
      JOIN pg_am am     ON am.oid = ic.relam
      LEFT JOIN partial p ON p.indexrelid = i.indexrelid
     WHERE i.indisvalid AND i.indisready
       AND am.amname IN ('btree', 'hash')
)
SELECT fk.oid AS fk, fk.conrelid, x.indexrelid
  FROM fk
  JOIN candidate x ON x.indrelid = fk.conrelid
 WHERE x.indkey[0 : cardinality(fk.conkey) - 1] @> fk.conkey
   -- (the other conditions in one CASE: the planner would multiply their guesses
   -- into an estimate of one row, then loop over this view in the joins that use it)
   AND CASE WHEN x.indnkeyatts >= cardinality(fk.conkey)
                 AND (x.amname = 'btree' OR cardinality(fk.conkey) = 1)
                 AND x.indkey[0 : cardinality(fk.conkey) - 1] <@ fk.conkey
            THEN x.total OR (x.only_not_null AND x.not_null_columns <@ fk.conkey)
            ELSE false END;

-- idx is NOT MATERIALIZED so that the planner sees the catalogs' own
-- statistics where it is joined to them; the CTEs built on it are materialized,
-- so that their expressions (definition texts, sizes) are computed once, and
-- are joined on OIDs.  Keep filters that make a CTE look tiny to the planner out
-- of them: it then loops over the CTE instead of hashing it (minutes, not
-- seconds, on 20,000 indexes).
CREATE OR REPLACE VIEW pgo_baseline.index_usage AS
WITH RECURSIVE idx AS NOT MATERIALIZED (
    SELECT i.indexrelid, i.indrelid, ic.relam, am.amname, n.nspname, ic.relname, tc.relname AS table_name,
           ic.relkind = 'I'                     AS partitioned,
           i.indnatts, i.indnkeyatts, i.indkey, i.indclass, i.indcollation, i.indoption,
           i.indisunique, i.indisprimary, i.indisexclusion, i.indisreplident, i.indisvalid, i.indisready,
           i.indimmediate,
           i.indisunique OR i.indisprimary OR i.indisexclusion OR i.indisreplident AS enforces,
           cb.conindid IS NOT NULL              AS constraint_backed,
           h.inhrelid IS NOT NULL               AS attached,
           i.indpred IS NOT NULL                AS partial,
           i.indexprs IS NOT NULL               AS has_expressions,
           -- the definition, as one text: equal texts, identical indexes
           format('%s %s %s %s %s %s %s %L %L %s', i.indrelid, ic.relam, i.indnkeyatts, i.indkey, i.indclass,
                  i.indcollation, i.indoption, pg_get_expr(i.indexprs, i.indrelid),
                  pg_get_expr(i.indpred, i.indrelid), i.indnullsnotdistinct) AS definition,
           ic.relpages, ic.reltuples, ic.reloptions
      FROM pg_index i
      JOIN pg_class ic     ON ic.oid = i.indexrelid
      JOIN pg_am am        ON am.oid = ic.relam
      JOIN pg_class tc     ON tc.oid = i.indrelid
      JOIN pg_namespace n  ON n.oid = tc.relnamespace
      LEFT JOIN (SELECT DISTINCT conindid FROM pg_constraint WHERE conindid <> 0) cb ON cb.conindid = i.indexrelid
      LEFT JOIN (SELECT DISTINCT inhrelid FROM pg_inherits) h ON h.inhrelid = i.indexrelid
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'optimize')
       AND n.nspname NOT LIKE 'pg\_toast%'
       AND NOT pg_is_other_temp_schema(n.oid)
),
-- The indexes below each partitioned index, at any depth.
tree (root, indexrelid) AS (
    SELECT h.inhparent, h.inhrelid
      FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhparent
     WHERE c.relkind = 'I'
    UNION ALL
    SELECT t.root, h.inhrelid
      FROM tree t JOIN pg_inherits h ON h.inhparent = t.indexrelid
),
-- Column statistics of the indexed columns, for the bloat estimate.
btree_width AS (
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
     WHERE x.amname = 'btree' AND NOT x.has_expressions AND NOT x.partitioned
     GROUP BY x.indexrelid
),
measured AS MATERIALIZED (
    SELECT x.indexrelid,
           CASE WHEN x.partitioned THEN coalesce(p.bytes, 0) ELSE pg_total_relation_size(x.indexrelid) END AS bytes,
           CASE WHEN x.partitioned THEN coalesce(p.scans, 0) ELSE coalesce(s.idx_scan, 0) END AS scans,
           CASE WHEN x.partitioned THEN coalesce(p.tuples_read, 0) ELSE coalesce(s.idx_tup_read, 0) END AS tuples_read,
           -- the usual btree estimate: leaf pages beyond what reltuples needs at the fillfactor
           CASE WHEN w.with_stats = w.ncols AND x.reltuples >= 0 THEN
             greatest(0, x.relpages - 1 - ceil(x.reltuples / greatest(1, floor(
                 (current_setting('block_size')::int - 24 - 16) * coalesce(ff.fillfactor, 90)
                 / (100.0 * (  8 * ceil((8 + CASE WHEN w.max_null_frac > 0 THEN 4 ELSE 0 END) / 8.0)
                             + 8 * ceil(ceil(w.data_width) / 8.0)
                             + 4))))))::bigint * current_setting('block_size')::int
           END AS bloat_bytes
      FROM idx x
      LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
      LEFT JOIN (SELECT t.root, sum(pg_total_relation_size(t.indexrelid))::bigint AS bytes,
                        sum(ls.idx_scan)::bigint AS scans, sum(ls.idx_tup_read)::bigint AS tuples_read
                   FROM tree t
                   JOIN pg_class lc ON lc.oid = t.indexrelid AND lc.relkind = 'i'
                   LEFT JOIN pg_stat_user_indexes ls ON ls.indexrelid = t.indexrelid
                  GROUP BY t.root) p ON p.root = x.indexrelid
      LEFT JOIN btree_width w ON w.indexrelid = x.indexrelid
      LEFT JOIN LATERAL (SELECT max(option_value::int) FILTER (WHERE option_name = 'fillfactor') AS fillfactor
                           FROM pg_options_to_table(x.reloptions)) ff ON true
),
-- The index kept of each group of identical ones.
ranked AS MATERIALIZED (
    SELECT x.indexrelid,
           first_value(x.indexrelid) OVER (
               PARTITION BY x.definition
               ORDER BY NOT x.constraint_backed, NOT x.indisprimary, NOT x.attached, NOT x.enforces,
                        NOT x.indimmediate, NOT x.indisvalid, x.indexrelid) AS keeper
      FROM idx x
),
-- Every pair (index, other) of identical indexes where the index may go while the other stays.
dup_pair AS MATERIALIZED (
    SELECT d.indexrelid, k.indexrelid AS other
      FROM idx d
      JOIN idx k ON k.definition = d.definition AND k.indexrelid <> d.indexrelid
     WHERE NOT (d.constraint_backed OR d.indisprimary OR d.indisexclusion OR d.indisreplident OR d.attached)
       AND k.indisvalid
       AND (NOT d.indisunique OR (k.indisunique AND (k.indimmediate OR NOT d.indimmediate)))
),
-- Every pair (index, longer) where the longer index serves the lookups of the shorter one.
red_pair AS MATERIALIZED (
    SELECT u.indexrelid, o.indexrelid AS longer
      FROM idx u
      JOIN idx o ON o.indrelid = u.indrelid AND o.relam = u.relam
     WHERE u.amname = 'btree' AND NOT u.enforces AND NOT u.constraint_backed AND NOT u.partial
       AND NOT u.has_expressions AND NOT u.attached
       AND o.indexrelid <> u.indexrelid
       AND o.indisvalid AND NOT o.partial
       AND o.indnkeyatts > u.indnkeyatts
       AND o.indkey[0 : u.indnkeyatts - 1] = u.indkey[0 : u.indnkeyatts - 1]
       AND o.indclass[0 : u.indnkeyatts - 1] = u.indclass[0 : u.indnkeyatts - 1]
       AND o.indcollation[0 : u.indnkeyatts - 1] = u.indcollation[0 : u.indnkeyatts - 1]
       AND o.indoption[0 : u.indnkeyatts - 1] = u.indoption[0 : u.indnkeyatts - 1]
       AND u.indkey::int2[] <@ o.indkey::int2[]
),
-- Each index judged alone, and whether it is up for dropping.
up AS MATERIALIZED (
    SELECT a.*,
           NOT a.attached AND NOT a.constraint_backed
           AND (NOT a.indisvalid OR a.unused OR a.duplicate_of IS NOT NULL OR a.redundant_with IS NOT NULL) AS drop
      FROM (SELECT x.indexrelid, x.indisvalid, x.attached, x.constraint_backed, m.bytes,
                   m.scans = 0 AND NOT x.enforces AND NOT x.constraint_backed AND NOT x.attached AS unused,
                   dp.other                                     AS duplicate_of,
                   CASE WHEN dp.other IS NULL THEN r.longer END AS redundant_with
              FROM idx x
              JOIN measured m ON m.indexrelid = x.indexrelid
              JOIN ranked k ON k.indexrelid = x.indexrelid
              LEFT JOIN dup_pair dp ON dp.indexrelid = x.indexrelid AND dp.other = k.keeper
              LEFT JOIN (SELECT indexrelid, min(longer) AS longer FROM red_pair GROUP BY indexrelid) r
                     ON r.indexrelid = x.indexrelid) a
),
-- 1. A foreign key all of whose covering indexes are up for dropping keeps one.
fk_kept AS (
    SELECT DISTINCT c.indexrelid
      FROM (SELECT c.indexrelid,
                   bool_and(u.drop) OVER (PARTITION BY c.fk) AS all_up,
                   row_number() OVER (PARTITION BY c.fk
                                      ORDER BY NOT u.indisvalid, u.duplicate_of IS NOT NULL,
                                               u.redundant_with IS NOT NULL, u.bytes, c.indexrelid) AS choice
              FROM pgo_baseline.fk_covering_index c
              JOIN up u ON u.indexrelid = c.indexrelid) c
     WHERE c.all_up AND c.choice = 1
),
step1 AS MATERIALIZED (
    SELECT u.indexrelid, u.indisvalid, u.unused,
           CASE WHEN f.indexrelid IS NULL THEN u.duplicate_of END   AS duplicate_of,
           CASE WHEN f.indexrelid IS NULL THEN u.redundant_with END AS redundant_with,
           u.drop AND f.indexrelid IS NULL                          AS drop
      FROM up u
      LEFT JOIN fk_kept f ON f.indexrelid = u.indexrelid
),
-- 2. A duplicate or redundant index whose replacement goes too takes another replacement that stays, or stays.
alt_dup AS (
    SELECT p.indexrelid, min(p.other) AS other
      FROM dup_pair p JOIN step1 o ON o.indexrelid = p.other
     WHERE NOT o.drop
     GROUP BY p.indexrelid
),
alt_red AS (
    SELECT p.indexrelid, min(p.longer) AS longer
      FROM red_pair p JOIN step1 o ON o.indexrelid = p.longer
     WHERE NOT o.drop
     GROUP BY p.indexrelid
),
step2 AS (
    SELECT s.indexrelid, s.indisvalid, s.unused, s.drop,
           CASE WHEN kd.drop THEN ad.other ELSE s.duplicate_of END    AS duplicate_of,
           CASE WHEN kr.drop THEN ar.longer ELSE s.redundant_with END AS redundant_with
      FROM step1 s
      LEFT JOIN step1 kd ON kd.indexrelid = s.duplicate_of
      LEFT JOIN step1 kr ON kr.indexrelid = s.redundant_with
      LEFT JOIN alt_dup ad ON ad.indexrelid = s.indexrelid
      LEFT JOIN alt_red ar ON ar.indexrelid = s.indexrelid
),
settled AS MATERIALIZED (
    SELECT s.indexrelid, d.dropped,
           d.dropped AND s.unused                         AS unused,
           CASE WHEN d.dropped THEN s.duplicate_of END    AS duplicate_of,
           CASE WHEN d.dropped THEN s.redundant_with END  AS redundant_with
      FROM step2 s
     CROSS JOIN LATERAL (SELECT s.drop AND (NOT s.indisvalid OR s.unused OR s.duplicate_of IS NOT NULL
                                             OR s.redundant_with IS NOT NULL)) AS d(dropped)
)
SELECT x.indexrelid::regclass     AS index,
       x.indrelid::regclass       AS "table",
       m.bytes,
       m.scans,
       m.tuples_read,
       x.indisunique              AS is_unique,
       x.indisprimary             AS is_primary,
       x.indisvalid               AS is_valid,
       j.unused,
       j.duplicate_of::regclass   AS duplicate_of,
       j.redundant_with::regclass AS redundant_with,
       m.bloat_bytes              AS estimated_bloat_bytes,
       CASE
         WHEN NOT j.dropped THEN
           CASE WHEN x.indisvalid AND NOT x.partitioned
                     AND m.bloat_bytes >= 10 * 1024 * 1024 AND m.bloat_bytes * 2 >= m.bytes THEN
             format('about %s of bloat: REINDEX INDEX CONCURRENTLY %s;',
                    CASE WHEN m.bloat_bytes >= 1024.0 ^ 3 THEN round(m.bloat_bytes / 1024.0 ^ 3, 1) || ' GB'
                         ELSE round(m.bloat_bytes / 1024.0 ^ 2, 1) || ' MB' END,
                    q.qualified)
           END
         WHEN NOT x.indisvalid THEN
           format('invalid: left by a failed CREATE INDEX or REINDEX CONCURRENTLY, maintained on every write and '
                  'never used; remove it with %s and build it again once the cause (duplicate keys, a cancelled '
                  'build) is fixed%s', q.drop_sql, q.tree)
         WHEN j.duplicate_of IS NOT NULL THEN
           -- (an index lives in its table's schema)
           format('duplicate of %s: %s%s', format('%I.%I', x.nspname, dk.relname), q.drop_sql, q.tree)
         WHEN j.redundant_with IS NOT NULL THEN
           format('its columns lead %s, which serves the same lookups: %s%s',
                  format('%I.%I', x.nspname, rk.relname), q.drop_sql, q.tree)
         ELSE
           format('never scanned since the statistics were reset (%s to maintain on every write): %s%s',
                  CASE WHEN m.bytes >= 1024.0 ^ 3 THEN round(m.bytes / 1024.0 ^ 3, 1) || ' GB'
                       WHEN m.bytes >= 1024.0 ^ 2 THEN round(m.bytes / 1024.0 ^ 2, 1) || ' MB'
                       ELSE round(m.bytes / 1024.0) || ' kB' END,
                  q.drop_sql, q.tree)
       END                        AS recommendation
  FROM idx x
  JOIN measured m ON m.indexrelid = x.indexrelid
  JOIN settled j ON j.indexrelid = x.indexrelid
  LEFT JOIN idx dk ON dk.indexrelid = j.duplicate_of
  LEFT JOIN idx rk ON rk.indexrelid = j.redundant_with
 CROSS JOIN LATERAL (
    SELECT format('%I.%I', x.nspname, x.relname) AS qualified,
           -- PostgreSQL refuses CONCURRENTLY for a partitioned index; a plain DROP takes its partitions' indexes along
           format(CASE WHEN x.partitioned THEN 'DROP INDEX %I.%I;' ELSE 'DROP INDEX CONCURRENTLY %I.%I;' END,
                  x.nspname, x.relname) AS drop_sql,
           CASE WHEN x.partitioned THEN ' (a partitioned index: the drop removes its partitions'' indexes too and '
                                        'locks the tables briefly)' ELSE '' END AS tree) q
 ORDER BY m.bytes DESC, x.indexrelid;
