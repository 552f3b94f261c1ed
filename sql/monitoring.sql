-- Monitoring: optimize.openmetrics() (Prometheus text exposition) and optimize.report('html'). Values that depend on
-- timing or on the machine are not shown: line shapes, series present for staged conditions, escaping, privileges.
CREATE EXTENSION pg_optimize;
CREATE SCHEMA mon;
SET search_path = mon, public;
\set SHOW_CONTEXT never

-- a table whose name tries to break out of a label value and out of HTML markup, with dead tuples
CREATE TABLE "x""} 1
<script>alert(1)</script>" (id int PRIMARY KEY) WITH (autovacuum_enabled = off);
INSERT INTO "x""} 1
<script>alert(1)</script>" SELECT generate_series(1, 3000);
DELETE FROM "x""} 1
<script>alert(1)</script>" WHERE id > 1000;
SELECT pg_stat_force_next_flush();
CREATE TABLE ok (id int) WITH (autovacuum_enabled = off);
INSERT INTO ok SELECT generate_series(1, 100);

-- every line is a comment (HELP or TYPE) or one sample: name, optional labels, a value Prometheus parses
SELECT count(*) AS bad_lines
FROM regexp_split_to_table(rtrim(optimize.openmetrics(), E'\n'), E'\n') AS l
WHERE l !~ '^# (HELP|TYPE) pg_optimize_[a-z_]+ '
  AND l !~ '^pg_optimize_[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$';
-- the families, in order
SELECT substr(l, 8) AS type_line
FROM regexp_split_to_table(optimize.openmetrics(), E'\n') AS l WHERE l LIKE '# TYPE %';
-- the hostile name is one escaped label value
SELECT l FROM regexp_split_to_table(optimize.openmetrics(), E'\n') AS l
WHERE l LIKE 'pg_optimize_table_dead_tuples{%';
-- only the worst tables: pg_optimize.openmetrics_max_tables
SET pg_optimize.openmetrics_max_tables = 0;
SELECT count(*) AS table_series FROM regexp_split_to_table(optimize.openmetrics(), E'\n') AS l
WHERE l LIKE 'pg_optimize_table_%{%';
RESET pg_optimize.openmetrics_max_tables;
SET pg_optimize.openmetrics_max_tables = -1;
\echo :LAST_ERROR_SQLSTATE
-- the per-table series give table_health's figures, a partitioned table's summed over its partitions (the sizes are
-- measured for the tables shown only)
CREATE TABLE parted (id int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000) WITH (autovacuum_enabled = off);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (1000) TO (3000) WITH (autovacuum_enabled = off);
CREATE INDEX ON parted (id);
INSERT INTO parted SELECT generate_series(0, 2999);
DELETE FROM parted WHERE id % 3 = 0;
SELECT pg_stat_force_next_flush();
WITH series AS (
  SELECT m[1] AS family, m[2] AS label, m[3]::float8 AS value
  FROM regexp_split_to_table(optimize.openmetrics(), E'\n') AS l,
       regexp_match(l, '^pg_optimize_table_([a-z_]+)\{database="[^"]*",table="([^"]*)"\} (.*)$') AS m),
health AS (
  SELECT format('%I.%I', n.nspname, c.relname) AS label, h.*
  FROM optimize.table_health h JOIN pg_class c ON c.oid = h."table" JOIN pg_namespace n ON n.oid = c.relnamespace)
SELECT s.family, string_agg(s.label, ', ' ORDER BY s.label) AS tables,
       bool_and(s.value = CASE s.family WHEN 'dead_tuples' THEN h.dead_tuples
                                        WHEN 'dead_tuples_ratio' THEN h.dead_pct / 100
                                        WHEN 'size_bytes' THEN h.bytes END) AS as_table_health
FROM series s JOIN health h USING (label)
WHERE s.family IN ('dead_tuples', 'dead_tuples_ratio', 'size_bytes') AND s.label LIKE 'mon.%'
GROUP BY s.family ORDER BY s.family;
SELECT bytes = pg_total_relation_size('parted_1') + pg_total_relation_size('parted_2') AS parted_bytes_summed
FROM optimize.table_health WHERE "table" = 'parted'::regclass;
DROP TABLE parted;

-- histogram buckets are cumulative, end with +Inf equal to _count
WITH b AS (
  SELECT (regexp_match(l, 'le="([^"]+)"'))[1] AS le, split_part(l, ' ', 2)::float8 AS n, ord
  FROM regexp_split_to_table(optimize.openmetrics(), E'\n') WITH ORDINALITY AS t(l, ord)
  WHERE l LIKE 'pg_optimize_statement_duration_seconds_bucket{database="' || current_database() || '"%')
