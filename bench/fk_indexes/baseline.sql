-- bench/fk_indexes/baseline.sql
--
-- Reference query for optimize.missing_fk_indexes(): the kind of catalog
-- query a DBA pastes from a monitoring toolkit, written to follow exactly the
-- coverage rule used by the extension.
--
-- A foreign key (pg_constraint.contype = 'f', conparentid = 0) counts as
-- covered when at least one index on the referencing table
--   * is valid and ready, and has no predicate (not partial),
--   * has at least k key columns (indnkeyatts; INCLUDE columns never count),
--     where k = number of FK columns,
--   * has as its first k key columns exactly the FK columns, in any order
--     (expression columns are stored as 0 in indkey and never match),
--   * uses btree, or hash when k = 1.
-- For a partitioned table only an index on the root itself (a partitioned
-- index) counts, and its size is the sum over its whole partition tree.
-- System schemas and other sessions' temporary schemas are skipped.
--
-- Note: indkey is an int2vector whose subscripts start at 0, so the first k
-- key columns are indkey[0 : k-1].
SELECT fk.conrelid::regclass  AS table_name,
       fk.conname             AS constraint_name,
       ARRAY(SELECT a.attname
               FROM unnest(fk.conkey) WITH ORDINALITY AS u(attnum, pos)
               JOIN pg_attribute a
                 ON a.attrelid = fk.conrelid AND a.attnum = u.attnum
              ORDER BY u.pos)  AS columns,
       fk.confrelid::regclass AS referenced_table,
       CASE WHEN fk.relkind = 'p'
            THEN (SELECT sum(pg_total_relation_size(pt.relid))
                    FROM pg_partition_tree(fk.conrelid) AS pt)::bigint
            ELSE pg_total_relation_size(fk.conrelid)
       END                    AS table_bytes
  FROM (SELECT con.conrelid, con.confrelid, con.conname, con.conkey,
               cardinality(con.conkey) AS nkeys, rel.relkind
          FROM pg_constraint con
          JOIN pg_class rel     ON rel.oid = con.conrelid
          JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace
         WHERE con.contype = 'f'
           AND con.conparentid = 0
           AND nsp.nspname NOT IN ('pg_catalog', 'information_schema', 'optimize')
           AND nsp.nspname NOT LIKE 'pg\_toast%'
           AND NOT pg_is_other_temp_schema(nsp.oid)) AS fk
 WHERE NOT EXISTS (
         SELECT 1
           FROM pg_index idx
           JOIN pg_class ic ON ic.oid = idx.indexrelid
           JOIN pg_am am    ON am.oid = ic.relam
          WHERE idx.indrelid = fk.conrelid
            AND idx.indisvalid
            AND idx.indisready
            AND idx.indpred IS NULL
            AND idx.indnkeyatts >= fk.nkeys
            AND (am.amname = 'btree' OR (am.amname = 'hash' AND fk.nkeys = 1))
            AND idx.indkey[0 : fk.nkeys - 1] @> fk.conkey
            AND idx.indkey[0 : fk.nkeys - 1] <@ fk.conkey)
 ORDER BY table_bytes DESC, fk.conrelid::regclass::text, fk.conname;
