-- ---------------------------------------------------------------------------------------------------------------
-- Health data. Read-only, usable on a hot standby, for superusers and members of pg_monitor (which includes
-- pg_read_all_stats). Each view is a thin layer over a C function of the same name with a leading underscore; the
-- views call the functions with the caller's rights, so both are granted. optimize.missing_fk_indexes() is for
-- every role: it shows only what the caller's catalog access shows.
-- ---------------------------------------------------------------------------------------------------------------

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
'Foreign keys whose referencing columns have no valid btree (or single-column hash) index leading with exactly '
'those columns (a partial one counts when the key''s lookup implies its predicate), biggest tables first, each '
'with the statements that create the missing index, or finish one an interrupted run left on a partitioned table.';


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
REVOKE ALL ON FUNCTION optimize._table_health FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._table_health TO pg_monitor;

CREATE VIEW optimize.table_health AS SELECT * FROM optimize._table_health();
GRANT SELECT ON optimize.table_health TO pg_monitor;
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
    OUT recommendation text,
    OUT kept_because text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_index_usage';
REVOKE ALL ON FUNCTION optimize._index_usage FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._index_usage TO pg_monitor;

CREATE VIEW optimize.index_usage AS SELECT * FROM optimize._index_usage();
GRANT SELECT ON optimize.index_usage TO pg_monitor;
COMMENT ON VIEW optimize.index_usage IS
'Every index: size, scans (of a partitioned index: its partitions'' indexes summed), and whether it is unused '
'(never scanned, enforcing nothing, not the only index of a foreign key), a duplicate, redundant with a longer '
'index, invalid or bloated, with what to do, or why it is kept. Judged together: the drops advised leave every '
'foreign key and every lookup an index and every constraint its index. Biggest first.';

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
REVOKE ALL ON FUNCTION optimize._connections FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._connections TO pg_monitor;

CREATE VIEW optimize.connections AS SELECT * FROM optimize._connections();
GRANT SELECT ON optimize.connections TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize._long_running_queries FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._long_running_queries TO pg_monitor;

CREATE VIEW optimize.long_running_queries AS SELECT * FROM optimize._long_running_queries();
GRANT SELECT ON optimize.long_running_queries TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize._blocked_queries FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._blocked_queries TO pg_monitor;

CREATE VIEW optimize.blocked_queries AS SELECT * FROM optimize._blocked_queries();
GRANT SELECT ON optimize.blocked_queries TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize._sequence_health FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._sequence_health TO pg_monitor;

CREATE VIEW optimize.sequence_health AS SELECT * FROM optimize._sequence_health();
GRANT SELECT ON optimize.sequence_health TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize.metrics FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize.metrics TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize._alerts FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._alerts TO pg_monitor;

CREATE VIEW optimize.alerts AS SELECT * FROM optimize._alerts();
GRANT SELECT ON optimize.alerts TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize.config_recommendations FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize.config_recommendations TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize._recommendations FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._recommendations TO pg_monitor;

CREATE VIEW optimize.recommendations AS SELECT * FROM optimize._recommendations();
GRANT SELECT ON optimize.recommendations TO pg_monitor;
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
REVOKE ALL ON FUNCTION optimize.health_check FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize.health_check TO pg_monitor;
COMMENT ON FUNCTION optimize.health_check() IS
'A quick pass over the critical signals (connections, long and blocked queries, idle transactions, wraparound, '
'replication slots, cache hit ratio), status ok, warning or critical; cheap enough to call every few seconds.';


CREATE FUNCTION optimize.report(format text DEFAULT 'text')
RETURNS text
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_report';
REVOKE ALL ON FUNCTION optimize.report FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize.report TO pg_monitor;
COMMENT ON FUNCTION optimize.report(text) IS
'The full performance report: summary metrics, alerts, connections, tables by dead tuples and bloat, index '
'findings, missing foreign key indexes, recommendations and configuration advice; format ''text'' (read it with '
'psql -At or \pset format unaligned), ''markdown'' or ''json'' (valid jsonb).';
