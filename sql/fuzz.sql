-- Every SQL-callable function of the extension, called with hostile arguments: NULLs, huge and negative numbers,
-- dropped and unsuitable relations, enormous and malformed text, odd jsonb and intervals. The calls are generated from
-- pg_proc (a function added later is fuzzed without a change here): for each function, one call with every argument
-- NULL, then one call per argument and hostile value with the other arguments at a plain value. Each call runs in a
-- subtransaction that is always rolled back (nothing it writes stays), as a superuser and as a role without rights.
-- What must hold: the backend never crashes (the run would end here), and every error carries a SQLSTATE of its own,
-- never XX000 (internal_error) or another XX code.
CREATE EXTENSION pg_optimize;
CREATE SCHEMA fuzz;
SET search_path = fuzz, public;
\set SHOW_CONTEXT never
SET statement_timeout = '600s';

-- objects for the regclass arguments: a table with a foreign key, its index, a view, a sequence, a partitioned table,
-- a temporary table, and a table dropped at once (its OID now names nothing)
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE VIEW a_view AS SELECT 1 AS one;
CREATE SEQUENCE a_seq;
CREATE TABLE parted (id int) PARTITION BY RANGE (id);
CREATE TEMP TABLE a_temp (id int);
CREATE TABLE gone ();
SELECT 'gone'::regclass::oid AS gone_oid \gset
DROP TABLE gone;