SELECT count(*) AS buckets,
       bool_and(n >= coalesce(prev, 0)) AS cumulative,
       max(le) FILTER (WHERE ord = (SELECT max(ord) FROM b)) AS last_le,
       max(n) = (SELECT split_part(l, ' ', 2)::float8
                 FROM regexp_split_to_table(optimize.openmetrics(), E'\n') AS l
                 WHERE l LIKE 'pg_optimize_statement_duration_seconds_count{database="' || current_database() || '"}%')
         AS inf_equals_count
FROM (SELECT le, n, ord, lag(n) OVER (ORDER BY ord) AS prev FROM b) x;
-- never a query text
SELECT optimize.openmetrics() LIKE '%SELECT%' AS shows_query_text;

-- report('html'): one page, every section, no script, names escaped
DO $$BEGIN PERFORM optimize.run_job('snapshot_hourly'); END$$;  -- a job run and a snapshot to draw
SELECT left(optimize.report('html'), 15) AS doctype,
       optimize.report('HTML') LIKE '%</html>' || E'\n' AS complete;
SELECT (SELECT count(*) FROM regexp_matches(optimize.report('html'), '<h2>', 'g')) >= 13 AS sections,
       (SELECT count(*) FROM regexp_matches(optimize.report('html'), '<svg', 'g')) >= 5 AS charts;
SELECT optimize.report('html') ~* '<script' AS has_script,
       optimize.report('html') LIKE '%&lt;script&gt;alert(1)&lt;/script&gt;%' AS name_escaped,
       optimize.report('html') ~ '(src|href)="(https?:)?//' AS fetches;
SELECT optimize.report('pdf');
\echo :LAST_ERROR_SQLSTATE
SELECT optimize.report(NULL);
\echo :LAST_ERROR_SQLSTATE
-- text, markdown and json are unchanged
SELECT split_part(optimize.report(), E'\n', 1) AS first_line, optimize.report('json')::jsonb ? 'sections' AS json;

-- index advice: the section of optimize.index_advice when that view exists (a stand-in when it does not)
CREATE TEMP TABLE advice_standin AS SELECT to_regclass('optimize.index_advice') IS NULL AS ours;
DO $$
BEGIN
  IF (SELECT ours FROM advice_standin) THEN
    CREATE VIEW optimize.index_advice AS
      SELECT 'mon.ok'::text AS "table", 'CREATE INDEX ON mon.ok (id); -- <b>bold</b>'::text AS sql;
  END IF;
END
$$;
SELECT optimize.report('html') LIKE '%<h2>Index advice</h2>%' AS advice_section,
       NOT (SELECT ours FROM advice_standin)
       OR optimize.report('html') LIKE '%<code>CREATE INDEX ON mon.ok (id); -- &lt;b&gt;bold&lt;/b&gt;</code>%'
         AS advice_sql_escaped;
DO $$
BEGIN
  IF (SELECT ours FROM advice_standin) THEN
    DROP VIEW optimize.index_advice;
  END IF;
END
$$;
SELECT optimize.report('html') LIKE '%<h2>Index advice</h2>%' = NOT (SELECT ours FROM advice_standin)
  AS section_follows_the_view;
DROP TABLE advice_standin;

-- operators planted on the search path are never resolved by either function
CREATE FUNCTION mon.trap_text(text, text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'trap'; END$$;
CREATE OPERATOR mon.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mon.trap_text);
CREATE FUNCTION mon.trap_time(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'trap'; END$$;
CREATE OPERATOR mon.- (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = mon.trap_time);
SELECT optimize.openmetrics() LIKE '# HELP %' AS openmetrics_safe,
       optimize.report('html') LIKE '<!DOCTYPE html>%' AS html_safe;

-- privileges: pg_monitor may read, others may not
CREATE ROLE mon_nobody;
CREATE ROLE mon_watcher IN ROLE pg_monitor;
SET ROLE mon_nobody;
SELECT optimize.openmetrics();
SELECT optimize.report('html');
RESET ROLE;
SET ROLE mon_watcher;
SELECT optimize.openmetrics() LIKE '# HELP %' AS watcher_reads;
SELECT optimize.report('html') LIKE '<!DOCTYPE html>%' AS watcher_reads_html;
RESET ROLE;
DROP ROLE mon_nobody;
DROP ROLE mon_watcher;

RESET search_path;
DROP SCHEMA mon CASCADE;
DROP EXTENSION pg_optimize;
