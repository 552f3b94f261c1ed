-- Health data from catalog statistics: staged conditions and what each view and function says about them.
CREATE EXTENSION pg_optimize;
CREATE SCHEMA h;
SET search_path = h, public;
\set SHOW_CONTEXT never

-- a table with dead tuples that autovacuum may not touch
CREATE TABLE churn (id int PRIMARY KEY, payload text) WITH (autovacuum_enabled = off);
INSERT INTO churn SELECT g, repeat('x', 50) FROM generate_series(1, 5000) g;
-- (counts not yet flushed to the statistics would be added on top of what ANALYZE finds)
SELECT pg_stat_force_next_flush();
ANALYZE churn;
DELETE FROM churn WHERE id <= 2000;
-- a healthy, analyzed table next to it
CREATE TABLE calm (id int PRIMARY KEY, v int);
INSERT INTO calm SELECT g, g FROM generate_series(1, 100) g;
SELECT pg_stat_force_next_flush();
VACUUM ANALYZE calm;
SELECT pg_stat_force_next_flush();

SELECT "table", live_tuples, dead_tuples, round(dead_pct::numeric, 1) AS dead_pct, vacuum_needed, analyze_needed,
       autovacuum_enabled, status
FROM optimize.table_health WHERE "table" IN ('churn'::regclass, 'calm'::regclass) ORDER BY "table"::text;
-- sizes are those of pg_total_relation_size; estimates are never negative
SELECT bool_and(bytes = pg_total_relation_size("table")) AS sizes_match,
       bool_and(coalesce(estimated_bloat_bytes, 0) >= 0 AND coalesce(estimated_bloat_pct, 0) BETWEEN 0 AND 100)
         AS estimates_in_range,
       bool_and(xid_age >= 0) AS xid_age_known
FROM optimize.table_health WHERE "table" IN ('churn'::regclass, 'calm'::regclass);
SELECT severity, kind, object, round(value::numeric, 1) AS value, threshold, message
FROM optimize.alerts WHERE kind = 'dead_tuples';
-- raise the threshold and the alert goes; lower the critical one and it becomes critical
SET pg_optimize.alert_dead_tuple_pct = 50;
SELECT count(*) AS dead_tuple_alerts FROM optimize.alerts WHERE kind = 'dead_tuples';
SET pg_optimize.alert_dead_tuple_pct = 20;
SET pg_optimize.alert_dead_tuple_critical_pct = 40;
SELECT severity, threshold FROM optimize.alerts WHERE kind = 'dead_tuples';
RESET pg_optimize.alert_dead_tuple_critical_pct;
-- tiny tables make no noise
SET pg_optimize.alert_dead_tuple_min_rows = 5000;
SELECT count(*) AS dead_tuple_alerts FROM optimize.alerts WHERE kind = 'dead_tuples';
RESET pg_optimize.alert_dead_tuple_min_rows;

-- indexes: unused, duplicate, redundant, invalid, and the one index a foreign key needs
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent SELECT g FROM generate_series(1, 10) g;
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, code text, created date);
INSERT INTO child SELECT g, g % 10 + 1, 'c' || g, date '2026-01-01' + g % 30 FROM generate_series(1, 200) g;
CREATE INDEX child_parent_idx ON child (parent_id);            -- the only index of the foreign key: keep
CREATE INDEX child_code_idx ON child (code);                   -- unused
CREATE INDEX child_code_again_idx ON child (code);             -- duplicate of child_code_idx
CREATE INDEX child_created_idx ON child (created);             -- redundant with the next one
CREATE INDEX child_created_code_idx ON child (created, code);
CREATE UNIQUE INDEX child_code_key ON child (code);            -- enforces uniqueness: never unused
INSERT INTO child VALUES (1000, 1, 'dup', NULL), (1001, 1, 'dup2', NULL);
CREATE TABLE broken (id int, v int);
INSERT INTO broken VALUES (1, 1), (2, 1);
CREATE UNIQUE INDEX CONCURRENTLY broken_v_key ON broken (v);  -- fails, leaves an invalid index
SELECT index, is_unique, is_valid, unused, duplicate_of, redundant_with, recommendation
FROM optimize.index_usage WHERE "table" IN ('child'::regclass, 'broken'::regclass) ORDER BY index::text;
SELECT severity, kind, object, message FROM optimize.alerts WHERE kind = 'invalid_index';
-- identical expression and partial indexes are duplicates however they were typed; different INCLUDE columns are not
CREATE TABLE shapes (id int PRIMARY KEY, email text, status text, amount int);
CREATE INDEX shapes_lower_a ON shapes (lower(email));
CREATE INDEX shapes_lower_b ON shapes (  lower(  email  )  );
CREATE INDEX shapes_open_a ON shapes (id) WHERE status = 'open';
CREATE INDEX shapes_open_b ON shapes (id)   WHERE   status = 'open';
CREATE INDEX shapes_inc_amount ON shapes (status) INCLUDE (amount);
CREATE INDEX shapes_inc_email ON shapes (status) INCLUDE (email);
SELECT index, duplicate_of FROM optimize.index_usage WHERE "table" = 'shapes'::regclass ORDER BY index::text;
-- a foreign key whose covering indexes are all up for dropping keeps one of them
CREATE TABLE fkpair (id int PRIMARY KEY, parent_id int REFERENCES parent, created date);
CREATE INDEX fkpair_parent_idx ON fkpair (parent_id);                  -- redundant with the next
CREATE INDEX fkpair_parent_created_idx ON fkpair (parent_id, created); -- never scanned
SELECT index, unused, redundant_with, recommendation IS NOT NULL AS has_advice
FROM optimize.index_usage WHERE "table" = 'fkpair'::regclass ORDER BY index::text;