-- hostile values by argument type; `plain` marks the one value used while another argument is fuzzed
CREATE TABLE arg_values (type regtype, expr text, plain boolean DEFAULT false);
INSERT INTO arg_values (type, expr, plain) VALUES
  ('text', '''x''', true), ('text', '''''', false), ('text', 'repeat(''x'', 1000000)', false),
  ('text', 'repeat(''ü'', 300000)', false), ('text', 'E''\\x01\\x7f''', false),
  ('text', '''vacuum''', false), ('text', '''json''', false), ('text', '''html''', false),
  ('text', '''x''''; DROP TABLE fuzz.parent; --''', false), ('text', '''%s%n%x''', false),
  ('text', '''* * * * *''', false), ('text', '''*/0 * * * *''', false), ('text', '''60 24 32 13 8''', false),
  ('text', '''1 second''', false), ('text', '''-1 day''', false), ('text', '''99999999 years''', false),
  ('text', '''0''', false), ('text', '''@reboot''', false), ('text', '''1e308 seconds''', false),
  ('bigint', '1', true), ('bigint', '0', false), ('bigint', '-1', false),
  ('bigint', '-9223372036854775808', false), ('bigint', '9223372036854775807', false),
  ('integer', '1', true), ('integer', '0', false), ('integer', '-1', false),
  ('integer', '-2147483648', false), ('integer', '2147483647', false),
  ('boolean', 'true', true), ('boolean', 'false', false),
  ('regclass', '''fuzz.child''::regclass', true), ('regclass', '0::regclass', false),
  ('regclass', '4294967295::oid::regclass', false), ('regclass', :'gone_oid' || '::oid::regclass', false),
  ('regclass', '''fuzz.parent_pkey''::regclass', false), ('regclass', '''fuzz.a_view''::regclass', false),
  ('regclass', '''fuzz.a_seq''::regclass', false), ('regclass', '''fuzz.parted''::regclass', false),
  ('regclass', '''a_temp''::regclass', false), ('regclass', '''pg_catalog.pg_class''::regclass', false),
  ('regclass', '''pg_catalog.pg_class_oid_index''::regclass', false),
  ('regclass', '''optimize.jobs''::regclass', false),
  ('jsonb', '''{}''', true), ('jsonb', '''[]''', false), ('jsonb', '''null''', false),
  ('jsonb', '''"text"''', false), ('jsonb', '''{"freeze": "maybe"}''', false),
  ('jsonb', '''{"freeze": 1e1000}''', false), ('jsonb', '''{"unknown": true}''', false),
  ('jsonb', '''{"freeze": true, "analyze": [1, {"a": null}]}''', false),
  ('jsonb', 'repeat(''['', 5000)::text || repeat('']'', 5000)', false),
  ('jsonb', '(''{"k": "'' || repeat(''x'', 1000000) || ''"}'')', false),
  ('interval', '''1 hour''', true), ('interval', '''0''', false), ('interval', '''-1 day''', false),
  ('interval', '''1 microsecond''', false), ('interval', '''178000000 years''', false),
  ('interval', '''-178000000 years''', false), ('interval', '''1 day -1 microsecond''', false),
  ('name', 'current_database()', true), ('name', '''''', false), ('name', '''no_such_database''', false),
  ('name', 'repeat(''n'', 63)', false), ('name', '''template0''', false);

-- plain values of particular arguments, so that the calls get past the first check to the argument being fuzzed
CREATE TABLE plain_args (fn text, arg int, expr text);
INSERT INTO plain_args VALUES
  ('schedule', 1, '''fuzz_job'''), ('schedule', 2, '''vacuum'''), ('schedule', 3, '''1 day'''),
  ('alter_job', 1, '''vacuum_analyze_daily'''), ('alter_job', 2, '''1 day'''), ('alter_job', 9, '''fuzz_renamed'''),
  ('trend', 1, '''connections_total'''), ('report', 1, '''text'''), ('config_recommendations', 2, '''ssd''');

-- what would start work outside the transaction rather than fuzz an argument: maintenance for real
CREATE TABLE skipped_calls (fn text, arg int, expr text);
INSERT INTO skipped_calls VALUES ('_run_maintenance', NULL, NULL), ('run_maintenance', 1, 'false');

CREATE TABLE calls (who name, fn regprocedure, call text, sqlstate text, message text);
CREATE ROLE fuzz_nobody;
GRANT USAGE ON SCHEMA fuzz TO fuzz_nobody;
GRANT SELECT ON arg_values, plain_args, skipped_calls TO fuzz_nobody;
GRANT INSERT ON calls TO fuzz_nobody;
GRANT SELECT ON a_temp TO fuzz_nobody;

CREATE FUNCTION fuzz_all() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  f record;
  v record;
  plain text[];
  args text[];
  call text;
  state text;
  msg text;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure AS fn, p.proname, p.pronargs,
           ARRAY(SELECT t::regtype FROM unnest(p.proargtypes::oid[]) t) AS types
    FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'optimize'::regnamespace ORDER BY p.oid::regprocedure::text
  LOOP
    IF EXISTS (SELECT FROM fuzz.skipped_calls s WHERE s.fn = f.proname AND s.arg IS NULL) THEN
      CONTINUE;
    END IF;
    plain := ARRAY(SELECT coalesce((SELECT p.expr FROM fuzz.plain_args p WHERE p.fn = f.proname AND p.arg = i),
                                   (SELECT a.expr FROM fuzz.arg_values a WHERE a.type = t AND a.plain))
                   FROM unnest(f.types) WITH ORDINALITY AS u(t, i) ORDER BY i);
    -- one call with every argument NULL, then each argument in turn through its hostile values
    FOR v IN
      SELECT 0 AS arg, NULL::text AS expr
      UNION ALL
      SELECT i, a.expr FROM unnest(f.types) WITH ORDINALITY AS u(t, i) JOIN fuzz.arg_values a ON a.type = u.t
      UNION ALL
      SELECT i, 'NULL' FROM generate_series(1, f.pronargs) i
    LOOP
      IF EXISTS (SELECT FROM fuzz.skipped_calls s WHERE s.fn = f.proname AND s.arg = v.arg AND s.expr = v.expr) THEN
        CONTINUE;
      END IF;
      IF v.arg = 0 THEN
        args := ARRAY(SELECT format('NULL::%s', t) FROM unnest(f.types) t);
      ELSE
        args := plain;
        args[v.arg] := format('(%s)::%s', v.expr, f.types[v.arg]);
      END IF;
      call := format('SELECT pg_catalog.count(*) FROM optimize.%I(%s) AS r', f.proname,
                     array_to_string(args, ', '));
      state := 'ok';
      msg := NULL;
      BEGIN
        EXECUTE call;
        RAISE EXCEPTION 'fuzz: roll the call back' USING ERRCODE = 'ZX999';
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        IF state = 'ZX999' THEN
          state := 'ok';
          msg := NULL;
        END IF;
      END;
      INSERT INTO fuzz.calls VALUES (current_user, f.fn, left(call, 300), state, left(msg, 300));
    END LOOP;
  END LOOP;
END
$$;

-- Huge texts make the scanner say it truncates identifiers (a NOTICE per call): not what this test looks for.
SET client_min_messages = warning;
SELECT fuzz_all();
SET ROLE fuzz_nobody;
SELECT fuzz_all();
RESET ROLE;
RESET client_min_messages;

-- every function of the extension was called, as both roles, hundreds of times in all
SELECT CASE WHEN who = 'fuzz_nobody' THEN 'no rights' ELSE 'superuser' END AS caller,
       count(DISTINCT fn) = (SELECT count(*) FROM pg_proc WHERE pronamespace = 'optimize'::regnamespace)
                                 - (SELECT count(*) FROM skipped_calls WHERE arg IS NULL) AS every_function,
       count(*) > 300 AS many_calls, count(*) FILTER (WHERE sqlstate = 'ok') > 0 AS some_succeed,
       count(*) FILTER (WHERE sqlstate <> 'ok') > 0 AS some_fail
FROM calls GROUP BY 1 ORDER BY 1;
-- never an internal error: each failure has a SQLSTATE of its own (this list must stay empty)
SELECT who, fn, call, sqlstate, message FROM calls WHERE sqlstate LIKE 'XX%' ORDER BY who, fn, call;
-- nothing a call did was kept
SELECT count(*) AS jobs_left FROM optimize.jobs WHERE NOT is_default;
SELECT to_regclass('fuzz.parent') IS NOT NULL AS parent_still_there;

DROP EXTENSION pg_optimize;
DROP TABLE a_temp;
DROP SCHEMA fuzz CASCADE;
DROP ROLE fuzz_nobody;
