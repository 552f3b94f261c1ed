-- Query latency on a server that preloads pg_optimize (as pg_regress's --temp-config does here): statement counts,
-- statement shapes and their texts, N+1 events, the histogram, the target, the alerts and privileges. Timings differ
-- from run to run, so only counts, shapes and relations between the figures are shown.
CREATE EXTENSION pg_optimize;
CREATE SCHEMA lat;
SET search_path = lat, public;
\set SHOW_CONTEXT never
CREATE TABLE items (id int PRIMARY KEY, v int);
INSERT INTO items SELECT g, g FROM generate_series(1, 100) g;

-- after a reset only the reset itself has been timed in this database
SELECT optimize.reset_latency();
SELECT calls, target_ms, pct_within_target, meets_target FROM optimize.latency WHERE database = current_database();

-- five executions of one statement shape, with different constants
SELECT v FROM items WHERE id = 1;
SELECT v FROM items WHERE id = 2;
SELECT v FROM items WHERE id = 3;
SELECT v FROM items WHERE id = 4;
SELECT v FROM items WHERE id = 5;
SELECT database, role, query ~ '^SELECT v FROM items WHERE id = [1-5]$' AS slowest_call_text, calls, slow_calls,
       min_ok, first_seen <= last_seen AS seen_in_order
FROM (SELECT *, mean_ms <= max_ms AND p95_ms <= max_ms * 1.125 AND total_ms >= max_ms AS min_ok
      FROM optimize.slow_queries) q
WHERE query LIKE 'SELECT v FROM items WHERE id = %';

-- a slow statement: over the 50 ms target
SELECT pg_sleep(0.06);
SELECT calls, slow_calls, max_ms >= 60 AS max_over_60_ms FROM optimize.slow_queries WHERE query = 'SELECT pg_sleep(0.06)';
-- 10 statements so far (reset, latency, five selects, slow_queries, sleep, slow_queries): the percentiles are
-- ordered, the histogram holds every statement, the sleep missed the target
SELECT calls, p50_ms <= p90_ms AND p90_ms <= p95_ms AND p95_ms <= p99_ms AND p99_ms <= max_ms AS ordered,
       mean_ms <= max_ms AS mean_ok, max_ms >= 60 AS max_is_the_sleep, pct_within_target < 100 AS missed,
       meets_target, (SELECT sum(count) FROM optimize.latency_histogram()) = calls AS histogram_holds_all
FROM optimize.latency WHERE database = current_database();
SELECT min(lower_ms) >= 0 AS bounds_ok, bool_and(lower_ms < upper_ms) AS buckets_ok,
       bool_and(upper_ms <= lower_ms * 1.016 + 0.001) AS buckets_narrow
FROM optimize.latency_histogram();
SELECT count(*) AS other_database_buckets FROM optimize.latency_histogram('template0');
SELECT * FROM optimize.latency_histogram('no_such_database');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM optimize.latency_histogram(NULL);
\echo :LAST_ERROR_SQLSTATE

-- statements of one query string are told apart; texts are cut to track_activity_query_size
SELECT 1 AS lat_first \; SELECT 1, 2 AS lat_second;
SELECT query FROM optimize.slow_queries WHERE query LIKE 'SELECT 1%AS lat_%' ORDER BY query;
SELECT repeat('x', 1500) AS long_literal \gset
SELECT :'long_literal' AS lat_long \g /dev/null
SELECT length(query) AS text_length, current_setting('track_activity_query_size') AS limit
FROM optimize.slow_queries WHERE query LIKE 'SELECT ''xxx%';

-- pg_optimize.track: none times nothing, all also times statements inside functions
SELECT calls AS before FROM optimize.latency WHERE database = current_database() \gset
SET pg_optimize.track = none;
SELECT 1;
SELECT 2;
RESET pg_optimize.track;
SELECT calls - :before AS timed FROM optimize.latency WHERE database = current_database();
SET pg_optimize.track = 'all';
DO $$ BEGIN FOR i IN 1..30 LOOP PERFORM v FROM items WHERE id = i; END LOOP; END $$;
RESET pg_optimize.track;
SELECT calls FROM optimize.slow_queries WHERE query = 'SELECT v FROM items WHERE id = i';
-- a hundred more statements inside a function (the threshold raised so they make no N+1 event)
SET pg_optimize.track = 'all';
SET pg_optimize.n_plus_one_threshold = 1000;
DO $$ BEGIN FOR i IN 1..100 LOOP PERFORM id FROM items WHERE v = i; END LOOP; END $$;
RESET pg_optimize.n_plus_one_threshold;
RESET pg_optimize.track;

-- N+1: the same shape 25 times in a row (a pause of up to 10 s between them still counts as a burst here)
SET pg_optimize.n_plus_one_gap_ms = '10s';
SELECT id FROM items WHERE v = 1;
SELECT id FROM items WHERE v = 2;
SELECT id FROM items WHERE v = 3;
SELECT id FROM items WHERE v = 4;
SELECT id FROM items WHERE v = 5;
SELECT id FROM items WHERE v = 6;
SELECT id FROM items WHERE v = 7;
SELECT id FROM items WHERE v = 8;
SELECT id FROM items WHERE v = 9;
SELECT id FROM items WHERE v = 10;
SELECT id FROM items WHERE v = 11;
SELECT id FROM items WHERE v = 12;
SELECT id FROM items WHERE v = 13;
SELECT id FROM items WHERE v = 14;
SELECT id FROM items WHERE v = 15;
SELECT id FROM items WHERE v = 16;
SELECT id FROM items WHERE v = 17;
SELECT id FROM items WHERE v = 18;
SELECT id FROM items WHERE v = 19;
SELECT id FROM items WHERE v = 20;
SELECT id FROM items WHERE v = 21;
SELECT id FROM items WHERE v = 22;
SELECT id FROM items WHERE v = 23;
SELECT id FROM items WHERE v = 24;
SELECT id FROM items WHERE v = 25;
RESET pg_optimize.n_plus_one_gap_ms;
SELECT database, role, regexp_replace(query, '[0-9]+$', 'N') AS query, events, largest_run, average_run,
       total_ms >= 0 AS total_ok, last_seen IS NOT NULL AS seen
FROM optimize.n_plus_one ORDER BY query;
SELECT severity, kind, object = current_database() || ': query ' || q.queryid AS object_ok, value, threshold
FROM optimize.alerts a JOIN optimize.n_plus_one q ON a.object LIKE '%' || q.queryid
WHERE kind = 'n_plus_one' ORDER BY value;
-- a long statement text in a message is cut at 100 bytes, never inside a character (here a 2-byte one)
SET pg_optimize.n_plus_one_gap_ms = '10s';
\o /dev/null
SELECT format('SELECT %L FROM items WHERE v = 1', 'x' || repeat('é', 60)) FROM generate_series(1, 20) \gexec
\o
RESET pg_optimize.n_plus_one_gap_ms;
SELECT right(message, 3) = '...' AS cut, convert_from(convert_to(message, 'UTF8'), 'UTF8') = message AS whole_characters,
       octet_length(substring(message FROM 'SELECT ''x.*$')) <= 103 AS at_most_100_bytes
FROM optimize.alerts WHERE kind = 'n_plus_one' AND message LIKE '%SELECT ''xé%';

-- the target: one statement in more than a hundred missed it: at the default 95% no alert, at 100% one
SELECT calls >= 100 AS enough_statements, meets_target FROM optimize.latency WHERE database = current_database();
SELECT count(*) AS target_alerts FROM optimize.alerts WHERE kind = 'latency_target';
SET pg_optimize.latency_target_pct = 100;
SELECT meets_target FROM optimize.latency WHERE database = current_database();
SELECT severity, kind, object, threshold, message LIKE '% statements finished within 50 ms (target 100%); p95 is %'
       AS message_ok
FROM optimize.alerts WHERE kind = 'latency_target';
RESET pg_optimize.latency_target_pct;
SELECT metric, value IS NOT NULL AS known, unit FROM optimize.metrics() WHERE metric LIKE 'latency%' ORDER BY metric;
SELECT optimize.report() LIKE '%Query latency%N+1 query patterns%' AS report_has_latency,
       optimize.report('json')::jsonb -> 'sections' @> '[{"title": "N+1 query patterns"}]' AS json_has_n_plus_one;

-- the target comes from pg_optimize.slow_query_ms at the reset
SET pg_optimize.slow_query_ms = 100;
SELECT optimize.reset_latency();
SELECT calls, target_ms FROM optimize.latency WHERE database = current_database();
RESET pg_optimize.slow_query_ms;
SELECT optimize.reset_latency();
SELECT count(*) AS shapes_after_reset FROM optimize.slow_queries WHERE query NOT LIKE '%optimize.%';
SELECT count(*) AS n_plus_one_after_reset FROM optimize.n_plus_one;

-- privileges: pg_monitor reads, only superusers and roles granted it reset
CREATE ROLE lat_watcher IN ROLE pg_monitor;
CREATE ROLE lat_nobody;
SET ROLE lat_nobody;
SELECT count(*) FROM optimize.latency;
SELECT optimize.reset_latency();
RESET ROLE;
SET ROLE lat_watcher;
SELECT count(*) > 0 AS watcher_reads FROM optimize.latency;
SELECT optimize.reset_latency();
RESET ROLE;
GRANT EXECUTE ON FUNCTION optimize.reset_latency() TO lat_watcher;
SET ROLE lat_watcher;
SELECT optimize.reset_latency();
RESET ROLE;
REVOKE EXECUTE ON FUNCTION optimize.reset_latency() FROM lat_watcher;
DROP ROLE lat_watcher;
DROP ROLE lat_nobody;

DROP SCHEMA lat CASCADE;
DROP EXTENSION pg_optimize;