-- wide indexes, with more columns than an index's per-column arrays keep inline: every column is compared
CREATE TABLE wide (a int, b int, c int, d int, e int, f int, g int, h text);
CREATE UNIQUE INDEX wide_key ON wide (a, b, c, d, e);
CREATE UNIQUE INDEX wide_key_twin ON wide (a, b, c, d, e);
CREATE INDEX wide_abcd ON wide (a, b, c, d);
CREATE INDEX wide_abcd_desc ON wide (a, b, c, d DESC);
CREATE UNIQUE INDEX wide_h7 ON wide (h COLLATE "C", a, b, c, d, e, f);
CREATE INDEX wide_h7_twin ON wide (h COLLATE "C", a, b, c, d, e, f);
CREATE INDEX wide_h7_posix ON wide (h COLLATE "POSIX", a, b, c, d, e, f);
SELECT index, duplicate_of, redundant_with, kept_because
FROM optimize.index_usage WHERE "table" = 'wide'::regclass ORDER BY index::text;
DROP TABLE wide;

-- an index only foreign keys depend on (unique, without a constraint of its own): kept, naming the oldest of them;
-- once it backs a constraint of its own, that constraint is named
CREATE TABLE fk_target (id int NOT NULL);
CREATE UNIQUE INDEX fk_target_id ON fk_target (id);
CREATE TABLE fk_first (t int REFERENCES fk_target (id));
CREATE TABLE fk_second (t int REFERENCES fk_target (id));
SELECT index, unused, recommendation, kept_because
FROM optimize.index_usage WHERE "table" = 'fk_target'::regclass;
ALTER TABLE fk_target ADD CONSTRAINT fk_target_id_key UNIQUE USING INDEX fk_target_id;
SELECT index, unused, recommendation, kept_because
FROM optimize.index_usage WHERE "table" = 'fk_target'::regclass;
DROP TABLE fk_first, fk_second, fk_target;

-- sequences: near the end of their own range, and of the integer column they feed
CREATE SEQUENCE short_seq MAXVALUE 100;
SELECT setval('short_seq', 95);
CREATE TABLE counters (id serial PRIMARY KEY);
SELECT setval('counters_id_seq', 2000000000);
CREATE SEQUENCE unused_seq;
SELECT sequence, owned_by, column_type, last_value, round(pct_used::numeric, 2) AS pct_used
FROM optimize.sequence_health WHERE sequence::text LIKE '%seq' ORDER BY sequence::text;
SELECT severity, kind, object, round(value::numeric, 1) AS value, threshold
FROM optimize.alerts WHERE kind = 'sequence_exhaustion' ORDER BY object;

-- transaction ID wraparound: thresholds are shares of the XID space, fractional
SET pg_optimize.alert_xid_age_pct = 0.000001;
SELECT severity, kind, object = current_database() AS this_database, threshold
FROM optimize.alerts WHERE kind = 'xid_wraparound' AND object = current_database();
SET pg_optimize.alert_xid_age_critical_pct = 0.000001;
SELECT severity FROM optimize.alerts WHERE kind = 'xid_wraparound' AND object = current_database();
RESET pg_optimize.alert_xid_age_pct;
RESET pg_optimize.alert_xid_age_critical_pct;
SELECT count(*) AS wraparound_alerts FROM optimize.alerts WHERE kind = 'xid_wraparound';

