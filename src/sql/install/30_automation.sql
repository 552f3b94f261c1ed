-- ---------------------------------------------------------------------------------------------------------------
-- Automation: jobs, their runs, metric snapshots. With pg_optimize in shared_preload_libraries a launcher starts one
-- scheduler per database that has the extension; each runs the due jobs of its database in background workers.
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE optimize.jobs (
    id                   bigserial PRIMARY KEY,
    name                 text NOT NULL UNIQUE CHECK (name OPERATOR(pg_catalog.<>) ''),
    kind                 text NOT NULL CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['vacuum_analyze', 'vacuum', 'analyze',
                                                       'refresh_materialized_views', 'snapshot', 'cleanup']::text[])),
    target               regclass,
    schedule             text NOT NULL,
    enabled              boolean NOT NULL DEFAULT true,
    max_runtime          interval NOT NULL DEFAULT '1 hour' CHECK (max_runtime OPERATOR(pg_catalog.>) '0'),
    lock_timeout         interval NOT NULL DEFAULT '5 seconds' CHECK (lock_timeout OPERATOR(pg_catalog.>) '0'),
    max_retries          integer NOT NULL DEFAULT 5 CHECK (max_retries OPERATOR(pg_catalog.>=) 0),
    options              jsonb NOT NULL DEFAULT '{}' CHECK (pg_catalog.jsonb_typeof(options) OPERATOR(pg_catalog.=) 'object'),
    owner                regrole NOT NULL DEFAULT pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)),
    is_default           boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    next_run             timestamptz,
    last_run             timestamptz,
    last_status          text,
    last_message         text,
    consecutive_failures integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE optimize.jobs IS
  'pg_optimize jobs: change them with optimize.schedule(), optimize.alter_job() and optimize.unschedule()';

CREATE TABLE optimize.job_runs (
    id          bigserial PRIMARY KEY,
    job_id      bigint REFERENCES optimize.jobs (id) ON DELETE SET NULL,
    job         text NOT NULL,
    owner       regrole NOT NULL,
    target      text,
    started_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at timestamptz,
    status      text NOT NULL CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['running', 'succeeded', 'failed', 'timeout', 'skipped',
                                                                   'crashed']::text[])),
    message     text,
    details     jsonb NOT NULL DEFAULT '{}',
    pid         integer
);
CREATE INDEX ON optimize.job_runs (job_id, started_at);
CREATE INDEX ON optimize.job_runs (started_at);
CREATE INDEX ON optimize.job_runs (status) WHERE status OPERATOR(pg_catalog.=) 'running';
COMMENT ON TABLE optimize.job_runs IS 'pg_optimize job history, kept for pg_optimize.history_retention';

CREATE TABLE optimize.snapshots (
    taken_at timestamptz NOT NULL,
    metric   text NOT NULL,
    value    float8,
    PRIMARY KEY (metric, taken_at)
);
COMMENT ON TABLE optimize.snapshots IS 'optimize.metrics() recorded by snapshot jobs, for optimize.trend()';

-- pg_dump carries the jobs users scheduled (not the defaults, which CREATE EXTENSION makes again) and the snapshots.
SELECT pg_catalog.pg_extension_config_dump('optimize.jobs', 'WHERE NOT is_default');
SELECT pg_catalog.pg_extension_config_dump('optimize.jobs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('optimize.snapshots', '');

-- A role sees and changes only its own jobs and runs; members of pg_monitor see every one. Superusers bypass this.
ALTER TABLE optimize.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE optimize.job_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_or_monitor ON optimize.jobs FOR SELECT
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user))
         OR pg_catalog.pg_has_role('pg_monitor', 'MEMBER'));
CREATE POLICY own_insert ON optimize.jobs FOR INSERT
  WITH CHECK (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)) AND NOT is_default);
CREATE POLICY own_update ON optimize.jobs FOR UPDATE
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)))
  WITH CHECK (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)));
CREATE POLICY own_delete ON optimize.jobs FOR DELETE
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)));
CREATE POLICY own_or_monitor ON optimize.job_runs FOR SELECT
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user))
         OR pg_catalog.pg_has_role('pg_monitor', 'MEMBER'));
