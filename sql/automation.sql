-- The automation's SQL API: optimize.schedule(), alter_job(), unschedule(), run_job(), run_maintenance(), trend() and
-- the job tables. Bad input gets a clear error with its SQLSTATE and a hint, and nothing half-written. (Jobs running
-- on their schedule are tested on real clusters by test/t/004_scheduler.pl; the test database has no scheduler.)
CREATE EXTENSION pg_optimize;

-- SQLSTATE, message and hint of a statement that fails, or 'ok'.
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

-- The defaults of the seed report.
SELECT name, kind, target, schedule, enabled, max_runtime, lock_timeout, max_retries, options, is_default
  FROM optimize.jobs ORDER BY id;

CREATE TABLE "Order Items" (id int PRIMARY KEY, qty int);
CREATE INDEX order_items_qty ON "Order Items" (qty);
CREATE VIEW plain_view AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM "Order Items";
CREATE SEQUENCE counter;

-- Valid jobs.
SELECT optimize.schedule('items nightly', 'vacuum_analyze', '0 2 * * *', '"Order Items"') > 0 AS scheduled;
SELECT optimize.schedule('items often', 'analyze', '90 minutes', '"Order Items"',
                         options => '{"cost_limit": 400}', max_runtime => '10 minutes', lock_timeout => '1s',
                         max_retries => 0) > 0 AS scheduled;
SELECT optimize.schedule('totals', 'refresh_materialized_views', '@hourly', 'totals') > 0 AS scheduled;
SELECT optimize.schedule('everything', 'vacuum', '1 day', options => '{"freeze": true, "max_tables": 10}') > 0
  AS scheduled;
-- (next_run is left to the scheduler, which works it out in the server's time zone, not the caller's.)
SELECT name, kind, target, schedule, max_runtime, lock_timeout, max_retries, options, owner = current_user::regrole
       AS mine, next_run IS NULL AS left_to_scheduler
  FROM optimize.jobs WHERE NOT is_default ORDER BY name;

-- Bad input to schedule(): each a clear error, and no row written.
SELECT pg_temp.try($$SELECT optimize.schedule(NULL, 'vacuum', '1 day')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('', 'vacuum', '1 day')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', NULL, '1 day')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'defrag', '1 day')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', NULL)$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', 'sometimes')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '0 seconds')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '-5 minutes')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '61 * * * *')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '0 0 30 2 *')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', 'order_items_qty')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'analyze', '1 day', 'counter')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', 'plain_view')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'refresh_materialized_views', '1 day', '"Order Items"')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'snapshot', '1 day', '"Order Items"')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', max_runtime => '0 seconds')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', lock_timeout => '-1 s')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', max_runtime => NULL)$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', max_retries => -1)$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', options => NULL)$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', options => '{"fast": true}')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', options => '{"freeze": "yes"}')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', options => '{"max_tables": 0}')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'snapshot', '1 day', options => '{"freeze": true}')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('x', 'vacuum', '1 day', options => '[1, 2]')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('items nightly', 'vacuum', '1 day')$$);
SELECT count(*) AS jobs_named_x FROM optimize.jobs WHERE name = 'x';

-- alter_job() and unschedule().
SELECT optimize.alter_job('items often', schedule => '*/10 * * * *', max_retries => 3, new_name => 'items ten') > 0
  AS altered;
SELECT optimize.alter_job('everything', target => '"Order Items"', options => '{}') > 0 AS altered;
SELECT name, schedule, target, max_retries, options FROM optimize.jobs WHERE name IN ('items ten', 'everything')
 ORDER BY name;
