-- bench/index_advisor/hypopg.sql: the planner cost of every statement shape of the workload with the advised indexes
-- as hypothetical indexes, from pg_optimize (optimize.explain_hypothetical) and from HypoPG (hypopg_create_index, then
-- EXPLAIN), side by side in pgo_bench.agreement. Statements with $n parameters (sent with the extended protocol) are
-- planned generically on both sides: pg_optimize does it itself, HypoPG's side by PREPARE and EXPLAIN EXECUTE with
-- plan_cache_mode = force_generic_plan (the values passed, NULLs, do not enter a generic plan).
-- pg_optimize plans each shape twice: with its own estimates of the indexes' pages and tree height, and with exactly
-- the inputs HypoPG gives the same indexes (its pages, from hypopg_relation_size(), and a tree height of -1, which
-- HypoPG leaves unset), through the superuser-only developer setting pg_optimize.hypothetical_index_inputs. Equal
-- costs with equal inputs show that the indexes reach the planner the same way; the differences that remain with
-- the defaults are those of the estimates.
\set ON_ERROR_STOP 1
CREATE SCHEMA IF NOT EXISTS pgo_bench;

-- Total cost of the plan of `query` as EXPLAIN gives it, generic for a query with parameters.
CREATE OR REPLACE FUNCTION pgo_bench.explain_cost(query text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
  plan json;
  nparams int;
BEGIN
  IF query ~ '\$[0-9]' THEN
    EXECUTE 'PREPARE pgo_bench_q AS ' || query;
    SELECT coalesce(array_length(parameter_types, 1), 0) INTO nparams
      FROM pg_prepared_statements WHERE name = 'pgo_bench_q';
    SET LOCAL plan_cache_mode = force_generic_plan;
    EXECUTE format('EXPLAIN (FORMAT JSON) EXECUTE pgo_bench_q(%s)',
                   (SELECT string_agg('NULL', ', ') FROM generate_series(1, nparams))) INTO plan;
    DEALLOCATE pgo_bench_q;
  ELSE
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
  END IF;
  RETURN (plan -> 0 -> 'Plan' ->> 'Total Cost')::float8;
END $$;

-- The advised indexes, as CREATE INDEX statements (pgo_bench.advice is the advice saved by bench/run-index-advisor).
CREATE OR REPLACE VIEW pgo_bench.advised_definitions AS
SELECT 'CREATE INDEX ON ' || "table" || ' ' || index_definition AS definition FROM pgo_bench.advice;

-- The definitions HypoPG accepts (it has no GIN support, for one), with both sides' size estimates.
DROP TABLE IF EXISTS pgo_bench.hypopg_sizes;
CREATE TABLE pgo_bench.hypopg_sizes (definition text, ours_bytes bigint, hypopg_bytes bigint, hypopg_error text,
                                      hypopg_pages bigint);
DO $$
DECLARE
  a record;
  oid_ oid;
BEGIN
  FOR a IN SELECT 'CREATE INDEX ON ' || "table" || ' ' || index_definition AS definition, estimated_bytes
             FROM pgo_bench.advice LOOP
    PERFORM hypopg_reset();
    BEGIN
      SELECT indexrelid INTO oid_ FROM hypopg_create_index(a.definition);
      INSERT INTO pgo_bench.hypopg_sizes (definition, ours_bytes, hypopg_bytes, hypopg_pages)
        VALUES (a.definition, a.estimated_bytes, hypopg_relation_size(oid_),
                hypopg_relation_size(oid_) / current_setting('block_size')::int);
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO pgo_bench.hypopg_sizes (definition, ours_bytes, hypopg_error)
        VALUES (a.definition, a.estimated_bytes, SQLERRM);
    END;
  END LOOP;
  PERFORM hypopg_reset();
END $$;

DROP TABLE IF EXISTS pgo_bench.agreement;
-- ours, hypopg: with the indexes HypoPG accepts; ours_hypopg_inputs: the same with HypoPG's pages and tree height;
-- ours_all: with every advised index (for the real indexes' costs). A shape whose cost ours_all is not ours needs an
-- index HypoPG cannot represent (a GIN index).
CREATE TABLE pgo_bench.agreement (queryid bigint, query text, ours float8, hypopg float8, ours_hypopg_inputs float8,
                                  ours_all float8);
DO $$
DECLARE
  s record;
  d text;
  defs text[];
  inputs text;
  all_defs text[] := ARRAY(SELECT definition FROM pgo_bench.advised_definitions);
  ours float8;
  ours_inputs float8;
  ours_all float8;
BEGIN
  -- HypoPG's inputs, one entry per definition in the same order: PAGES/TREE_HEIGHT.
  SELECT array_agg(definition ORDER BY definition), string_agg(hypopg_pages || '/-1', ',' ORDER BY definition)
    INTO defs, inputs
    FROM pgo_bench.hypopg_sizes WHERE hypopg_error IS NULL;
  defs := coalesce(defs, '{}');
  FOR s IN SELECT DISTINCT ON (queryid) queryid, query FROM optimize.slow_queries
            WHERE database = current_database() AND query ~* '^\s*(select|insert|update|delete)\M'
              AND query !~ 'optimize\.|pgo_bench|hypopg|pg_catalog\.pg_'
            ORDER BY queryid LOOP
    PERFORM hypopg_reset();
    SELECT cost_after INTO ours FROM optimize.explain_hypothetical(s.query, defs);
    PERFORM set_config('pg_optimize.hypothetical_index_inputs', coalesce(inputs, ''), true);
    SELECT cost_after INTO ours_inputs FROM optimize.explain_hypothetical(s.query, defs);
    PERFORM set_config('pg_optimize.hypothetical_index_inputs', '', true);
    SELECT cost_after INTO ours_all FROM optimize.explain_hypothetical(s.query, all_defs);
    FOREACH d IN ARRAY defs LOOP
      PERFORM hypopg_create_index(d);
    END LOOP;
    INSERT INTO pgo_bench.agreement
      VALUES (s.queryid, s.query, ours, pgo_bench.explain_cost(s.query), ours_inputs, ours_all);
    PERFORM hypopg_reset();
  END LOOP;
END $$;
