-- ---------------------------------------------------------------------------------------------------------------
-- Index advisor: indexes the workload needs, proven by the planner with hypothetical indexes (nothing is created,
-- nothing executed). The view needs shared_preload_libraries (the workload is what the latency hooks keep).
-- New in 0.2: the update from 0.1 runs this same file (src/sql/update/0.1--0.2/40_index_advisor.sql links to it).
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
    OUT sql text,
    OUT replaces regclass)
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
'write overhead and a CREATE INDEX CONCURRENTLY statement. When the new index extends an existing one that the '
'workload can do without, replaces names that index and sql drops it concurrently after the build.';

-- Outcome: what advised indexes brought, once created. optimize.record_index_advice() keeps the current advice with
-- the p95 of each statement shape it helps; optimize.index_advice_outcome shows, per recorded advice and shape,
-- the index that now does what was advised (NULL while none does) and the shape's p95 then and now.
CREATE TABLE optimize.index_advice_log (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT index_advice_log_pkey PRIMARY KEY,
    advised_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    "table" text NOT NULL,
    index_definition text NOT NULL,
    kind text NOT NULL,
    queryids bigint[] NOT NULL,
    p95_ms_before float8[] NOT NULL,
    sql text NOT NULL,
    replaces text);
REVOKE ALL ON optimize.index_advice_log FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON optimize.index_advice_log TO pg_monitor;
COMMENT ON TABLE optimize.index_advice_log IS
'Advice recorded by optimize.record_index_advice(), with the p95 of the statement shapes it was for.';

-- A BEGIN ATOMIC body is bound when the function is created, so no search_path is pinned: the advice parses the
-- workload's statements with the caller's search_path, as optimize.index_advice does.
CREATE FUNCTION optimize.record_index_advice() RETURNS bigint
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  WITH added AS (
    INSERT INTO optimize.index_advice_log ("table", index_definition, kind, queryids, p95_ms_before, sql, replaces)
    SELECT a."table", a.index_definition, a.kind, a.queryids,
           ARRAY(SELECT (SELECT max(s.p95_ms) FROM optimize.slow_queries s
                          WHERE s.queryid OPERATOR(pg_catalog.=) q.id
                            AND s.database OPERATOR(pg_catalog.=) pg_catalog.current_database())
                   FROM pg_catalog.unnest(a.queryids) WITH ORDINALITY q(id, n) ORDER BY q.n),
           a.sql,
           (SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
             WHERE c.oid OPERATOR(pg_catalog.=) a.replaces)
      FROM optimize.index_advice a
    RETURNING 1)
  SELECT pg_catalog.count(*) FROM added;
END;
REVOKE ALL ON FUNCTION optimize.record_index_advice() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize.record_index_advice() TO pg_monitor;
COMMENT ON FUNCTION optimize.record_index_advice() IS
'Records the current optimize.index_advice with the p95 of each statement shape it helps; returns the rows added.';

CREATE FUNCTION optimize._existing_index("table" text, index_definition text) RETURNS regclass
LANGUAGE C STRICT STABLE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'pgo_existing_index';
REVOKE ALL ON FUNCTION optimize._existing_index(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._existing_index(text, text) TO pg_monitor;

CREATE VIEW optimize.index_advice_outcome AS
SELECT l.id, l.advised_at, l."table", l.index_definition, l.kind,
       optimize._existing_index(l."table", l.index_definition) AS index,
       q.queryid, q.p95_ms_before,
       (SELECT max(s.p95_ms) FROM optimize.slow_queries s
         WHERE s.queryid OPERATOR(pg_catalog.=) q.queryid
           AND s.database OPERATOR(pg_catalog.=) pg_catalog.current_database()) AS p95_ms_now,
       (SELECT sum(s.calls) FROM optimize.slow_queries s
         WHERE s.queryid OPERATOR(pg_catalog.=) q.queryid
           AND s.database OPERATOR(pg_catalog.=) pg_catalog.current_database())::bigint AS calls_now,
       l.replaces
  FROM optimize.index_advice_log l,
       ROWS FROM (pg_catalog.unnest(l.queryids), pg_catalog.unnest(l.p95_ms_before)) AS q(queryid, p95_ms_before);
GRANT SELECT ON optimize.index_advice_outcome TO pg_monitor;
COMMENT ON VIEW optimize.index_advice_outcome IS
'Per recorded advice and statement shape: the index that now does what was advised (NULL while none does), the '
'shape''s p95 when advised and now (since the last optimize.reset_latency(): reset after creating the index), and '
'the index the advice replaces (its name when advised).';