SELECT optimize.alter_job('everything', target => '-') > 0 AS made_automatic;
SELECT target FROM optimize.jobs WHERE name = 'everything';
UPDATE optimize.jobs SET enabled = false, consecutive_failures = 6 WHERE name = 'everything';
SELECT optimize.alter_job('everything', enabled => true) > 0 AS re_enabled;
SELECT enabled, consecutive_failures FROM optimize.jobs WHERE name = 'everything';
SELECT pg_temp.try($$SELECT optimize.alter_job('nope', enabled => false)$$);
SELECT pg_temp.try($$SELECT optimize.alter_job('everything')$$);
SELECT pg_temp.try($$SELECT optimize.alter_job('everything', schedule => 'never')$$);
SELECT pg_temp.try($$SELECT optimize.alter_job('totals', target => '"Order Items"')$$);
SELECT pg_temp.try($$SELECT optimize.alter_job('everything', new_name => 'totals')$$);
SELECT pg_temp.try($$SELECT optimize.alter_job('everything', max_runtime => '0')$$);
SELECT pg_temp.try($$SELECT optimize.unschedule('nope')$$);
SELECT optimize.unschedule('everything') AS removed;
SELECT count(*) AS left FROM optimize.jobs WHERE name = 'everything';

-- run_maintenance() lists what it would do (dry run by default); NULL is refused.
INSERT INTO "Order Items" SELECT g, g FROM generate_series(1, 2000) g;
DELETE FROM "Order Items" WHERE id > 100;
SELECT pg_stat_force_next_flush();
SELECT action, object, sql, status FROM optimize.run_maintenance() WHERE object LIKE '%Order Items%';
SELECT pg_temp.try($$SELECT * FROM optimize.run_maintenance(NULL)$$);

-- trend() checks its arguments.
SELECT pg_temp.try($$SELECT * FROM optimize.trend('no_such_metric')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.trend('dead_tuple_pct', '-1 day')$$);
SELECT pg_temp.try($$SELECT * FROM optimize.trend(NULL)$$);
INSERT INTO optimize.snapshots VALUES (now() - interval '2 hours', 'dead_tuple_pct', 10),
                                      (now() - interval '1 hour', 'dead_tuple_pct', 25);
SELECT value, change FROM optimize.trend('dead_tuple_pct', '1 day');
-- A recorded metric's trend reads the snapshots only: a role that may call trend() and read the snapshots, but not
-- call optimize.metrics(), gets it; a name without snapshots still needs metrics() to be told apart from a metric not
-- recorded yet.
CREATE ROLE trend_reader;
GRANT EXECUTE ON FUNCTION optimize.trend(text, interval) TO trend_reader;
GRANT SELECT ON optimize.snapshots TO trend_reader;
SET ROLE trend_reader;
SELECT value FROM optimize.trend('dead_tuple_pct', '1 day');
SELECT pg_temp.try($$SELECT * FROM optimize.trend('no_such_metric')$$);
RESET ROLE;
REVOKE EXECUTE ON FUNCTION optimize.trend(text, interval) FROM trend_reader;
REVOKE SELECT ON optimize.snapshots FROM trend_reader;
DROP ROLE trend_reader;

-- The cleanup job, run now in a job worker: runs older than pg_optimize.history_retention, runs beyond
-- pg_optimize.history_per_job per job and snapshots older than pg_optimize.snapshot_retention go; the rest stays.
ALTER SYSTEM SET pg_optimize.history_per_job = 3;
SELECT pg_reload_conf();
SELECT pg_sleep(1);
-- This session sees the new value only after the postmaster has reloaded (it passes the reload on), so the job worker
-- started below, a child of the postmaster, sees it too.
SHOW pg_optimize.history_per_job;
INSERT INTO optimize.job_runs (job, owner, started_at, finished_at, status)
SELECT 'old', current_user::regrole, now() - interval '40 days', now() - interval '40 days', 'succeeded'
UNION ALL
SELECT 'recent', current_user::regrole, now() - g * interval '1 minute', now() - g * interval '1 minute', 'succeeded'
  FROM generate_series(1, 5) g;
INSERT INTO optimize.snapshots VALUES (now() - interval '100 days', 'connections_max', 1);
SELECT status, message FROM optimize.run_job('cleanup_weekly');
SELECT job, count(*) AS runs_kept FROM optimize.job_runs WHERE job IN ('old', 'recent') GROUP BY job ORDER BY job;
SELECT count(*) AS old_snapshots FROM optimize.snapshots WHERE taken_at < now() - interval '90 days';
ALTER SYSTEM RESET pg_optimize.history_per_job;
SELECT pg_reload_conf();

