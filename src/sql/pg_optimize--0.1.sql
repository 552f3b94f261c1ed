-- pg_optimize 0.1: in-database health checks and maintenance for PostgreSQL.
\echo Use "CREATE EXTENSION pg_optimize" to load this file. \quit

-- The schema belongs to the extension: DROP EXTENSION removes it with everything in it. A schema of that name that
-- is not ours is never taken over.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'optimize') THEN
    RAISE EXCEPTION 'schema "optimize" already exists'
      USING ERRCODE = 'duplicate_schema',
            DETAIL = 'pg_optimize keeps its functions and views in a schema of its own named "optimize".',
            HINT = 'Rename or drop the existing schema, then run CREATE EXTENSION pg_optimize again.';
  END IF;
END
$$;
CREATE SCHEMA optimize;
COMMENT ON SCHEMA optimize IS 'pg_optimize: database health data and maintenance';

CREATE FUNCTION optimize.missing_fk_indexes(
    OUT table_name regclass,
    OUT constraint_name name,
    OUT columns name[],
    OUT referenced_table regclass,
    OUT table_bytes bigint,
    OUT suggested_index text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_missing_fk_indexes';

COMMENT ON FUNCTION optimize.missing_fk_indexes() IS
'Foreign keys whose referencing columns have no valid, non-partial btree (or single-column hash) index leading '
'with exactly those columns, biggest tables first, each with the statement that creates the missing index.';

-- Everything in the schema is read-only health data unless a function says otherwise: any role may look.
GRANT USAGE ON SCHEMA optimize TO PUBLIC;

-- ---------------------------------------------------------------------------------------------------------------
-- Health data. Read-only, usable on a hot standby, for superusers and members of pg_monitor.
-- Each view is a thin layer over a C function of the same name with a leading underscore.
-- ---------------------------------------------------------------------------------------------------------------

CREATE FUNCTION optimize._table_health(
    OUT "table" regclass,
    OUT bytes bigint,
    OUT live_tuples bigint,
    OUT dead_tuples bigint,
    OUT dead_pct float8,
    OUT estimated_bloat_bytes bigint,
    OUT estimated_bloat_pct float8,
    OUT seq_scans bigint,
    OUT idx_scans bigint,
    OUT last_vacuum timestamptz,
    OUT last_autovacuum timestamptz,
    OUT last_analyze timestamptz,
    OUT last_autoanalyze timestamptz,
    OUT vacuum_needed boolean,
    OUT analyze_needed boolean,
    OUT autovacuum_enabled boolean,
    OUT xid_age bigint,
    OUT status text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_table_health';

CREATE VIEW optimize.table_health AS SELECT * FROM optimize._table_health();
COMMENT ON VIEW optimize.table_health IS
'Every table and materialized view: size, live and dead tuples, estimated heap bloat, scans, maintenance history, '
'whether autovacuum''s own thresholds say VACUUM or ANALYZE is due, and transaction ID age; biggest first.';

CREATE FUNCTION optimize._index_usage(
    OUT index regclass,
    OUT "table" regclass,
    OUT bytes bigint,
    OUT scans bigint,
    OUT tuples_read bigint,
    OUT is_unique boolean,
    OUT is_primary boolean,
    OUT is_valid boolean,
    OUT unused boolean,
    OUT duplicate_of regclass,
    OUT redundant_with regclass,
    OUT estimated_bloat_bytes bigint,
    OUT recommendation text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_index_usage';

CREATE VIEW optimize.index_usage AS SELECT * FROM optimize._index_usage();
COMMENT ON VIEW optimize.index_usage IS
'Every index: size, scans, and whether it is unused (never scanned, enforcing nothing, not the only index of a '
'foreign key), a duplicate, redundant with a longer index, invalid or bloated, with what to do; biggest first.';

CREATE FUNCTION optimize._connections(
    OUT database text,
    OUT role text,
    OUT application text,
    OUT client_address text,
    OUT state text,
    OUT connections bigint,
    OUT oldest_xact_start timestamptz,
    OUT oldest_state_change timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_connections';

CREATE VIEW optimize.connections AS SELECT * FROM optimize._connections();
COMMENT ON VIEW optimize.connections IS
'Client connections of the whole cluster counted by database, role, application, client address and state, with '
'the oldest open transaction and the oldest state change of each group.';

CREATE FUNCTION optimize._long_running_queries(
    OUT pid integer,
    OUT database text,
    OUT role text,
    OUT application text,
    OUT query_start timestamptz,
    OUT running_seconds float8,
    OUT waiting_for text,
    OUT query text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_long_running_queries';

CREATE VIEW optimize.long_running_queries AS SELECT * FROM optimize._long_running_queries();
COMMENT ON VIEW optimize.long_running_queries IS
'Active queries running longer than pg_optimize.slow_query_ms (default 50 ms), longest first. Query texts of other '
'roles are shown only where pg_stat_activity would show them.';

CREATE FUNCTION optimize._blocked_queries(
    OUT pid integer,
    OUT database text,
    OUT role text,
    OUT query text,
    OUT waiting_seconds float8,
    OUT lock_type text,
    OUT lock_mode text,
    OUT locked_relation regclass,
    OUT blocking_pids integer[],
    OUT blocker_query text,
    OUT blocker_state text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_blocked_queries';

CREATE VIEW optimize.blocked_queries AS SELECT * FROM optimize._blocked_queries();
COMMENT ON VIEW optimize.blocked_queries IS
'Sessions waiting for a lock, longest wait first: what they wait for, who blocks them, and what the first blocker '
'is doing.';

CREATE FUNCTION optimize._sequence_health(
    OUT sequence regclass,
    OUT owned_by text,
    OUT column_type text,
    OUT last_value bigint,
    OUT min_value bigint,
    OUT max_value bigint,
    OUT increment bigint,
    OUT cycles boolean,
    OUT pct_used float8)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_sequence_health';

CREATE VIEW optimize.sequence_health AS SELECT * FROM optimize._sequence_health();
COMMENT ON VIEW optimize.sequence_health IS
'Every sequence: the column that owns it and its type, last value, and the share of the range used, counting the '
'tighter of the sequence''s own range and its column type''s; fullest first.';

CREATE FUNCTION optimize.metrics(
    OUT metric text,
    OUT value float8,
    OUT unit text,
    OUT description text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_metrics';
COMMENT ON FUNCTION optimize.metrics() IS
'The database''s vital signs, one row per metric: connections, blocked and long queries, cache hit ratios, '
'transactions, dead tuples and bloat, index findings, transaction ID wraparound, sequences, replication slots.';

CREATE FUNCTION optimize._alerts(
    OUT severity text,
    OUT kind text,
    OUT object text,
    OUT value float8,
    OUT threshold float8,
    OUT message text,
    OUT recommendation text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_alerts';

CREATE VIEW optimize.alerts AS SELECT * FROM optimize._alerts();
COMMENT ON VIEW optimize.alerts IS
'Conditions that need attention, critical first: connection usage, slow, blocked and idle-in-transaction sessions, '
'dead tuples, transaction ID wraparound, invalid indexes, sequences running out, inactive replication slots. '
'Thresholds are the pg_optimize.alert_* settings.';

CREATE FUNCTION optimize.config_recommendations(
    total_memory_bytes bigint DEFAULT NULL,
    storage text DEFAULT 'ssd',
    max_client_connections integer DEFAULT NULL,
    OUT setting text,
    OUT current_value text,
    OUT recommended_value text,
    OUT unit text,
    OUT reason text,
    OUT needs_restart boolean,
    OUT sql text)
RETURNS SETOF record
LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_config_recommendations';
COMMENT ON FUNCTION optimize.config_recommendations(bigint, text, integer) IS
'Configuration advice: memory settings from the machine''s memory (detected when total_memory_bytes is NULL), '
'planner costs by storage (''ssd'', ''hdd'' or ''network''), autovacuum, and max_connections sized to the '
'application''s pool when max_client_connections is given; each with the ALTER SYSTEM statement that applies it.';


CREATE FUNCTION optimize._recommendations(
    OUT priority integer,
    OUT kind text,
    OUT object text,
    OUT reason text,
    OUT sql text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_recommendations';

CREATE VIEW optimize.recommendations AS SELECT * FROM optimize._recommendations();
COMMENT ON VIEW optimize.recommendations IS
'What to do, priority 1 (now) to 3 (worth doing): create missing foreign key indexes, VACUUM or ANALYZE, drop '
'unused, duplicate, redundant or invalid indexes, rebuild bloated ones, refresh unpopulated materialized views, '
'settings to change, very large tables to partition. sql runs as it is (NULL for partitioning).';


CREATE FUNCTION optimize.health_check(
    OUT check_name text,
    OUT status text,
    OUT detail text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_health_check';
COMMENT ON FUNCTION optimize.health_check() IS
'A quick pass over the critical signals (connections, long and blocked queries, idle transactions, wraparound, '
'replication slots, cache hit ratio), status ok, warning or critical; cheap enough to call every few seconds.';


CREATE FUNCTION optimize.report(format text DEFAULT 'text')
RETURNS text
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_report';
COMMENT ON FUNCTION optimize.report(text) IS
'The full performance report: summary metrics, alerts, connections, tables by dead tuples and bloat, index '
'findings, missing foreign key indexes, recommendations and configuration advice; format ''text'' (read it with '
'psql -At or \pset format unaligned), ''markdown'' or ''json'' (valid jsonb).';

-- ---------------------------------------------------------------------------------------------------------------
-- Query latency (needs shared_preload_libraries = 'pg_optimize'; without it the views return no rows and a NOTICE)
-- ---------------------------------------------------------------------------------------------------------------
CREATE FUNCTION optimize._latency(
    OUT database name,
    OUT calls bigint,
    OUT p50_ms float8,
    OUT p90_ms float8,
    OUT p95_ms float8,
    OUT p99_ms float8,
    OUT max_ms float8,
    OUT mean_ms float8,
    OUT target_ms float8,
    OUT pct_within_target float8,
    OUT meets_target boolean,
    OUT since timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_latency';

CREATE VIEW optimize.latency AS SELECT * FROM optimize._latency();
COMMENT ON VIEW optimize.latency IS
'Statement latency per database since the server started or optimize.reset_latency(): percentiles from a '
'log-linear histogram (within 0.8%), the exact share of statements finished within pg_optimize.slow_query_ms, and '
'whether that share reaches pg_optimize.latency_target_pct.';

CREATE FUNCTION optimize.latency_histogram(
    database name DEFAULT current_database(),
    OUT lower_ms float8,
    OUT upper_ms float8,
    OUT count bigint)
RETURNS SETOF record
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_latency_histogram';
COMMENT ON FUNCTION optimize.latency_histogram(name) IS
'The non-empty buckets of a database''s latency histogram, [lower_ms, upper_ms), for plotting.';

CREATE FUNCTION optimize._slow_queries(
    OUT queryid bigint,
    OUT database name,
    OUT role name,
    OUT query text,
    OUT calls bigint,
    OUT slow_calls bigint,
    OUT mean_ms float8,
    OUT p95_ms float8,
    OUT max_ms float8,
    OUT total_ms float8,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_slow_queries';

CREATE VIEW optimize.slow_queries AS SELECT * FROM optimize._slow_queries();
COMMENT ON VIEW optimize.slow_queries IS
'Statement shapes (query id, database, role), most total time first: calls, calls slower than '
'pg_optimize.slow_query_ms, mean, p95 (within 12.5%), max and total time, and the text of the slowest call '
'(shown where pg_stat_activity would show it).';

CREATE FUNCTION optimize._n_plus_one(
    OUT queryid bigint,
    OUT database name,
    OUT role name,
    OUT query text,
    OUT events bigint,
    OUT largest_run bigint,
    OUT average_run float8,
    OUT total_ms float8,
    OUT last_seen timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_n_plus_one';

CREATE VIEW optimize.n_plus_one AS SELECT * FROM optimize._n_plus_one();
COMMENT ON VIEW optimize.n_plus_one IS
'N+1 patterns: one session running the same statement shape at least pg_optimize.n_plus_one_threshold times in a '
'row, each within pg_optimize.n_plus_one_gap_ms of the previous one''s end. events: such runs; total_ms: time spent '
'in the statements of those runs.';

CREATE FUNCTION optimize.reset_latency()
RETURNS void
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_reset_latency';
COMMENT ON FUNCTION optimize.reset_latency() IS
'Forgets every latency figure, statement shape and N+1 event, and takes pg_optimize.slow_query_ms (as the caller '
'sees it) as the new target. Superusers only, unless granted.';

-- ---------------------------------------------------------------------------------------------------------------
-- Privileges: health data is for superusers and pg_monitor (which includes pg_read_all_stats). The views call the
-- functions with the caller's rights, so both are granted.
-- ---------------------------------------------------------------------------------------------------------------
DO $$
DECLARE
  f regprocedure;
  v regclass;
BEGIN
  FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
           WHERE p.pronamespace = 'optimize'::regnamespace AND p.proname <> 'missing_fk_indexes' LOOP
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    -- resetting the latency figures changes what everyone sees: superusers, and roles explicitly granted it
    CONTINUE WHEN f = 'optimize.reset_latency()'::regprocedure;
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO pg_monitor', f);
  END LOOP;
  FOR v IN SELECT c.oid FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'optimize'::regnamespace AND c.relkind = 'v' LOOP
    EXECUTE pg_catalog.format('GRANT SELECT ON %s TO pg_monitor', v);
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Automation: jobs, their runs, metric snapshots. With pg_optimize in shared_preload_libraries a launcher starts one
-- scheduler per database that has the extension; each runs the due jobs of its database in background workers.
-- ---------------------------------------------------------------------------------------------------------------
CREATE TABLE optimize.jobs (
    id                   bigserial PRIMARY KEY,
    name                 text NOT NULL UNIQUE CHECK (name <> ''),
    kind                 text NOT NULL CHECK (kind IN ('vacuum_analyze', 'vacuum', 'analyze',
                                                       'refresh_materialized_views', 'snapshot', 'cleanup')),
    target               regclass,
    schedule             text NOT NULL,
    enabled              boolean NOT NULL DEFAULT true,
    max_runtime          interval NOT NULL DEFAULT '1 hour' CHECK (max_runtime > '0'),
    lock_timeout         interval NOT NULL DEFAULT '5 seconds' CHECK (lock_timeout > '0'),
    max_retries          integer NOT NULL DEFAULT 5 CHECK (max_retries >= 0),
    options              jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
    owner                regrole NOT NULL DEFAULT pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)),
    is_default           boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
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
    started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'timeout', 'skipped', 'crashed')),
    message     text,
    details     jsonb NOT NULL DEFAULT '{}',
    pid         integer
);
CREATE INDEX ON optimize.job_runs (job_id, started_at);
CREATE INDEX ON optimize.job_runs (started_at);
CREATE INDEX ON optimize.job_runs (status) WHERE status = 'running';
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
  USING (owner = pg_catalog.to_regrole(pg_catalog.quote_ident(current_user))
         OR pg_catalog.pg_has_role('pg_monitor', 'MEMBER'));
CREATE POLICY own_insert ON optimize.jobs FOR INSERT
  WITH CHECK (owner = pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)) AND NOT is_default);
CREATE POLICY own_update ON optimize.jobs FOR UPDATE
  USING (owner = pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)))
  WITH CHECK (owner = pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)));
CREATE POLICY own_delete ON optimize.jobs FOR DELETE
  USING (owner = pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)));
CREATE POLICY own_or_monitor ON optimize.job_runs FOR SELECT
  USING (owner = pg_catalog.to_regrole(pg_catalog.quote_ident(current_user))
         OR pg_catalog.pg_has_role('pg_monitor', 'MEMBER'));
GRANT SELECT, INSERT, UPDATE, DELETE ON optimize.jobs TO PUBLIC;
GRANT USAGE ON SEQUENCE optimize.jobs_id_seq TO PUBLIC;
GRANT SELECT ON optimize.job_runs TO PUBLIC;
GRANT SELECT ON optimize.snapshots TO pg_monitor;

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
  IF NOT EXISTS (SELECT FROM optimize.metrics() m WHERE m.metric = trend.metric) THEN
    RAISE EXCEPTION 'unknown metric "%"', trend.metric
      USING ERRCODE = 'invalid_parameter_value', HINT = 'The metrics are listed by SELECT metric FROM optimize.metrics();';
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