-- an inactive replication slot that keeps WAL
SELECT 'created' FROM pg_create_physical_replication_slot('pgo_forgotten', true);
SELECT severity, kind, object, message LIKE 'physical replication slot has no client%' AS message_ok
FROM optimize.alerts WHERE kind = 'inactive_replication_slot';
SELECT value FROM optimize.metrics() WHERE metric = 'inactive_replication_slots';
SELECT pg_drop_replication_slot('pgo_forgotten');

-- metrics: every metric once, counts that follow from the staged conditions
SELECT metric, unit FROM optimize.metrics() ORDER BY metric;
SELECT metric, value FROM optimize.metrics()
WHERE metric IN ('invalid_indexes', 'missing_fk_indexes', 'sequences_near_exhaustion', 'inactive_replication_slots',
                 'blocked_queries')
ORDER BY metric;
SELECT (SELECT value FROM optimize.metrics() WHERE metric = 'connections_max')
       = current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
         - coalesce(current_setting('reserved_connections', true)::int, 0) AS usable_slots_right;

-- recommendations: every statement runs as it is (settings and partitioning aside)
SELECT priority, kind, object FROM optimize.recommendations WHERE kind <> 'setting' ORDER BY priority, kind, object;
SELECT sql FROM optimize.recommendations
WHERE kind NOT IN ('setting', 'partitioning') AND object LIKE 'h.%' ORDER BY priority, kind, object \gexec
SELECT count(*) AS left_to_do FROM optimize.recommendations
WHERE kind NOT IN ('setting', 'partitioning') AND object LIKE 'h.%';

-- names that need quoting
CREATE SCHEMA "Odd ""Schema""";
CREATE TABLE "Odd ""Schema"""."Mixed Case" (id int PRIMARY KEY, "select" int);
INSERT INTO "Odd ""Schema"""."Mixed Case" SELECT g, g FROM generate_series(1, 10) g;
CREATE INDEX "Index With Space" ON "Odd ""Schema"""."Mixed Case" ("select");
SELECT recommendation FROM optimize.index_usage WHERE index::text LIKE '%Index With Space%';
SELECT sql FROM optimize.recommendations WHERE object LIKE '%Index With Space%' \gexec
SELECT count(*) AS still_there FROM pg_class WHERE relname = 'Index With Space';
DROP SCHEMA "Odd ""Schema""" CASCADE;

