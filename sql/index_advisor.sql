-- The index advisor: hypothetical indexes planned with optimize.explain_hypothetical(), the candidates it proposes
-- for each kind (composite btree, partial, GIN, expression), the cases without advice (already indexed, tiny table,
-- no permission), bad input, and optimize.index_advice over a workload the latency hooks recorded. Costs differ
-- between PostgreSQL versions, so only their relations are shown; the plans' shapes and the advised indexes are
-- shown whole. Tables stay under 30000 rows, which ANALYZE reads whole: the statistics are the same every run.
CREATE EXTENSION pg_optimize;
CREATE SCHEMA adv;
SET search_path = adv, public;
\set SHOW_CONTEXT never
CREATE TABLE stories (
  id bigint PRIMARY KEY, user_id int NOT NULL, is_favorite boolean NOT NULL, created_at timestamptz NOT NULL,
  content text NOT NULL, metadata jsonb NOT NULL, tags text[] NOT NULL, email varchar(100) NOT NULL);
INSERT INTO stories
SELECT g, g % 500, g % 50 = 0, timestamptz '2026-01-01' - g * interval '1 minute',
       'story ' || g || CASE WHEN g % 100 = 0 THEN ' mountain lake' ELSE ' city road' END,
       jsonb_build_object('city', 'c' || g % 200, 'kind', g % 7), ARRAY['t' || g % 300], 'User' || g || '@example.org'
FROM generate_series(1, 20000) g;
CREATE TABLE bookings (id int PRIMARY KEY, user_id int NOT NULL, service_date date NOT NULL, status text NOT NULL);
INSERT INTO bookings
SELECT g, g % 1000, date '2026-01-01' + g % 365,
       CASE WHEN g % 20 = 0 THEN 'pending' WHEN g % 20 = 1 THEN 'confirmed' WHEN g % 20 = 2 THEN 'cancelled' ELSE 'done' END
FROM generate_series(1, 20000) g;
CREATE TABLE tiny (id int PRIMARY KEY, code int NOT NULL);
INSERT INTO tiny SELECT g, g FROM generate_series(1, 10) g;
ANALYZE stories, bookings, tiny;

