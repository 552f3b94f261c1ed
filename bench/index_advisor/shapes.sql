-- bench/index_advisor/shapes.sql: 100 statement shapes for the advisor's speed figure, each run 10 times (so that
-- the latency hooks keep them, pg_optimize.advisor_min_calls being 10), on a table of 100,000 rows and ten integer
-- columns of 1,000 to 1,009 values: 90 shapes "c_i = k AND c_j > k" (every ordered pair of two columns) and 10 shapes
-- "c_i = k ORDER BY c_j DESC LIMIT 10". Also pgo_bench.explain_all_shapes(): EXPLAIN of each shape once, the baseline.
\set ON_ERROR_STOP 1
CREATE SCHEMA pgo_shapes;
CREATE TABLE pgo_shapes.w AS
SELECT g AS id, (g * 7) % 1000 AS c1, (g * 11) % 1001 AS c2, (g * 13) % 1002 AS c3, (g * 17) % 1003 AS c4,
       (g * 19) % 1004 AS c5, (g * 23) % 1005 AS c6, (g * 29) % 1006 AS c7, (g * 31) % 1007 AS c8,
       (g * 37) % 1008 AS c9, (g * 41) % 1009 AS c10
  FROM generate_series(1, 100000) g;
VACUUM ANALYZE pgo_shapes.w;
CREATE TABLE pgo_bench.shapes AS
SELECT format('SELECT id FROM pgo_shapes.w WHERE c%s = 5 AND c%s > 900', i, j) AS query
  FROM generate_series(1, 10) i, generate_series(1, 10) j WHERE i <> j
UNION ALL
SELECT format('SELECT id FROM pgo_shapes.w WHERE c%s = 5 ORDER BY c%s DESC LIMIT 10', i, i % 10 + 1)
  FROM generate_series(1, 10) i;
SELECT s.query FROM pgo_bench.shapes s, generate_series(1, 10) \gexec
CREATE FUNCTION pgo_bench.explain_all_shapes() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  s record;
  n bigint := 0;
  line text;
BEGIN
  FOR s IN SELECT query FROM pgo_bench.shapes LOOP
    FOR line IN EXECUTE 'EXPLAIN ' || s.query LOOP
      n := n + 1;
    END LOOP;
  END LOOP;
  RETURN n;
END $$;
