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
REVOKE ALL ON FUNCTION optimize._latency FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._latency TO pg_monitor;

CREATE VIEW optimize.latency AS SELECT * FROM optimize._latency();
GRANT SELECT ON optimize.latency TO pg_monitor;
COMMENT ON VIEW optimize.latency IS
'Statement latency per database since the server started or optimize.reset_latency(): percentiles from a '
'log-linear histogram (within 0.8%), the exact share of statements finished within pg_optimize.slow_query_ms, and '
'whether that share reaches pg_optimize.latency_target_pct.';

CREATE FUNCTION optimize.latency_histogram(
    database name DEFAULT pg_catalog.current_database(),
    OUT lower_ms float8,
    OUT upper_ms float8,
    OUT count bigint)
RETURNS SETOF record
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_latency_histogram';
REVOKE ALL ON FUNCTION optimize.latency_histogram FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize.latency_histogram TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize._slow_queries FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._slow_queries TO pg_monitor;

CREATE VIEW optimize.slow_queries AS SELECT * FROM optimize._slow_queries();
GRANT SELECT ON optimize.slow_queries TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize._n_plus_one FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._n_plus_one TO pg_monitor;

CREATE VIEW optimize.n_plus_one AS SELECT * FROM optimize._n_plus_one();
GRANT SELECT ON optimize.n_plus_one TO pg_monitor;
COMMENT ON VIEW optimize.n_plus_one IS
'N+1 patterns: one session running the same statement shape at least pg_optimize.n_plus_one_threshold times in a '
'row, each within pg_optimize.n_plus_one_gap_ms of the previous one''s end. events: such runs; total_ms: time spent '
'in the statements of those runs.';

CREATE FUNCTION optimize.reset_latency()
RETURNS void
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_reset_latency';
-- resetting the latency figures changes what everyone sees: superusers, and roles explicitly granted it
REVOKE ALL ON FUNCTION optimize.reset_latency FROM PUBLIC;
COMMENT ON FUNCTION optimize.reset_latency() IS
'Forgets every latency figure, statement shape and N+1 event, and takes pg_optimize.slow_query_ms (as the caller '
'sees it) as the new target. Superusers only, unless granted.';
