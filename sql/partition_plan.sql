-- optimize.partition_plan() and optimize.partition_advice: plans that turn a plain table into a RANGE-partitioned
-- one, run here with psql's \gexec; the "cannot partition safely" answers; bad input (an ERROR with its SQLSTATE, and
-- nothing written). Concurrent inserts during a switch are tested by test/t/017_partition_plan.pl. Time bounds depend
-- on the day the test runs: they are shown as <date>.
CREATE EXTENSION pg_optimize;
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  state text;
  message text;
  hint text;
BEGIN
  EXECUTE statement;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN state || ': ' || message || coalesce(E'\n       HINT: ' || nullif(hint, ''), '');
END
$$;
CREATE FUNCTION pg_temp.undated(t text) RETURNS text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(t, '\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\+00)?)?', '<date>', 'g'),
                        '_p\d{8}', '_p<date>', 'g')
$$;
-- Everything the catalogs say about the tables of schema app, to show that a refused call wrote nothing.
CREATE FUNCTION pg_temp.fingerprint() RETURNS text LANGUAGE sql AS $$
  SELECT md5(string_agg(c.relname || c.relkind::text || coalesce((SELECT string_agg(conname || pg_get_constraintdef(k.oid), ',' ORDER BY conname)
                                       FROM pg_constraint k WHERE k.conrelid = c.oid), ''), ';' ORDER BY c.relname))
    FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'app')
$$;

CREATE SCHEMA app;
CREATE TABLE app.orders (
  id bigserial,
  placed_at timestamptz NOT NULL DEFAULT now(),
  note text,
  PRIMARY KEY (id, placed_at));
CREATE TABLE app.plain (id bigint, day date, label text, amount int);
CREATE VIEW app.v AS SELECT 1 AS one;
SELECT pg_temp.fingerprint() AS before \gset

-- Bad input: an ERROR with a SQLSTATE and a hint.
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan(NULL, 'placed_at', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', NULL, '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'nope', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'note', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'placed_at')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'placed_at', '-1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'placed_at', '1 day 2 hours')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'placed_at', '90 minutes')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'placed_at', step => 100)$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'id', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'id')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.orders', 'id', step => 0)$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.plain', 'day', '6 hours')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan('app.v', 'one', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.partition_plan(0::oid::regclass, 'x', '1 day')$$);
SELECT pg_temp.fingerprint() = :'before' AS nothing_written;

-- Cannot partition safely: the reasons, one a row, and no statement.
CREATE TABLE app.keyed (id bigint PRIMARY KEY, at timestamptz NOT NULL, code text UNIQUE);
CREATE UNIQUE INDEX keyed_lower_code ON app.keyed (lower(code));
SELECT step_no, phase, statement, note FROM optimize.partition_plan('app.keyed', 'at', '1 month');
CREATE TABLE app.parted (at date) PARTITION BY RANGE (at);
SELECT phase, note FROM optimize.partition_plan('app.parted', 'at', '1 month');
CREATE TABLE app.parent (at date);
CREATE TABLE app.child () INHERITS (app.parent);
SELECT phase, note FROM optimize.partition_plan('app.parent', 'at', '1 month');
SELECT phase, note FROM optimize.partition_plan('app.child', 'at', '1 month');
CREATE UNLOGGED TABLE app.scratch (at date);
SELECT phase, note FROM optimize.partition_plan('app.scratch', 'at', '1 month');
CREATE TABLE app.busy (id int, parent_id int, at timestamp, during tsrange, secret text,
                       EXCLUDE USING gist (during WITH &&));
ALTER TABLE app.busy ADD UNIQUE (id, at), ADD FOREIGN KEY (parent_id, at) REFERENCES app.busy (id, at);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER busy_touch BEFORE INSERT ON app.busy FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE VIEW app.busy_view AS SELECT id FROM app.busy;
ALTER TABLE app.busy ENABLE ROW LEVEL SECURITY;
CREATE ROLE partition_plan_reader;
GRANT SELECT (secret) ON app.busy TO partition_plan_reader;
CREATE TABLE app.busy_partitioned ();
SELECT phase, note FROM optimize.partition_plan('app.busy', 'at', '1 day') ORDER BY note;
SELECT pg_temp.fingerprint() = (SELECT pg_temp.fingerprint()) AS stable; -- a plan reads only

-- An integer key: the plan depends only on the rows, so it is shown whole, then run with \gexec.
CREATE TABLE app.sensors (id int PRIMARY KEY, name text);
INSERT INTO app.sensors SELECT g, 'sensor ' || g FROM generate_series(1, 5) g;
CREATE TABLE app.readings (
  id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 1 CACHE 5) PRIMARY KEY,
  sensor_id int NOT NULL REFERENCES app.sensors ON DELETE CASCADE,
  value numeric DEFAULT 0 CHECK (value >= 0));