-- Reading only: jobs are written through optimize.schedule(), alter_job() and unschedule(), which check their caller in
-- C and write with the table owner's rights, the caller as the job's owner. Row-level security alone would not do:
-- BYPASSRLS roles and the table's owner are not subject to it.
GRANT SELECT ON optimize.jobs TO PUBLIC;
REVOKE ALL ON SEQUENCE optimize.jobs_id_seq FROM PUBLIC;
GRANT SELECT ON optimize.job_runs TO PUBLIC;
GRANT SELECT ON optimize.snapshots TO pg_monitor;

-- Every row written by hand (by a superuser, or a role a superuser granted DML) is held to the API's rules before a
-- scheduler ever sees it: a known kind, a valid schedule, options and target, an existing owner that may maintain
-- the target; snapshot and cleanup jobs owned by a superuser; and nobody but a superuser writes another role's job.
CREATE FUNCTION optimize._check_job_row()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'pgo_check_job_row';
REVOKE ALL ON FUNCTION optimize._check_job_row() FROM PUBLIC;
CREATE TRIGGER check_job_row BEFORE INSERT OR UPDATE ON optimize.jobs
  FOR EACH ROW EXECUTE FUNCTION optimize._check_job_row();

CREATE FUNCTION optimize.schedule(
    name text,
    kind text,
    schedule text,
    target regclass DEFAULT NULL,
    options jsonb DEFAULT '{}',
    max_runtime interval DEFAULT '1 hour',
    lock_timeout interval DEFAULT '5 seconds',
    max_retries integer DEFAULT 5,
    enabled boolean DEFAULT true)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_schedule';
COMMENT ON FUNCTION optimize.schedule(text, text, text, regclass, jsonb, interval, interval, integer, boolean) IS
  'schedule a job (kinds: vacuum_analyze, vacuum, analyze, refresh_materialized_views, snapshot, cleanup); returns its id';

CREATE FUNCTION optimize.alter_job(
    name text,
    schedule text DEFAULT NULL,
    enabled boolean DEFAULT NULL,
    target regclass DEFAULT NULL,
    options jsonb DEFAULT NULL,
    max_runtime interval DEFAULT NULL,
    lock_timeout interval DEFAULT NULL,
    max_retries integer DEFAULT NULL,
    new_name text DEFAULT NULL)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_alter_job';
COMMENT ON FUNCTION optimize.alter_job(text, text, boolean, regclass, jsonb, interval, interval, integer, text) IS
  'change a job; NULL leaves a field as it is, target => ''-'' makes the target automatic, enabled => true also '
  'clears the failure count';

CREATE FUNCTION optimize.unschedule(name text)
RETURNS boolean
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_unschedule';
COMMENT ON FUNCTION optimize.unschedule(text) IS 'remove a job (its runs stay in optimize.job_runs)';

CREATE FUNCTION optimize._run_job(name text)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_run_job';

CREATE FUNCTION optimize.run_job(name text)
RETURNS SETOF optimize.job_runs
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  run_id bigint;
BEGIN
  -- The run is written by a job worker: read it in a statement of its own, with a snapshot taken after it ended.
  run_id := optimize._run_job(run_job.name);
  RETURN QUERY SELECT r.* FROM optimize.job_runs r WHERE r.id = run_id;
END
$$;
COMMENT ON FUNCTION optimize.run_job(text) IS 'run a job now and wait for it; returns its run';

CREATE FUNCTION optimize._plan_maintenance(
    OUT action text, OUT object text, OUT reason text, OUT sql text)
RETURNS SETOF record
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_plan_maintenance';

CREATE FUNCTION optimize._run_maintenance()
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_run_maintenance';