-- config_recommendations: fixed inputs give fixed advice
-- (autovacuum_max_workers follows the machine's CPU count)
SELECT setting, recommended_value, unit, needs_restart, sql
FROM optimize.config_recommendations(17179869184, 'hdd', 150) WHERE setting <> 'autovacuum_max_workers';
SELECT recommended_value::int >= 3 AS at_least_three_workers
FROM optimize.config_recommendations(17179869184) WHERE setting = 'autovacuum_max_workers';
SELECT count(*) = 0 AS none_is_empty FROM optimize.config_recommendations() WHERE recommended_value = '';
-- every ALTER SYSTEM statement is accepted by the server (then undone)
SELECT sql FROM optimize.config_recommendations(17179869184, 'network', 150) WHERE setting <> 'autovacuum_max_workers' \gexec
-- (the three that need a restart are written but reported as not applied yet)
SELECT count(*) FILTER (WHERE error IS NULL) AS applied, count(*) AS written
FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf';
ALTER SYSTEM RESET ALL;
SELECT * FROM optimize.config_recommendations(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM optimize.config_recommendations(NULL, 'tape');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM optimize.config_recommendations(NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM optimize.config_recommendations(NULL, 'ssd', 0);
\echo :LAST_ERROR_SQLSTATE

-- health_check: every check, statuses from the known set
SELECT check_name, status IN ('ok', 'warning', 'critical') AS status_known FROM optimize.health_check();

-- report: three formats, valid JSON, clear errors
SELECT split_part(optimize.report(), E'\n', 1) AS first_line;
SELECT (optimize.report('json')::jsonb ->> 'title') AS title,
       jsonb_array_length(optimize.report('JSON')::jsonb -> 'sections') AS sections;
SELECT optimize.report('markdown') LIKE '# pg_optimize report: database %' AS markdown_heading;
SELECT optimize.report('xml');
\echo :LAST_ERROR_SQLSTATE
SELECT optimize.report(NULL);
\echo :LAST_ERROR_SQLSTATE
-- A long list shows its most important rows (pg_optimize.report_max_rows), with the exact count and the query that
-- lists them all; the rows shown are those the views put first, and every format says the same.
CREATE SCHEMA cut;
CREATE TABLE cut.parent (id int PRIMARY KEY);
INSERT INTO cut.parent SELECT generate_series(1, 10);
CREATE TABLE cut.small (id int, parent int REFERENCES cut.parent);
CREATE TABLE cut.middle (id int, parent int REFERENCES cut.parent);
CREATE TABLE cut.big (id int, parent int REFERENCES cut.parent);
INSERT INTO cut.small SELECT g, 1 FROM generate_series(1, 10) g;
INSERT INTO cut.middle SELECT g, 1 FROM generate_series(1, 5000) g;
INSERT INTO cut.big SELECT g, 1 FROM generate_series(1, 20000) g;
CREATE INDEX small_id ON cut.small (id);
CREATE INDEX small_id_again ON cut.small (id);
CREATE INDEX middle_id ON cut.middle (id);
CREATE INDEX middle_id_again ON cut.middle (id);
CREATE INDEX big_id ON cut.big (id);
CREATE INDEX big_id_again ON cut.big (id);
SET pg_optimize.report_max_rows = 2;
CREATE TEMP TABLE cut AS
SELECT s ->> 'title' AS section, s -> 'rows' AS rows, s ->> 'note' AS note
FROM jsonb_array_elements(optimize.report('json')::jsonb -> 'sections') s
WHERE s ->> 'title' IN ('Alerts', 'Index findings', 'Foreign keys without an index', 'Recommendations');
CREATE TEMP TABLE listed AS
SELECT 'Alerts' AS section, (SELECT count(*) FROM optimize.alerts) AS total
UNION ALL SELECT 'Index findings', (SELECT count(*) FROM optimize.index_usage WHERE recommendation IS NOT NULL)
UNION ALL SELECT 'Foreign keys without an index', (SELECT count(*) FROM optimize.missing_fk_indexes())
UNION ALL SELECT 'Recommendations', (SELECT count(*) FROM optimize.recommendations);
SELECT section, jsonb_array_length(rows) AS shown, l.total > 2 AS more_than_two,
       CASE WHEN l.total > 2 THEN (regexp_match(note, '^Showing 2 of (\d+) '))[1]::bigint = l.total
            ELSE note IS NULL END AS note_counts_all,
       substring(note from 'All of them: (.*)$') AS query
FROM cut JOIN listed l USING (section) ORDER BY section;
-- the biggest tables' foreign keys, as missing_fk_indexes() lists them first
SELECT ARRAY(SELECT r ->> 1 FROM cut, jsonb_array_elements(rows) r WHERE section = 'Foreign keys without an index')
       = ARRAY(SELECT constraint_name::text FROM optimize.missing_fk_indexes() LIMIT 2) AS fk_first_two;
-- index findings by priority (1 invalid, 2, 3 unused), then size, then the view's order
SELECT ARRAY(SELECT (r ->> 0)::regclass FROM cut, jsonb_array_elements(rows) r WHERE section = 'Index findings')
       = ARRAY(SELECT index FROM optimize._index_usage() WITH ORDINALITY u
               WHERE recommendation IS NOT NULL
               ORDER BY CASE WHEN NOT is_valid THEN 1 WHEN unused THEN 3 ELSE 2 END, bytes DESC, ordinality
               LIMIT 2) AS index_findings_first_two;
-- recommendations: the most urgent first
SELECT ARRAY(SELECT (r ->> 0)::int FROM cut, jsonb_array_elements(rows) r WHERE section = 'Recommendations')
       = ARRAY(SELECT priority FROM optimize.recommendations ORDER BY priority LIMIT 2) AS most_urgent_first;
SELECT count(*) AS formats_with_the_note FROM (VALUES (optimize.report()), (optimize.report('markdown')),
  (optimize.report('json')), (optimize.report('html'))) f(t)
WHERE t LIKE '%All of them: SELECT * FROM optimize.recommendations;%';
-- Tables by dead tuples: the ten with the most, ties in table_health's order (the report picks them in one pass over
-- the rows, keeping none of the others). Twelve tables with more dead tuples than any other, one tie among them.
DO $$
BEGIN
  FOR i IN 1..12 LOOP
    EXECUTE format('CREATE TABLE cut.d%s (id int) WITH (autovacuum_enabled = off)', i);
    EXECUTE format('INSERT INTO cut.d%s SELECT generate_series(1, 5000)', i);
    -- d7 and d8: 3700 each
    EXECUTE format('DELETE FROM cut.d%s WHERE id <= %s', i, CASE i WHEN 8 THEN 3700 ELSE 3000 + 100 * i END);
  END LOOP;
END $$;
SELECT pg_stat_force_next_flush();
SELECT ARRAY(SELECT (r ->> 0)::regclass
             FROM jsonb_array_elements(optimize.report('json')::jsonb -> 'sections') s,
                  jsonb_array_elements(s -> 'rows') WITH ORDINALITY r(r, n)
             WHERE s ->> 'title' = 'Tables by dead tuples' ORDER BY n) AS dead_tuples_first_ten;
SELECT ARRAY(SELECT (r ->> 0)::regclass
             FROM jsonb_array_elements(optimize.report('json')::jsonb -> 'sections') s,
                  jsonb_array_elements(s -> 'rows') WITH ORDINALITY r(r, n)
             WHERE s ->> 'title' = 'Tables by dead tuples' ORDER BY n)
       = ARRAY(SELECT "table" FROM optimize._table_health() WITH ORDINALITY t
               WHERE dead_tuples > 0 ORDER BY dead_tuples DESC, ordinality LIMIT 10) AS as_table_health_orders_them;
SET pg_optimize.report_max_rows = 0;
RESET pg_optimize.report_max_rows;
SELECT note FROM cut WHERE section = 'Foreign keys without an index';
SELECT jsonb_array_length(rows) AS fk_rows_by_default
FROM jsonb_array_elements(optimize.report('json')::jsonb -> 'sections') s(s), LATERAL (SELECT s -> 'rows') r(rows)
WHERE s ->> 'title' = 'Foreign keys without an index';
DROP TABLE cut, listed;
DROP SCHEMA cut CASCADE;

-- index_hit_pct counts each index's block reads once: a partitioned index's row in index_usage sums its
-- partitions' indexes, which have rows of their own (pg_statio_user_indexes has only those). A new index's first
-- scan reads its pages from disk, so the partition's index has a hit ratio of its own, and counting it twice would
-- move the figure.
CREATE TABLE hit_parted (id int) PARTITION BY RANGE (id);
CREATE TABLE hit_parted_1 PARTITION OF hit_parted FOR VALUES FROM (0) TO (1000000);
INSERT INTO hit_parted SELECT generate_series(1, 5000);
CREATE INDEX hit_parted_id ON hit_parted (id);
ANALYZE hit_parted;
SET enable_seqscan = off;
SELECT count(*) FROM hit_parted WHERE id < 2500;
RESET enable_seqscan;
SELECT pg_stat_force_next_flush();
SELECT idx_blks_read > 0 AS partition_index_read_from_disk
  FROM pg_statio_user_indexes WHERE indexrelname = 'hit_parted_1_id_idx';
SELECT abs(m.value - s.pct) < 1e-9 AS index_hit_pct_counts_each_index_once
  FROM optimize.metrics() m,
       (SELECT 100 * sum(idx_blks_hit)::float8 / sum(idx_blks_hit + idx_blks_read) AS pct
          FROM pg_statio_user_indexes WHERE schemaname NOT IN ('optimize') AND schemaname NOT LIKE 'pg\_temp%') s
 WHERE m.metric = 'index_hit_pct';
DROP TABLE hit_parted;

-- privileges: pg_monitor may read, others may not
CREATE ROLE pgo_nobody;
CREATE ROLE pgo_watcher IN ROLE pg_monitor;
SET ROLE pgo_nobody;
SELECT count(*) FROM optimize.alerts;
SELECT count(*) FROM optimize.metrics();
RESET ROLE;
SET ROLE pgo_watcher;
SELECT count(*) > 0 AS watcher_reads FROM optimize.metrics();
SELECT count(*) >= 0 AS watcher_reads_views FROM optimize.table_health, optimize.index_usage LIMIT 1;
-- a sequence's position is shown only to roles that may read the sequence (as pg_sequences does), alerts included
SELECT sequence, last_value, pct_used FROM optimize.sequence_health WHERE sequence::text LIKE '%short_seq';
SELECT count(*) AS sequence_alerts FROM optimize.alerts WHERE kind = 'sequence_exhaustion';
RESET ROLE;
GRANT SELECT ON short_seq TO pgo_watcher;
SET ROLE pgo_watcher;
SELECT object FROM optimize.alerts WHERE kind = 'sequence_exhaustion';
RESET ROLE;
REVOKE SELECT ON short_seq FROM pgo_watcher;
DROP ROLE pgo_nobody;
DROP ROLE pgo_watcher;

-- sizes in another tablespace and of this session's temporary tables come from the same directory listing
SET allow_in_place_tablespaces = true;
CREATE TABLESPACE pgo_space LOCATION '';
CREATE TABLE spaced (id int PRIMARY KEY USING INDEX TABLESPACE pg_default, note text) TABLESPACE pgo_space;
CREATE INDEX spaced_note ON spaced (note) TABLESPACE pgo_space;
INSERT INTO spaced SELECT g, repeat('y', 3000) FROM generate_series(1, 300) g;
CREATE TEMP TABLE scratch (id int PRIMARY KEY, note text);
INSERT INTO scratch SELECT g, repeat('z', 100) FROM generate_series(1, 2000) g;
SELECT "table"::regclass::text AS "table", bytes = pg_total_relation_size("table") AS sizes_match, bytes > 0 AS measured
FROM optimize.table_health WHERE "table" IN ('spaced'::regclass, 'scratch'::regclass) ORDER BY 1;
SELECT index::regclass::text AS index, bytes = pg_relation_size(index) AS sizes_match, bytes > 0 AS measured
FROM optimize.index_usage WHERE "table" IN ('spaced'::regclass, 'scratch'::regclass) ORDER BY 1;
-- with more than a thousand files to measure, pg_optimize.measure_threads threads share the stat()s: the figures
-- are the same, in both directories and for the temporary table
DO $$
BEGIN
  FOR i IN 1..300 LOOP
    EXECUTE format('CREATE TABLE h.many_%s (id int PRIMARY KEY, parent int%s, note text)%s', i,
                   CASE WHEN i > 1 THEN format(' REFERENCES h.many_%s', i - 1) ELSE '' END,
                   CASE WHEN i % 3 = 0 THEN ' TABLESPACE pgo_space' ELSE '' END);
    EXECUTE format('INSERT INTO h.many_%s (id, note) SELECT g, repeat(%L, 40 * g) FROM generate_series(1, %s) g', i, 'm', i);
  END LOOP;
END $$;
SHOW pg_optimize.measure_threads;
SET pg_optimize.measure_threads = 4;
SELECT count(*) AS tables, bool_and(bytes = pg_total_relation_size("table")) AS sizes_match
FROM optimize.table_health WHERE "table"::text LIKE 'many\_%' OR "table" IN ('spaced'::regclass, 'scratch'::regclass);
SELECT count(*) AS indexes, bool_and(bytes = pg_relation_size(index)) AS sizes_match
FROM optimize.index_usage WHERE "table"::text LIKE 'many\_%' OR "table" IN ('spaced'::regclass, 'scratch'::regclass);
SELECT count(*) AS tables, bool_and(table_bytes = pg_total_relation_size(table_name)) AS sizes_match
FROM optimize.missing_fk_indexes() WHERE table_name::text LIKE 'many\_%';
SELECT value = pg_database_size(current_database()) AS database_bytes_match
FROM optimize.metrics() WHERE metric = 'database_bytes';
-- one thread: the backend lists and measures alone, with the same figures
SET pg_optimize.measure_threads = 1;
SELECT count(*) AS tables, bool_and(bytes = pg_total_relation_size("table")) AS sizes_match
FROM optimize.table_health WHERE "table"::text LIKE 'many\_%' OR "table" IN ('spaced'::regclass, 'scratch'::regclass);
SELECT value = pg_database_size(current_database()) AS database_bytes_match
FROM optimize.metrics() WHERE metric = 'database_bytes';
-- a call cancelled early (its listing thread may still be reading) waits for that thread, ends with the usual
-- error, and the backend goes on
SET pg_optimize.measure_threads = 2;
SET statement_timeout = '1ms';
SELECT count(*) FROM optimize.recommendations;
SELECT count(*) FROM optimize.table_health;
RESET statement_timeout;
SELECT count(*) > 300 AS still_serving FROM optimize.table_health;
SET pg_optimize.measure_threads = 0;
SET pg_optimize.measure_threads = 17;
RESET pg_optimize.measure_threads;
DO $$ BEGIN FOR i IN REVERSE 300..1 LOOP EXECUTE format('DROP TABLE h.many_%s', i); END LOOP; END $$;
DROP TABLE spaced, scratch;
DROP TABLESPACE pgo_space;
RESET allow_in_place_tablespaces;

RESET search_path;
DROP SCHEMA h CASCADE;
DROP EXTENSION pg_optimize;
