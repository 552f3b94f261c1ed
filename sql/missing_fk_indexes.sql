-- optimize.missing_fk_indexes(): one table per case, named after what it shows.
CREATE EXTENSION pg_optimize;
CREATE SCHEMA fk;
SET search_path = fk, public;
CREATE TABLE parent (id int PRIMARY KEY, code int NOT NULL, UNIQUE (id, code));

-- missing: no index at all
CREATE TABLE plain (id int PRIMARY KEY, parent_id int REFERENCES parent);
-- covered: an index on exactly the column
CREATE TABLE exact_index (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE INDEX ON exact_index (parent_id);
-- covered: the column leads a composite index
CREATE TABLE leading_composite (id int PRIMARY KEY, parent_id int REFERENCES parent, created date);
CREATE INDEX ON leading_composite (parent_id, created);
-- missing: the column trails a composite index
CREATE TABLE trailing_composite (id int PRIMARY KEY, parent_id int REFERENCES parent, created date);
CREATE INDEX ON trailing_composite (created, parent_id);
-- covered: a two-column key, indexed in the other order
CREATE TABLE multi_other_order (id int PRIMARY KEY, pid int, pcode int,
    FOREIGN KEY (pid, pcode) REFERENCES parent (id, code));
CREATE INDEX ON multi_other_order (pcode, pid);
-- missing: a two-column key with an index on one of the two columns only
CREATE TABLE multi_one_column (id int PRIMARY KEY, pid int, pcode int,
    FOREIGN KEY (pid, pcode) REFERENCES parent (id, code));
CREATE INDEX ON multi_one_column (pid);
-- missing: two single-column indexes do not make one two-column index
CREATE TABLE two_single_indexes (id int PRIMARY KEY, pid int, pcode int,
    FOREIGN KEY (pid, pcode) REFERENCES parent (id, code));
CREATE INDEX ON two_single_indexes (pid);
CREATE INDEX ON two_single_indexes (pcode);
-- missing: a partial index serves only some rows
CREATE TABLE partial_index (id int PRIMARY KEY, parent_id int REFERENCES parent, active bool);
CREATE INDEX ON partial_index (parent_id) WHERE active;
-- missing: an expression index is not an index on the column
CREATE TABLE expression_index (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE INDEX ON expression_index ((parent_id + 0));
-- missing: an INCLUDE column is not a key column
CREATE TABLE include_only (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE INDEX ON include_only (id) INCLUDE (parent_id);
-- missing: GIN cannot serve the equality lookup
CREATE EXTENSION btree_gin SCHEMA public;
CREATE TABLE gin_index (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE INDEX ON gin_index USING gin (parent_id);
-- missing: BRIN only narrows the search to block ranges
CREATE TABLE brin_index (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE INDEX ON brin_index USING brin (parent_id);
-- covered: a single-column hash index serves equality
CREATE TABLE hash_index (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE INDEX ON hash_index USING hash (parent_id);
-- covered: the primary key leads with the foreign key column
CREATE TABLE pk_leads (parent_id int REFERENCES parent, seq int, PRIMARY KEY (parent_id, seq));
-- missing: the primary key has it second
CREATE TABLE pk_second (seq int, parent_id int REFERENCES parent, PRIMARY KEY (seq, parent_id));
-- missing: a self reference
CREATE TABLE self_ref (id int PRIMARY KEY, manager_id int REFERENCES self_ref);
-- missing: an invalid index (a failed CREATE UNIQUE INDEX CONCURRENTLY leaves one behind)
CREATE TABLE invalid_index (id int PRIMARY KEY, parent_id int REFERENCES parent);
INSERT INTO parent SELECT g, g FROM generate_series(1, 20) g;
INSERT INTO invalid_index SELECT g, 1 FROM generate_series(1, 3) g;
CREATE UNIQUE INDEX CONCURRENTLY invalid_index_parent_id_idx ON invalid_index (parent_id);
-- missing: names that need quoting (upper case, spaces, quotes, a keyword)
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."Order Lines" ("Parent ""Id""" int REFERENCES parent, "select" int REFERENCES parent);
-- two foreign keys over the same column set get the same statement (one index serves both)
CREATE TABLE two_fks_same_columns (id int PRIMARY KEY, a int REFERENCES parent, CONSTRAINT second_fk FOREIGN KEY (a) REFERENCES parent);
-- partitioned, no index anywhere: reported once, for the root, not for each partition
CREATE TABLE part_missing (id int, parent_id int REFERENCES parent, at date) PARTITION BY RANGE (at);
CREATE TABLE part_missing_2025 PARTITION OF part_missing FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
    PARTITION BY LIST (parent_id);
CREATE TABLE part_missing_2025_a PARTITION OF part_missing_2025 FOR VALUES IN (1, 2, 3);
CREATE TABLE part_missing_2025_rest PARTITION OF part_missing_2025 DEFAULT;
CREATE TABLE part_missing_2026 PARTITION OF part_missing FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO part_missing SELECT g, g % 20 + 1, date '2025-06-01' + g % 400 FROM generate_series(1, 500) g;
-- partitioned, with a partitioned index on the root: covered
CREATE TABLE part_indexed (id int, parent_id int REFERENCES parent, at date) PARTITION BY RANGE (at);
CREATE TABLE part_indexed_2026 PARTITION OF part_indexed FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ON part_indexed (parent_id);
-- partitioned, indexes on every partition but none on the root: still reported for the root
CREATE TABLE part_leaves_only (id int, parent_id int REFERENCES parent, at date) PARTITION BY RANGE (at);
CREATE TABLE part_leaves_only_2026 PARTITION OF part_leaves_only FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ON ONLY part_leaves_only_2026 (parent_id);
-- missing, and the first two names CREATE INDEX would choose are taken, by an index and by a sequence: the next one
CREATE TABLE name_taken (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE INDEX name_taken_parent_id_idx ON name_taken (id);
CREATE SEQUENCE name_taken_parent_id_idx1;
-- some rows, so sizes differ and the order by size shows
INSERT INTO plain SELECT g, g % 20 + 1 FROM generate_series(1, 2000) g;
INSERT INTO self_ref SELECT g, NULL FROM generate_series(1, 300) g;

SELECT table_name, constraint_name, columns, referenced_table
FROM optimize.missing_fk_indexes();

-- sizes: total size with indexes and TOAST, partitions included, and the order follows them
SELECT table_name, table_bytes = coalesce(
         (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(table_name)),
         pg_total_relation_size(table_name)) AS size_matches
FROM optimize.missing_fk_indexes()
ORDER BY table_name::text COLLATE "C";
SELECT bool_and(ordered) AS biggest_first FROM (
  SELECT table_bytes <= lag(table_bytes, 1, table_bytes) OVER (ORDER BY ord) AS ordered
  FROM optimize.missing_fk_indexes() WITH ORDINALITY AS m(t, c, cols, r, table_bytes, s, ord)) x;

-- the suggested statements, quoted where needed
SELECT table_name, suggested_index FROM optimize.missing_fk_indexes() ORDER BY table_name::text COLLATE "C", constraint_name;

-- our own temporary tables are reported
CREATE TEMP TABLE temp_parent (id int PRIMARY KEY);
CREATE TEMP TABLE temp_child (parent_id int REFERENCES temp_parent);
SELECT table_name, columns, suggested_index LIKE '%ON pg_temp_%.temp_child (parent_id);' AS qualified
FROM optimize.missing_fk_indexes() WHERE table_name = 'temp_child'::regclass;
-- metrics() counts the same foreign keys without building the rows (temporary tables, partitions and all)
SELECT (SELECT value FROM optimize.metrics() WHERE metric = 'missing_fk_indexes')
       = (SELECT count(*) FROM optimize.missing_fk_indexes()) AS metric_counts_rows;
DROP TABLE temp_child, temp_parent;

-- property: after running every suggested statement, nothing is missing
SELECT regexp_split_to_table(suggested_index, E'\n') FROM optimize.missing_fk_indexes() \gexec
SELECT count(*) AS still_missing FROM optimize.missing_fk_indexes();
SELECT (SELECT value FROM optimize.metrics() WHERE metric = 'missing_fk_indexes')
       = (SELECT count(*) FROM optimize.missing_fk_indexes()) AS metric_counts_rows;
-- and the indexes built for the partitioned tree are valid
SELECT i.indexrelid::regclass AS index, i.indisvalid
FROM pg_index i WHERE i.indrelid::regclass::text LIKE 'part_missing%' ORDER BY i.indexrelid::regclass::text COLLATE "C";

-- outside a schema of ours nothing is reported: catalogs have no foreign keys, and an empty database shows none
DROP SCHEMA fk CASCADE;
DROP SCHEMA "Odd Schema" CASCADE;
SELECT count(*) AS after_drop FROM optimize.missing_fk_indexes();
RESET search_path;
DROP EXTENSION btree_gin;
DROP EXTENSION pg_optimize;
