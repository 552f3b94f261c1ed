-- The estimates behind a hypothetical btree (src/advisor/hypothetical.cpp) against the same index once built: a
-- statement's planner cost with the hypothetical index and with the real one. A lookup's cost depends on the tree
-- height (btcostestimate charges the descent), a full index-only scan's on the pages; both use the index on each
-- side (checked). The table has 30000 rows, which ANALYZE reads whole (exact statistics), and keys of every kind the
-- estimate distinguishes: unique, deduplicated (60 rows a key), two independent columns, text, a 64-byte text whose
-- index is two levels high. Costs differ between PostgreSQL versions, so only their comparison is shown.
-- Also pg_optimize.hypothetical_index_inputs, the developer setting of bench/run-index-advisor's HypoPG comparison.
CREATE EXTENSION pg_optimize;
CREATE SCHEMA est;
SET search_path = est, public;
CREATE TABLE t (id int NOT NULL, a int NOT NULL, b int NOT NULL, label text NOT NULL, wide text NOT NULL);
INSERT INTO t
SELECT g, g % 500, (g / 500) % 4, 'row ' || g, md5(g::text) || md5((g + 1)::text)
FROM generate_series(1, 30000) g;
VACUUM ANALYZE t;

CREATE TABLE cases (name text, definition text, lookup text, full_scan text);
INSERT INTO cases VALUES
  ('unique int', 'CREATE UNIQUE INDEX ON est.t (id)', 'SELECT id FROM est.t WHERE id = 5',
   'SELECT id FROM est.t ORDER BY id'),
  ('int, 60 rows a key', 'CREATE INDEX ON est.t (a)', 'SELECT a FROM est.t WHERE a = 42',
   'SELECT a FROM est.t ORDER BY a'),
  ('two columns', 'CREATE INDEX ON est.t (a, b)', 'SELECT a, b FROM est.t WHERE a = 42 AND b = 3',
   'SELECT a, b FROM est.t ORDER BY a, b'),
  ('text', 'CREATE INDEX ON est.t (label)', 'SELECT label FROM est.t WHERE label = ''row 77''',
   'SELECT label FROM est.t ORDER BY label'),
  ('64-byte text', 'CREATE INDEX ON est.t (wide)', 'SELECT wide FROM est.t WHERE wide = ''x''',
   'SELECT wide FROM est.t ORDER BY wide');

-- Each statement planned with the hypothetical index, then with the index built as est.t_built.
CREATE TABLE costs (name text, statement text, hypothetical float8, built float8, both_use_it boolean);
DO $$
DECLARE
  c record;
  s text;
  h record;
  b record;
BEGIN
  FOR c IN SELECT * FROM est.cases LOOP
    FOREACH s IN ARRAY ARRAY[c.lookup, c.full_scan] LOOP
      SELECT cost_after, plan_after INTO h FROM optimize.explain_hypothetical(s, ARRAY[c.definition]);
      EXECUTE replace(c.definition, 'INDEX ON', 'INDEX t_built ON');
      SELECT cost_before, plan_before INTO b FROM optimize.explain_hypothetical(s, ARRAY[]::text[]);
      DROP INDEX est.t_built;
      INSERT INTO est.costs VALUES (c.name, CASE WHEN s = c.lookup THEN 'lookup' ELSE 'full scan' END,
                                    h.cost_after, b.cost_before,
                                    h.plan_after LIKE '%<hypothetical index 1>%' AND b.plan_before LIKE '%t_built%');
    END LOOP;
  END LOOP;
END $$;
-- Lookups: equal to the cent (the same tree height). Full scans: within 2% (pages of a deduplicated index are
-- estimated from the statistics' distinct count, within a page or two of the build); exact elsewhere.
SELECT name, statement, both_use_it,
       CASE WHEN round(hypothetical::numeric, 2) = round(built::numeric, 2) THEN 'equal'
            WHEN abs(hypothetical - built) <= 0.02 * built THEN 'within 2%'
            ELSE 'DIFFERENT' END AS hypothetical_vs_built
  FROM costs ORDER BY name, statement;

-- pg_optimize.hypothetical_index_inputs: empty by default, hidden from pg_settings, validated, superuser only.
SHOW pg_optimize.hypothetical_index_inputs;
SELECT count(*) AS listed FROM pg_settings WHERE name = 'pg_optimize.hypothetical_index_inputs';
\set VERBOSITY default
SET pg_optimize.hypothetical_index_inputs = '12/1/2/3';
SET pg_optimize.hypothetical_index_inputs = ',12/40';
\set VERBOSITY terse
-- Given inputs replace the estimates of the index at that position: a much larger index and a taller tree cost
-- more; an empty entry keeps the estimates.
CREATE TABLE given (inputs text, cost float8);
INSERT INTO given SELECT '', cost_after FROM optimize.explain_hypothetical(
  'SELECT wide FROM est.t ORDER BY wide', ARRAY['CREATE INDEX ON est.t (wide)']);
SET pg_optimize.hypothetical_index_inputs = '20000/3';
INSERT INTO given SELECT current_setting('pg_optimize.hypothetical_index_inputs'), cost_after
  FROM optimize.explain_hypothetical('SELECT wide FROM est.t ORDER BY wide', ARRAY['CREATE INDEX ON est.t (wide)']);
SET pg_optimize.hypothetical_index_inputs = ',20000/3';
INSERT INTO given SELECT current_setting('pg_optimize.hypothetical_index_inputs'), cost_after
  FROM optimize.explain_hypothetical('SELECT wide FROM est.t ORDER BY wide', ARRAY['CREATE INDEX ON est.t (wide)']);
SELECT inputs, CASE WHEN round(cost::numeric, 2) = (SELECT round(cost::numeric, 2) FROM given WHERE inputs = '')
                    THEN 'own estimates' ELSE 'more' END AS cost
  FROM given ORDER BY inputs;
RESET pg_optimize.hypothetical_index_inputs;
CREATE ROLE est_user;
SET ROLE est_user;
SET pg_optimize.hypothetical_index_inputs = '1/0';
RESET ROLE;
DROP ROLE est_user;
DROP SCHEMA est CASCADE;
DROP EXTENSION pg_optimize;