-- A test helper: the SQLSTATE and message of a failing call, 'ok' otherwise.
CREATE FUNCTION pg_temp.try(query text, indexes text[] DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM optimize.explain_hypothetical(query, indexes);
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Given indexes: the plan before is a sequential scan, the plan after uses the hypothetical index, and nothing exists.
SELECT cost_after < cost_before / 5 AS much_cheaper, hypothetical_indexes, generic_plan,
       plan_before ~ '^Seq Scan on stories' AS seq_scan_before,
       plan_after ~ 'Index Scan on "<hypothetical index 1>"|Index Scan using "<hypothetical index 1>"' AS index_after
FROM optimize.explain_hypothetical('SELECT * FROM stories WHERE user_id = 42',
                                   ARRAY['CREATE INDEX ON stories (user_id)']);
SELECT count(*) AS indexes_on_stories FROM pg_index WHERE indrelid = 'stories'::regclass;
-- a named hypothetical index keeps its name in the plan; an index on another table changes nothing
SELECT plan_after ~ 'by_user' AS named, cost_after < cost_before AS cheaper
FROM optimize.explain_hypothetical('SELECT * FROM stories WHERE user_id = 42',
                                   ARRAY['CREATE INDEX by_user ON stories (user_id)']);
SELECT cost_after = cost_before AS unchanged
FROM optimize.explain_hypothetical('SELECT * FROM stories WHERE user_id = 42',
                                   ARRAY['CREATE INDEX ON bookings (user_id)']);
-- a parameter: a generic plan
SELECT generic_plan, plan_after ~ 'hypothetical index 1' AS index_after
FROM optimize.explain_hypothetical('SELECT * FROM stories WHERE user_id = $1',
                                   ARRAY['CREATE INDEX ON stories (user_id)']);

-- Advised indexes (indexes left out), one query per kind.
-- composite btree: equality column, then the ORDER BY column with its direction
SELECT hypothetical_indexes, cost_after < cost_before / 5 AS much_cheaper
FROM optimize.explain_hypothetical('SELECT * FROM stories WHERE user_id = 42 ORDER BY created_at DESC LIMIT 10');
-- equality, then range
SELECT hypothetical_indexes, cost_after < cost_before / 5 AS much_cheaper
FROM optimize.explain_hypothetical($$SELECT * FROM bookings WHERE user_id = 7 AND service_date >= '2026-06-01'$$);
-- two ranges (a box): the second range column follows the first, so that it filters inside the index
CREATE TABLE places (id int PRIMARY KEY, lat float8 NOT NULL, lon float8 NOT NULL);
INSERT INTO places SELECT g, (g * 7919 % 20000) / 200.0, (g * 104729 % 20000) / 200.0 FROM generate_series(1, 20000) g;
ANALYZE places;
SELECT hypothetical_indexes, cost_after < cost_before / 5 AS much_cheaper
FROM optimize.explain_hypothetical('SELECT id FROM places WHERE lat BETWEEN 10 AND 10.5 AND lon BETWEEN 20 AND 20.5');
-- partial: a boolean column and a status list with few distinct values
SELECT hypothetical_indexes, cost_after < cost_before / 5 AS much_cheaper
FROM optimize.explain_hypothetical('SELECT * FROM stories WHERE is_favorite ORDER BY created_at DESC LIMIT 10');
SELECT hypothetical_indexes, cost_after < cost_before / 5 AS much_cheaper
FROM optimize.explain_hypothetical(
  $$SELECT * FROM bookings WHERE user_id = 7 AND status IN ('pending', 'confirmed') ORDER BY service_date$$);
-- GIN: jsonb containment, jsonb key existence, array overlap
SELECT hypothetical_indexes, cost_after < cost_before / 2 AS cheaper
FROM optimize.explain_hypothetical($$SELECT id FROM stories WHERE metadata @> '{"city": "c5"}'$$);
SELECT hypothetical_indexes, cost_after < cost_before AS cheaper
FROM optimize.explain_hypothetical($$SELECT id FROM stories WHERE tags && ARRAY['t5', 't6']$$);
-- expressions: full-text search and lower()
SELECT hypothetical_indexes, cost_after < cost_before / 2 AS cheaper
FROM optimize.explain_hypothetical(
  $$SELECT id FROM stories WHERE to_tsvector('english', content) @@ to_tsquery('english', 'mountain')$$);
SELECT hypothetical_indexes, cost_after < cost_before AS cheaper
FROM optimize.explain_hypothetical($$SELECT id FROM stories WHERE lower(email) = 'user5@example.org'$$);
-- DML is planned, never executed
SELECT hypothetical_indexes, plan_before ~ '^Update on bookings' AS update_plan
FROM optimize.explain_hypothetical('UPDATE bookings SET status = ''done'' WHERE user_id = 3');
SELECT hypothetical_indexes FROM optimize.explain_hypothetical('DELETE FROM bookings WHERE user_id = 3');
SELECT count(*) FILTER (WHERE user_id = 3) AS still_there, count(*) FILTER (WHERE status = 'done') AS done
FROM bookings;

-- No advice: the table is tiny, or an existing index already serves the query (also as a prefix of a longer one).
SELECT hypothetical_indexes FROM optimize.explain_hypothetical('SELECT * FROM tiny WHERE code = 3');
CREATE INDEX stories_user_created ON stories (user_id, created_at, id);
SELECT hypothetical_indexes FROM optimize.explain_hypothetical('SELECT * FROM stories WHERE user_id = 42 ORDER BY created_at LIMIT 10');
SELECT hypothetical_indexes FROM optimize.explain_hypothetical('SELECT * FROM stories WHERE user_id = 42');
DROP INDEX stories_user_created;

-- Bad input: clear errors, nothing executed.
SELECT pg_temp.try(NULL);
SELECT pg_temp.try('SELEC 1');
SELECT pg_temp.try('SELECT 1; SELECT 2');
SELECT pg_temp.try('CREATE TABLE made_by_advisor (id int)');
SELECT pg_temp.try('DROP TABLE tiny');
SELECT pg_temp.try('VACUUM tiny');
SELECT pg_temp.try('EXPLAIN ANALYZE SELECT 1');
SELECT pg_temp.try('SELECT * INTO made_by_advisor FROM tiny');
SELECT pg_temp.try('SELECT * FROM no_such_table');
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY['CREATE INDEX ON tiny (no_such_column)']);
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY['CREATE INDEX ON no_such_table (id)']);
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY['CREATE INDEX ON tiny (code']);
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY['DROP TABLE tiny']);
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY['CREATE INDEX ON tiny (code); DROP TABLE tiny']);
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY['CREATE INDEX ON tiny USING brin (code)']);
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY['CREATE INDEX ON tiny ((code + random()::int))']);
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY[NULL]);
SELECT pg_temp.try('SELECT * FROM tiny WHERE code = $1');
SELECT to_regclass('made_by_advisor') AS no_table_made, count(*) AS tiny_rows FROM tiny;

