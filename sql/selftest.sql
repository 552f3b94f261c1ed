-- The C++/PostgreSQL boundary: exceptions thrown in C++ become clean ERRORs with the right SQLSTATE, errors raised
-- by PostgreSQL under guard() come back out with their own SQLSTATE and text, and the session goes on working.
CREATE EXTENSION pg_optimize;
CREATE SCHEMA selftest;
CREATE FUNCTION selftest.throw(kind text) RETURNS text
    LANGUAGE C AS 'pg_optimize', 'pgo_selftest_throw';
CREATE FUNCTION selftest.pg_error(input text) RETURNS int
    LANGUAGE C STRICT AS 'pg_optimize', 'pgo_selftest_pg_error';
CREATE FUNCTION selftest.destructor_count() RETURNS int
    LANGUAGE C STRICT AS 'pg_optimize', 'pgo_selftest_destructor_count';
\set SHOW_CONTEXT never

SELECT selftest.destructor_count() AS destroyed_before;

-- pgo::Error keeps its SQLSTATE, detail and hint
SELECT selftest.throw('error');
\echo :LAST_ERROR_SQLSTATE
-- any other std::exception is an internal error with a hint to report it
SELECT selftest.throw('runtime');
\echo :LAST_ERROR_SQLSTATE
SELECT selftest.throw('bad_alloc');
\echo :LAST_ERROR_SQLSTATE
-- even a thrown non-exception type is caught
SELECT selftest.throw('other');
\echo :LAST_ERROR_SQLSTATE
SELECT selftest.throw(NULL);
\echo :LAST_ERROR_SQLSTATE
-- the session still works, and the C++ objects alive at each throw were destroyed (4 throws + 1 success)
SELECT selftest.throw('nothing');
SELECT selftest.destructor_count() AS destroyed_after_throws;

-- An ERROR raised inside PostgreSQL under guard(): original SQLSTATE and text, C++ destructors run
SELECT selftest.pg_error('not a number');
\echo :LAST_ERROR_SQLSTATE
SELECT selftest.pg_error('99999999999');
\echo :LAST_ERROR_SQLSTATE
SELECT selftest.pg_error('42');
SELECT selftest.destructor_count() AS destroyed_after_pg_errors;

-- inside a transaction: the failed statement rolls back to the savepoint, the transaction carries on
BEGIN;
SAVEPOINT before_error;
SELECT selftest.pg_error('x');
ROLLBACK TO SAVEPOINT before_error;
SELECT selftest.pg_error('7') AS still_working;
COMMIT;

-- a thousand caught errors in one session: nothing leaks, nothing is left half-done
DO $$
DECLARE
  before int := selftest.destructor_count();
BEGIN
  FOR i IN 1..1000 LOOP
    BEGIN
      PERFORM selftest.pg_error('bad ' || i);
    EXCEPTION WHEN invalid_text_representation THEN
      NULL;
    END;
    BEGIN
      PERFORM selftest.throw('error');
    EXCEPTION WHEN invalid_parameter_value THEN
      NULL;
    END;
  END LOOP;
  RAISE NOTICE 'destroyed in loop: %', selftest.destructor_count() - before;
END $$;

DROP SCHEMA selftest CASCADE;
DROP EXTENSION pg_optimize;