CREATE INDEX readings_sensor ON app.readings (sensor_id) WHERE value > 0;
CREATE TABLE app.alarms (id serial PRIMARY KEY, reading_id bigint REFERENCES app.readings (id));
GRANT SELECT, INSERT ON app.readings TO partition_plan_reader WITH GRANT OPTION;
INSERT INTO app.readings (sensor_id, value) SELECT 1 + g % 5, g FROM generate_series(1, 2500) g;
INSERT INTO app.alarms (reading_id) SELECT id FROM app.readings WHERE id % 500 = 0;
SELECT count(*) AS readings, sum(value) FROM app.readings \gset
SELECT step_no, phase, statement, lock_level, note FROM optimize.partition_plan('app.readings', 'id', step => 1000);
SELECT statement FROM optimize.partition_plan('app.readings', 'id', step => 1000) ORDER BY step_no \gexec
RESET search_path;
SELECT (SELECT relkind FROM pg_class WHERE oid = 'app.readings'::regclass), count(*) = :readings AS all_rows, sum(value) = :sum AS same_rows FROM app.readings;
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound, (SELECT count(*) FROM app.readings r WHERE r.tableoid = c.oid) AS n
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'app.readings'::regclass ORDER BY 1;
INSERT INTO app.readings (sensor_id, value) VALUES (2, 7) RETURNING id, tableoid::regclass; -- the identity goes on
SELECT pg_get_serial_sequence('app.readings', 'id');
SELECT conrelid::regclass, conname, confrelid::regclass, convalidated FROM pg_constraint
 WHERE contype = 'f' AND connamespace = 'app'::regnamespace AND conparentid = 0 ORDER BY 1, 2;
SELECT pg_temp.try($$INSERT INTO app.alarms (reading_id) VALUES (99999)$$);
SELECT pg_temp.try($$INSERT INTO app.readings (sensor_id) VALUES (42)$$);
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'app.readings'::regclass ORDER BY 1;
SELECT grantee, privilege_type, is_grantable FROM information_schema.role_table_grants
 WHERE table_schema = 'app' AND table_name = 'readings' AND grantee = 'partition_plan_reader' ORDER BY 2;

-- A time key with a serial column (its sequence's default kept, the sequence handed to the parent).
INSERT INTO app.orders (placed_at, note) SELECT now() - g * interval '7 hours', 'order ' || g FROM generate_series(1, 300) g;
SELECT count(*) AS orders FROM app.orders \gset
SELECT step_no, phase, pg_temp.undated(statement) AS statement, lock_level FROM optimize.partition_plan('app.orders', 'placed_at', '1 week');
-- (the statements hold today's dates: not echoed)
\set ECHO none
SELECT statement FROM optimize.partition_plan('app.orders', 'placed_at', '1 week') WHERE phase <> 'maintain' ORDER BY step_no \gexec
\set ECHO all
RESET search_path;
SELECT count(*) = :orders AS all_rows, count(DISTINCT id) = :orders AS no_duplicates FROM app.orders;
SELECT (SELECT count(*) FROM pg_inherits WHERE inhparent = 'app.orders'::regclass) AS partitions,
       pg_get_serial_sequence('app.orders', 'id') AS sequence;
INSERT INTO app.orders (note) VALUES ('after') RETURNING id, tableoid::regclass IS NOT NULL AS routed;
SELECT pg_temp.try($$INSERT INTO app.orders (placed_at) VALUES ('infinity')$$);

-- Advice: tables of at least pg_optimize.partition_advice_min_bytes with an analyzed growing key.
SHOW pg_optimize.partition_advice_min_bytes;
SELECT count(*) AS tables_now FROM optimize.partition_advice;
SET pg_optimize.partition_advice_min_bytes = '64kB';
CREATE TABLE app.clicks (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL, shuffled int,
                         url text, UNIQUE (url, at));
INSERT INTO app.clicks (at, shuffled, url)
  SELECT '2024-01-01'::timestamptz + g * interval '1 hour', (g * 7919) % 10007, 'https://example.com/' || g
    FROM generate_series(1, 20000) g;
CREATE TABLE app.ledger (entry_id bigint NOT NULL, booked_on int, amount numeric);
INSERT INTO app.ledger SELECT g, (g * 7919) % 10007, g FROM generate_series(1, 20000) g;
CREATE TABLE app.small (at timestamptz);
INSERT INTO app.small SELECT now() FROM generate_series(1, 10);
ANALYZE app.clicks, app.ledger, app.small;
SELECT "table", key, key_type, round(correlation::numeric, 2) AS correlation, "interval", partitions,
       bytes_per_partition BETWEEN total_bytes / partitions - 1 AND total_bytes / partitions AS per_partition,
       keys_to_change, plan
  FROM optimize.partition_advice WHERE "table"::text LIKE 'app.%' ORDER BY 1;
SELECT count(*) AS plan_steps FROM optimize.partition_plan('app.ledger', 'entry_id', step => 2000);
SELECT note FROM optimize.partition_plan('app.clicks', 'at', '1 month') ORDER BY step_no;
-- optimize.recommendations names the same tables (not app.small, under the setting) and points at the advice view;
-- its statement runs and returns the table's advice.
SELECT object, sql FROM optimize.recommendations WHERE kind = 'partitioning' AND object LIKE 'app.%' ORDER BY object;
SELECT rtrim(sql, ';') AS clicks_advice FROM optimize.recommendations WHERE kind = 'partitioning' AND object = 'app.clicks' \gset
SELECT "table", key, "interval" FROM (:clicks_advice) AS advice;
RESET pg_optimize.partition_advice_min_bytes;

DROP SCHEMA app CASCADE;
DROP ROLE partition_plan_reader;
DROP EXTENSION pg_optimize;