-- Privileges: planning needs SELECT on every table the query or an index names.
CREATE ROLE advisor_reader;
GRANT USAGE ON SCHEMA adv TO advisor_reader;
GRANT SELECT ON tiny TO advisor_reader;
SET ROLE advisor_reader;
SELECT pg_temp.try('SELECT * FROM tiny WHERE code = 3');
SELECT pg_temp.try('SELECT * FROM stories WHERE user_id = 3');
SELECT pg_temp.try('SELECT * FROM tiny t JOIN (SELECT user_id FROM bookings) b ON b.user_id = t.code');
SELECT pg_temp.try('SELECT * FROM tiny', ARRAY['CREATE INDEX ON stories (user_id)']);
RESET ROLE;

-- The workload: statement shapes recorded by the latency hooks, the table statistics reset so that the loading
-- above is not counted as write traffic.
SELECT pg_stat_force_next_flush();
SELECT pg_stat_reset();
SELECT optimize.reset_latency();
SET pg_optimize.advisor_min_calls = 3;
SELECT count(*) FROM stories WHERE user_id = 1 ORDER BY 1;
SELECT count(*) FROM stories WHERE user_id = 2 ORDER BY 1;
SELECT count(*) FROM stories WHERE user_id = 3 ORDER BY 1;
SELECT id FROM stories WHERE user_id = 4 ORDER BY created_at DESC LIMIT 3;
SELECT id FROM stories WHERE user_id = 5 ORDER BY created_at DESC LIMIT 3;
SELECT id FROM stories WHERE user_id = 6 ORDER BY created_at DESC LIMIT 3;
SELECT count(*) FROM bookings WHERE user_id = 1 AND status IN ('pending', 'confirmed');
SELECT count(*) FROM bookings WHERE user_id = 2 AND status IN ('pending', 'confirmed');
SELECT count(*) FROM bookings WHERE user_id = 3 AND status IN ('pending', 'confirmed');
SELECT count(*) FROM stories WHERE metadata @> '{"city": "c1"}';
SELECT count(*) FROM stories WHERE metadata @> '{"city": "c2"}';
SELECT count(*) FROM stories WHERE metadata @> '{"city": "c3"}';
SELECT count(*) FROM tiny WHERE code = 1;
SELECT count(*) FROM tiny WHERE code = 2;
SELECT count(*) FROM tiny WHERE code = 3;
-- a function outside pg_catalog, folded to a constant when planned: the advisor leaves the statement alone, since
-- planning it would run the function with the rights of whoever reads the advice
CREATE FUNCTION noisy(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RAISE NOTICE 'noisy(%) ran', i;
  RETURN i;
END $$;
SELECT count(*) FROM bookings WHERE service_date = date '2026-01-01' + noisy(1);
SELECT count(*) FROM bookings WHERE service_date = date '2026-01-01' + noisy(2);
SELECT count(*) FROM bookings WHERE service_date = date '2026-01-01' + noisy(3);
-- called twice only: below advisor_min_calls
SELECT count(*) FROM stories WHERE lower(email) = 'a';
SELECT count(*) FROM stories WHERE lower(email) = 'b';
-- one index serves both statement shapes on stories.user_id; tiny, the twice-called shape and the one calling
-- noisy() get nothing (and noisy() does not run)
SELECT "table", index_definition, kind, cardinality(queryids) AS statements, cost_after < cost_before AS cheaper,
       saved_ms_per_day > 0 AS saves_time, estimated_bytes > 0 AS sized, writes_per_day, write_overhead_pct, sql
FROM optimize.index_advice ORDER BY "table", index_definition;
-- the query ids are those of optimize.slow_queries
SELECT count(*) AS known_ids
FROM optimize.index_advice a, unnest(a.queryids) q(id) JOIN optimize.slow_queries s ON s.queryid = q.id;

-- time saved per day: the calls of the last minutes are a rate over at least an hour, not a minute, so a day saves
-- at most 24 times what the statements took so far
SELECT bool_and(a.saved_ms_per_day <= 24 * (SELECT sum(s.total_ms) FROM optimize.slow_queries s
                                             WHERE s.queryid = ANY (a.queryids)
                                               AND s.database = current_database())) AS at_most_hourly_rate
FROM optimize.index_advice a;

-- the strongest advice is among the recommendations
SELECT priority, kind, object, reason ~ 'optimize.index_advice' AS explained, sql
FROM optimize.recommendations WHERE kind = 'create_index' ORDER BY sql;

-- A monitor that may not read bookings gets no advice for it.
CREATE ROLE advisor_monitor IN ROLE pg_monitor;
GRANT USAGE ON SCHEMA adv TO advisor_monitor;
GRANT SELECT ON stories TO advisor_monitor;
SET ROLE advisor_monitor;
SELECT "table", index_definition FROM optimize.index_advice ORDER BY 1, 2;
RESET ROLE;
-- and a role outside pg_monitor cannot read the advice at all
SET ROLE advisor_reader;
SELECT count(*) FROM optimize.index_advice;
RESET ROLE;

-- Recorded advice, then the advised index created: it is advice no more, and the outcome names the index.
SELECT optimize.record_index_advice();
CREATE INDEX ON stories USING gin (metadata);
SELECT "table", index_definition FROM optimize.index_advice ORDER BY 1, 2;
SELECT "table", index_definition, index, p95_ms_before > 0 AS measured_before
FROM optimize.index_advice_outcome ORDER BY 1, 2, queryid;

-- Extending an existing index. The box query on places (one row in 20000) wants (lat, lon); with an index on
-- (lat) alone it reads a hundred rows to keep one.
SELECT optimize.reset_latency();
CREATE INDEX places_lat ON places (lat);
VACUUM ANALYZE places;
SELECT count(*) FROM places WHERE lat BETWEEN 10 AND 10.5 AND lon BETWEEN 20 AND 20.5;
SELECT count(*) FROM places WHERE lat BETWEEN 11 AND 11.5 AND lon BETWEEN 21 AND 21.5;
SELECT count(*) FROM places WHERE lat BETWEEN 12 AND 12.5 AND lon BETWEEN 22 AND 22.5;
-- a plain index on (lat): replaced by (lat, lon), built first and dropped after, each concurrently; no index more to
-- write per row, only the extra bytes of lon (8 of 28) on one index of two
SELECT "table", index_definition, kind, cardinality(queryids) AS statements, cost_after < cost_before AS cheaper,
       replaces, round(write_overhead_pct::numeric, 1) AS write_overhead_pct, sql
FROM optimize.index_advice WHERE "table" = 'adv.places';
SELECT substring(reason FROM '^[^:]*') AS reason, sql
FROM optimize.recommendations WHERE kind = 'create_index' AND object = 'adv.places';
-- the library through a declaration without replaces (SQL objects older than the library): an error naming the update
CREATE FUNCTION pg_temp.index_advice_without_replaces(
    OUT "table" text, OUT index_definition text, OUT kind text, OUT queryids bigint[], OUT cost_before float8,
    OUT cost_after float8, OUT saved_ms_per_day float8, OUT estimated_bytes bigint, OUT writes_per_day float8,
    OUT write_overhead_pct float8, OUT sql text)
RETURNS SETOF record LANGUAGE C AS 'pg_optimize', 'pgo_index_advice';
SELECT count(*) FROM pg_temp.index_advice_without_replaces();

-- a shape the narrower index serves better (an index-only scan over most of it) would get costlier without it:
-- the extension is advised as a new index beside it
SELECT count(*) FROM places WHERE lat < 60;
SELECT count(*) FROM places WHERE lat < 61;
SELECT count(*) FROM places WHERE lat < 62;
SELECT "table", index_definition, replaces, sql FROM optimize.index_advice WHERE "table" = 'adv.places';
SELECT plan_after ~ 'Index Only Scan using places_lat' AS narrow_index_serves_it
FROM optimize.explain_hypothetical('SELECT count(*) FROM places WHERE lat < 60', ARRAY['CREATE INDEX ON places (lat, lon)']);

-- an index that enforces uniqueness is never replaced (nor one backing a constraint, a primary key, an exclusion
-- constraint or the replica identity: test/unit/index_advice_test.cpp)
SELECT optimize.reset_latency();
DROP INDEX places_lat;
CREATE UNIQUE INDEX places_lat_key ON places (lat);
SELECT count(*) FROM places WHERE lat BETWEEN 10 AND 10.5 AND lon BETWEEN 20 AND 20.5;
SELECT count(*) FROM places WHERE lat BETWEEN 11 AND 11.5 AND lon BETWEEN 21 AND 21.5;
SELECT count(*) FROM places WHERE lat BETWEEN 12 AND 12.5 AND lon BETWEEN 22 AND 22.5;
SELECT "table", index_definition, replaces, sql FROM optimize.index_advice WHERE "table" = 'adv.places';
DROP INDEX places_lat_key;

-- nor a partial index (here with a predicate the query does not imply)
CREATE INDEX places_lat_east ON places (lat) WHERE lon > 50;
SELECT "table", index_definition, replaces, sql FROM optimize.index_advice WHERE "table" = 'adv.places';
DROP INDEX places_lat_east;
-- nor one whose shared key has another order (another operator class or collation likewise: unit tests)
CREATE INDEX places_lat_desc ON places (lat DESC);
SELECT "table", index_definition, replaces, sql FROM optimize.index_advice WHERE "table" = 'adv.places';
DROP INDEX places_lat_desc;

-- Replaced, with the two statements run one by one (CONCURRENTLY refuses a transaction block, so not as one
-- string): the new index exists, the old one is gone, and the outcome names both. The workload is the box query
-- alone again (since the reset above); the index's name needs quoting.
CREATE INDEX "places Lat" ON places (lat);
DELETE FROM optimize.index_advice_log;
SELECT optimize.record_index_advice();
SELECT "table", index_definition, replaces FROM optimize.index_advice_log;
SELECT unnest(string_to_array(sql, E'\n')) FROM optimize.index_advice WHERE replaces IS NOT NULL \gexec
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid) AS definition, indisvalid
FROM pg_index WHERE indrelid = 'places'::regclass ORDER BY 1;
SELECT "table", index_definition, index IS NOT NULL AS built, replaces FROM optimize.index_advice_outcome;
SELECT count(*) AS advice_left FROM optimize.index_advice WHERE "table" = 'adv.places';

DELETE FROM optimize.index_advice_log;
DROP SCHEMA adv CASCADE;
DROP OWNED BY advisor_reader, advisor_monitor;
DROP ROLE advisor_reader, advisor_monitor;
DROP EXTENSION pg_optimize;
