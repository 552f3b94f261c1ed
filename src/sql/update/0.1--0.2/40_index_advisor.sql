-- ---------------------------------------------------------------------------------------------------------------
-- Index advisor: indexes the workload needs, proven by the planner with hypothetical indexes (nothing is created,
-- nothing executed). The view needs shared_preload_libraries (the workload is what the latency hooks keep).
-- ---------------------------------------------------------------------------------------------------------------
CREATE FUNCTION optimize.explain_hypothetical(
    query text,
    indexes text[] DEFAULT NULL,
    OUT cost_before float8,
    OUT cost_after float8,
    OUT hypothetical_indexes text[],
    OUT generic_plan boolean,
    OUT plan_before text,
    OUT plan_after text)
RETURNS SETOF record
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pgo_explain_hypothetical';
-- For any role: the caller must be able to read every table the query and the indexes name (checked in C).
GRANT EXECUTE ON FUNCTION optimize.explain_hypothetical(text, text[]) TO PUBLIC;
COMMENT ON FUNCTION optimize.explain_hypothetical(text, text[]) IS
'Plans one SELECT, INSERT, UPDATE or DELETE (never executes it) without and with hypothetical indexes: the given '
'CREATE INDEX statements, or when indexes is NULL the ones the advisor proposes for this query. Returns both '
'costs and plans; a query with $n parameters gets a generic plan.';

CREATE FUNCTION optimize._index_advice(
    OUT "table" text,
    OUT index_definition text,
    OUT kind text,
    OUT queryids bigint[],
    OUT cost_before float8,
    OUT cost_after float8,
    OUT saved_ms_per_day float8,
    OUT estimated_bytes bigint,
    OUT writes_per_day float8,
    OUT write_overhead_pct float8,
    OUT sql text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pgo_index_advice';
REVOKE ALL ON FUNCTION optimize._index_advice FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._index_advice TO pg_monitor;

CREATE VIEW optimize.index_advice AS SELECT * FROM optimize._index_advice();
GRANT SELECT ON optimize.index_advice TO pg_monitor;
COMMENT ON VIEW optimize.index_advice IS
'Indexes the statement shapes of this database need (from optimize.slow_queries, at least '
'pg_optimize.advisor_min_calls calls), each proven by re-planning with it as a hypothetical index and chosen '
'greedily over the whole workload: statements helped, planner cost before and after, time saved per day, size, '
'write overhead and a CREATE INDEX CONCURRENTLY statement.';