-- A refresh job refreshes CONCURRENTLY only the materialized views with a valid unique index on plain columns and
-- without a predicate, which REFRESH ... CONCURRENTLY requires; the others plainly.
CREATE MATERIALIZED VIEW mv_unique AS SELECT g AS n FROM generate_series(1, 3) g;
CREATE UNIQUE INDEX ON mv_unique (n);
CREATE MATERIALIZED VIEW mv_expression AS SELECT g AS n FROM generate_series(1, 3) g;
CREATE UNIQUE INDEX ON mv_expression ((n + 1));
CREATE MATERIALIZED VIEW mv_partial AS SELECT g AS n FROM generate_series(1, 3) g;
CREATE UNIQUE INDEX ON mv_partial (n) WHERE n > 1;
CREATE MATERIALIZED VIEW mv_not_unique AS SELECT g AS n FROM generate_series(1, 3) g;
CREATE INDEX ON mv_not_unique (n);
SELECT optimize.schedule('views', 'refresh_materialized_views', '@daily') > 0 AS scheduled;
SELECT status, message FROM optimize.run_job('views');
SELECT a->>'sql' AS sql, a->>'status' AS status
  FROM optimize.job_runs r, jsonb_array_elements(r.details->'actions') a WHERE r.job = 'views' ORDER BY 1;
SELECT optimize.unschedule('views');
DROP MATERIALIZED VIEW mv_unique, mv_expression, mv_partial, mv_not_unique;

-- The jobs table rejects rows the API would refuse.
SELECT pg_temp.try($$INSERT INTO optimize.jobs (name, kind, schedule) VALUES ('y', 'defrag', '1 day')$$);
SELECT pg_temp.try($$INSERT INTO optimize.jobs (name, kind, schedule, max_runtime) VALUES ('y', 'vacuum', '1 day', '0')$$);

-- An unprivileged role: schedules on what it owns only, sees only its own jobs.
CREATE ROLE automation_user;
GRANT CREATE ON SCHEMA public TO automation_user;
SET ROLE automation_user;
CREATE TABLE own_table (id int);
SELECT optimize.schedule('own', 'analyze', '1 hour', 'own_table') > 0 AS scheduled;
SELECT pg_temp.try($$SELECT optimize.schedule('theirs', 'analyze', '1 hour', '"Order Items"')$$);
SELECT pg_temp.try($$SELECT optimize.alter_job('totals', enabled => false)$$);
-- A name taken by another role's job, which this role cannot see: the same clear error.
SELECT pg_temp.try($$SELECT optimize.schedule('totals', 'analyze', '1 hour', 'own_table')$$);
SELECT pg_temp.try($$SELECT optimize.alter_job('own', new_name => 'totals')$$);
-- Jobs are written only through the API (optimize.jobs grants no INSERT, UPDATE or DELETE), and snapshot and cleanup
-- jobs, which write pg_optimize's own tables, belong to superusers.
SELECT pg_temp.try($$INSERT INTO optimize.jobs (name, kind, schedule, owner) VALUES ('z', 'analyze', '1 day', 'postgres')$$);
SELECT pg_temp.try($$UPDATE optimize.jobs SET enabled = false WHERE name = 'own'$$);
SELECT pg_temp.try($$DELETE FROM optimize.jobs WHERE name = 'own'$$);
SELECT pg_temp.try($$SELECT optimize.schedule('own snapshot', 'snapshot', '1 hour')$$);
SELECT pg_temp.try($$SELECT optimize.schedule('own cleanup', 'cleanup', '1 day')$$);
SELECT name FROM optimize.jobs ORDER BY name;
SELECT pg_temp.try($$SELECT * FROM optimize.scheduler_status$$);
RESET ROLE;
SELECT name, owner FROM optimize.jobs WHERE name = 'own';
DROP TABLE own_table;
DELETE FROM optimize.jobs WHERE name = 'own';
REVOKE CREATE ON SCHEMA public FROM automation_user;
DROP ROLE automation_user;

DROP MATERIALIZED VIEW totals;
DROP VIEW plain_view;
DROP SEQUENCE counter;
DROP TABLE "Order Items";
SELECT optimize.unschedule(name) FROM optimize.jobs WHERE NOT is_default ORDER BY name;
DROP EXTENSION pg_optimize;
