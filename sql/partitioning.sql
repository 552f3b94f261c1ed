-- Partition maintenance: optimize.manage_partitions(), unmanage_partitions(), run_partition_maintenance(), the
-- partition_maintenance job kind and the partition alerts. Bad input gets a clear error with its SQLSTATE and writes
-- nothing. (The scheduler running the job, a locked partition skipped and retried, and pg_dump are tested by
-- test/t/015_partitioning.pl.) Dates depend on the day the test runs: pg_temp.rel() shows them relative to today.
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

-- Dates in names (YYYYMMDD) and literals (YYYY-MM-DD) as days from today (UTC): <today+3>; months in names
-- (YYYYMM) as months from this one: <month+1>.
CREATE FUNCTION pg_temp.rel(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  m text[];
  d int;
BEGIN
  IF t IS NULL THEN RETURN NULL; END IF;
  FOR m IN SELECT regexp_matches(t, '(\d{4})-?(\d{2})-?(\d{2})', 'g') LOOP
    d := make_date(m[1]::int, m[2]::int, m[3]::int) - (now() AT TIME ZONE 'UTC')::date;
    t := replace(t, m[1] || m[2] || m[3], '<today' || CASE WHEN d >= 0 THEN '+' ELSE '' END || d || '>');
    t := replace(t, m[1] || '-' || m[2] || '-' || m[3], '<today' || CASE WHEN d >= 0 THEN '+' ELSE '' END || d || '>');
  END LOOP;
  m := regexp_match(t, '_p(\d{4})(\d{2})$');
  IF m IS NOT NULL THEN
    d := (m[1]::int * 12 + m[2]::int) - (extract(year FROM now() AT TIME ZONE 'UTC') * 12
                                          + extract(month FROM now() AT TIME ZONE 'UTC'))::int;
    t := replace(t, m[1] || m[2], '<month' || CASE WHEN d >= 0 THEN '+' ELSE '' END || d || '>');
  END IF;
  RETURN t;
END
$$;
CREATE FUNCTION pg_temp.day(n int) RETURNS text LANGUAGE sql AS
  $$ SELECT quote_literal(to_char((now() AT TIME ZONE 'UTC')::date + n, 'YYYY-MM-DD') || ' 00:00:00+00') $$;

-- Tables of every kind the functions must refuse.
CREATE TABLE plain (id bigint, at timestamptz);
CREATE TABLE by_list (id int, region text) PARTITION BY LIST (region);
CREATE TABLE by_hash (id int) PARTITION BY HASH (id);
CREATE TABLE two_columns (a int, b int) PARTITION BY RANGE (a, b);
CREATE TABLE by_expression (id int) PARTITION BY RANGE ((id + 1));
CREATE TABLE by_text (name text) PARTITION BY RANGE (name);
CREATE TABLE nested (id int, at timestamptz) PARTITION BY RANGE (at);
CREATE TABLE nested_2026 PARTITION OF nested FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY RANGE (id);
CREATE TABLE by_day (at date) PARTITION BY RANGE (at);
CREATE TABLE by_id (id bigint, note text) PARTITION BY RANGE (id);
CREATE TABLE events (id bigserial, at timestamptz NOT NULL, payload text) PARTITION BY RANGE (at);

SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('plain', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_list', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_hash', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('two_columns', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_expression', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_text', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('nested', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions(NULL, '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', NULL)$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '1 day 2 hours')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '-1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '90 minutes')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '1 day', premake => -1)$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '1 day', premake => NULL)$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '1 day', retention => '-30 days')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '1 day', retention_mode => 'archive')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '1 day', step => 1000)$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_day', '6 hours')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_id', '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_id', NULL, step => 0)$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_id', NULL, step => 10, retention => '1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('by_id', NULL, step => 10, retention_values => -5)$$);
SELECT pg_temp.try($$SELECT * FROM optimize.run_partition_maintenance('events')$$);
SELECT pg_temp.try($$SELECT optimize.unmanage_partitions('events')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('pm', 'partition_maintenance', '1 hour', 'plain')$$);
-- Another role may not register a table it does not own, nor write the registrations directly.
CREATE ROLE part_stranger;
SET ROLE part_stranger;
SELECT pg_temp.try($$SELECT * FROM optimize.manage_partitions('events', '1 day')$$);
SELECT pg_temp.try($$INSERT INTO optimize.partition_config (parent, key_column, part_interval, owner)
                     VALUES ('events', 'at', '1 day', 'part_stranger')$$);
SELECT pg_temp.try($$DELETE FROM optimize.partition_config$$);
RESET ROLE;
-- Nothing was written by any of them, and no partition made.
SELECT count(*) AS registrations FROM optimize.partition_config;
SELECT count(*) AS partition_jobs FROM optimize.jobs WHERE kind = 'partition_maintenance';
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent IN ('events'::regclass, 'by_id'::regclass, 'by_day'::regclass);

-- A daily table with two hand-made partitions, 40 and 10 days old, and a row in each.
DO $do$ BEGIN EXECUTE format('CREATE TABLE events_old PARTITION OF events FOR VALUES FROM (%s) TO (%s)', pg_temp.day(-40), pg_temp.day(-39)); END $do$;
DO $do$ BEGIN EXECUTE format('CREATE TABLE events_recent PARTITION OF events FOR VALUES FROM (%s) TO (%s)', pg_temp.day(-10), pg_temp.day(-9)); END $do$;
DO $do$ BEGIN EXECUTE format('INSERT INTO events (at, payload) VALUES (%s::timestamptz + interval ''12 hours'', ''old''), '
              '(%s::timestamptz + interval ''12 hours'', ''recent'')', pg_temp.day(-40), pg_temp.day(-10)); END $do$;
SELECT tableoid::regclass, payload FROM events ORDER BY id;
-- Registering runs a first pass: today and 4 days ahead are made, the partition entirely older than 30 days dropped.
-- (The session has pg_regress's DateStyle Postgres, MDY and TimeZone PST8PDT: bounds are read back whatever they are.)
SHOW DateStyle;
SELECT parent, pg_temp.rel(partition) AS partition, action, status, pg_temp.rel(detail) AS detail
  FROM optimize.manage_partitions('events', '1 day', premake => 4, retention => '30 days');
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SELECT pg_temp.rel(c.relname) AS partition, pg_temp.rel(pg_get_expr(c.relpartbound, c.oid)) AS bounds
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY 2;
SELECT tableoid::regclass, payload FROM events ORDER BY id;
-- Bounds are aligned in UTC whatever the session's time zone.
SET TimeZone = 'America/New_York';
SELECT pg_temp.rel(pg_get_expr(c.relpartbound, c.oid) ) AS bounds_in_new_york,
       lower_utc = date_trunc('day', lower_utc) AS midnight_utc
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
       LATERAL (SELECT ((regexp_match(pg_get_expr(c.relpartbound, c.oid), '''([^'']+)'''))[1]::timestamptz
                        AT TIME ZONE 'UTC') AS lower_utc) l
 WHERE i.inhparent = 'events'::regclass AND c.relname <> 'events_recent' ORDER BY 1 LIMIT 2;
SET TimeZone = 'UTC';
-- A role that sees every registration (pg_monitor) still may not run a pass on a table it does not own.
GRANT pg_monitor TO part_stranger;
SET ROLE part_stranger;
SELECT pg_temp.try($$SELECT * FROM optimize.run_partition_maintenance('events')$$);
RESET ROLE;
SET TimeZone = 'UTC';
REVOKE pg_monitor FROM part_stranger;
-- A second pass has nothing to do.
SELECT count(*) AS actions FROM optimize.run_partition_maintenance('events');
-- Registration, and its hourly job.
SELECT parent, key_column, part_interval, part_step, premake, retention, retention_mode, owner = current_user::regrole
       AS mine, last_run IS NOT NULL AS ran, last_result FROM optimize.partition_config;
SELECT name, kind, target, schedule, enabled FROM optimize.jobs WHERE kind = 'partition_maintenance';

-- A hand-made partition with other bounds (noon of day 6 to noon of day 7) is respected: days 6 and 7 are left to it.
DO $do$ BEGIN EXECUTE format('CREATE TABLE events_handmade PARTITION OF events FOR VALUES FROM (%s::timestamptz + interval ''12 hours'') '
              'TO (%s::timestamptz + interval ''12 hours'')', pg_temp.day(6), pg_temp.day(7)); END $do$;
SELECT parent, pg_temp.rel(partition) AS partition, action, status, pg_temp.rel(detail) AS detail
  FROM optimize.manage_partitions('events', '1 day', premake => 8, retention => '30 days') ORDER BY 2;

-- Detaching instead of dropping: a date key; the old partition stays as a table, with its rows.
DO $do$ BEGIN EXECUTE format('CREATE TABLE by_day_old PARTITION OF by_day FOR VALUES FROM (%s) TO (%s)',
              quote_literal(to_char((now() AT TIME ZONE 'UTC')::date - 100, 'YYYY-MM-DD')),
              quote_literal(to_char((now() AT TIME ZONE 'UTC')::date - 70, 'YYYY-MM-DD'))); END $do$;
INSERT INTO by_day VALUES ((now() AT TIME ZONE 'UTC')::date - 80);
SELECT parent, pg_temp.rel(partition) AS partition, action, status
  FROM optimize.manage_partitions('by_day', '1 month', premake => 1, retention => '2 months', retention_mode => 'detach');
SELECT count(*) AS rows_kept_in_detached, (SELECT count(*) FROM pg_inherits WHERE inhrelid = 'by_day_old'::regclass)
       AS still_attached FROM by_day_old;

-- An integer key: step and retention in values, the window following the largest id (12345): partitions entirely
-- below 12345 - 6000 go with their rows; 12000-13000 is left to the hand-made partition that reaches 12500.
CREATE TABLE by_id_0 PARTITION OF by_id FOR VALUES FROM (0) TO (1000);
CREATE TABLE by_id_1000 PARTITION OF by_id FOR VALUES FROM (1000) TO (6000);
CREATE TABLE by_id_rest PARTITION OF by_id FOR VALUES FROM (6000) TO (12500);
INSERT INTO by_id VALUES (5, 'a'), (5000, 'b'), (12345, 'c');
SELECT * FROM optimize.manage_partitions('by_id', NULL, premake => 2, step => 1000, retention_values => 6000)
 ORDER BY partition;
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bounds
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'by_id'::regclass ORDER BY 1;
SELECT id, note FROM by_id ORDER BY id;

-- The job kind: run through the job path (a job worker, as the job's owner).
SELECT status, message FROM optimize.run_job('partition_maintenance public.by_id');

-- Alerts: rows in a default partition, and a partition missing in the premake window.
CREATE TABLE events_default PARTITION OF events DEFAULT;
INSERT INTO events (at, payload) VALUES (now() + interval '300 days', 'far future');
ANALYZE events_default;
DO $do$ BEGIN EXECUTE format('DROP TABLE %I', 'events_p' || to_char((now() AT TIME ZONE 'UTC')::date + 2, 'YYYYMMDD')); END $do$;
SELECT severity, kind, object, value, pg_temp.rel(message) AS message FROM optimize.alerts
 WHERE kind IN ('rows_in_default_partition', 'partitions_missing') ORDER BY kind;
-- The next pass makes the missing partition again; the rows in the default partition stay there, and days 6 and 7,
-- which the hand-made partition covers only in part, stay missing.
SELECT pg_temp.rel(partition) AS partition, action, status FROM optimize.run_partition_maintenance();
SELECT kind, value FROM optimize.alerts WHERE kind IN ('rows_in_default_partition', 'partitions_missing');

-- A database owner's planted functions on the search_path are not called: every name is qualified.
CREATE FUNCTION public.btrim(text, text) RETURNS text LANGUAGE sql AS $$ SELECT 1/0 || '' $$;
CREATE FUNCTION public.max(bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT 1/0 $$;
SET search_path = public, pg_catalog;
SELECT count(*) AS actions FROM optimize.run_partition_maintenance();
RESET search_path;
DROP FUNCTION public.btrim(text, text), public.max(bigint);

-- Unregistering: the registration and the job go, the partitions stay.
SELECT optimize.unmanage_partitions('events');
SELECT pg_temp.try($$SELECT optimize.unmanage_partitions('events')$$);
SELECT count(*) AS registrations, (SELECT count(*) FROM optimize.jobs WHERE target = 'events'::regclass) AS jobs,
       (SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass) AS partitions
  FROM optimize.partition_config WHERE parent = 'events'::regclass;
-- A dropped table's registration goes at the next pass.
DROP TABLE by_day;
SELECT action, status, detail FROM optimize.run_partition_maintenance();
SELECT parent FROM optimize.partition_config ORDER BY 1;

DROP EXTENSION pg_optimize;
DROP ROLE part_stranger;