CREATE FUNCTION optimize.run_maintenance(
    dry_run boolean DEFAULT true,
    OUT action text, OUT object text, OUT reason text, OUT sql text, OUT status text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  run_id bigint;
BEGIN
  IF dry_run IS NULL THEN
    RAISE EXCEPTION 'dry_run must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Call optimize.run_maintenance() to see what it would do, optimize.run_maintenance(false) to do it.';
  END IF;
  IF dry_run THEN
    RETURN QUERY SELECT p.action, p.object, p.reason, p.sql, 'planned'::text FROM optimize._plan_maintenance() p;
  ELSE
    run_id := optimize._run_maintenance();
    RETURN QUERY
      SELECT a->>'action', a->>'object', a->>'reason', a->>'sql', a->>'status'
        FROM optimize.job_runs r, jsonb_array_elements(r.details->'actions') a
       WHERE r.id = run_id;
  END IF;
END
$$;
COMMENT ON FUNCTION optimize.run_maintenance(boolean) IS
  'VACUUM, ANALYZE and REFRESH what needs it now (dry_run => true, the default, only lists it)';

CREATE FUNCTION optimize._scheduler_status(
    OUT database name, OUT pid integer, OUT state text, OUT running_jobs integer, OUT next_job text,
    OUT next_run timestamptz, OUT started_at timestamptz, OUT last_error text, OUT last_error_at timestamptz)
RETURNS SETOF record
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_scheduler_status';
CREATE VIEW optimize.scheduler_status AS SELECT * FROM optimize._scheduler_status();
COMMENT ON VIEW optimize.scheduler_status IS 'the pg_optimize scheduler of each database: process, state, next job';

CREATE FUNCTION optimize.trend(metric text, since interval DEFAULT '1 day')
RETURNS TABLE (taken_at timestamptz, value float8, change float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF trend.metric IS NULL OR trend.since IS NULL THEN
    RAISE EXCEPTION 'metric and since must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Example: SELECT * FROM optimize.trend(''dead_tuple_pct'', ''7 days'');';
  END IF;
  IF trend.since <= interval '0' THEN
    RAISE EXCEPTION 'since must be a positive interval, not %', trend.since
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Example: ''7 days''.';
  END IF;
  -- A metric with snapshots is known; only for another is optimize.metrics() computed (a second on a catalog of
  -- 100,000 tables) to tell a metric not recorded yet from a name that is none.
  IF NOT EXISTS (SELECT FROM optimize.snapshots s WHERE s.metric = trend.metric) THEN
    IF NOT EXISTS (SELECT FROM optimize.metrics() m WHERE m.metric = trend.metric) THEN
      RAISE EXCEPTION 'unknown metric "%"', trend.metric
        USING ERRCODE = 'invalid_parameter_value', HINT = 'The metrics are listed by SELECT metric FROM optimize.metrics();';
    END IF;
  END IF;
  RETURN QUERY
    SELECT s.taken_at, s.value, s.value - lag(s.value) OVER (ORDER BY s.taken_at)
      FROM optimize.snapshots s
     WHERE s.metric = trend.metric AND s.taken_at >= now() - trend.since
     ORDER BY s.taken_at;
END
$$;
COMMENT ON FUNCTION optimize.trend(text, interval) IS 'a metric recorded by snapshot jobs over time, with the change';

CREATE FUNCTION optimize._wake_scheduler()
RETURNS void
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_wake_scheduler';

REVOKE ALL ON FUNCTION optimize._scheduler_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._scheduler_status() TO pg_monitor;
REVOKE SELECT ON optimize.scheduler_status FROM PUBLIC;
GRANT SELECT ON optimize.scheduler_status TO pg_monitor;
REVOKE ALL ON FUNCTION optimize._wake_scheduler() FROM PUBLIC;
REVOKE ALL ON FUNCTION optimize.trend(text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize.trend(text, interval) TO pg_monitor;

-- The defaults of the seed report's control phase, owned by the role that creates the extension.
INSERT INTO optimize.jobs (name, kind, schedule, is_default, max_runtime, options) VALUES
  ('vacuum_analyze_daily', 'vacuum_analyze', '0 3 * * *', true, '2 hours', '{}'),
  ('refresh_materialized_views_hourly', 'refresh_materialized_views', '15 * * * *', true, '30 minutes', '{}'),
  ('snapshot_hourly', 'snapshot', '0 * * * *', true, '5 minutes', '{}'),
  ('cleanup_weekly', 'cleanup', '30 4 * * 0', true, '30 minutes', '{}');

SELECT optimize._wake_scheduler();
