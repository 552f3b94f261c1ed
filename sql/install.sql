-- Installing and removing the extension.
-- (PostgreSQL 18 adds the script line as CONTEXT to errors from extension scripts; that line is left out here.)
\set SHOW_CONTEXT never
-- A schema named optimize that the extension does not own is never taken over.
CREATE SCHEMA optimize;
CREATE EXTENSION pg_optimize;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA optimize;
CREATE EXTENSION pg_optimize;
SELECT e.extversion, n.nspname AS schema_of_functions
FROM pg_extension e, pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE e.extname = 'pg_optimize' AND p.proname = 'missing_fk_indexes';
-- a role without any privilege may read the health data
CREATE ROLE pgo_reader;
SET ROLE pgo_reader;
SELECT count(*) >= 0 AS readable FROM optimize.missing_fk_indexes();
RESET ROLE;
DROP ROLE pgo_reader;
-- DROP EXTENSION leaves nothing behind
DROP EXTENSION pg_optimize;
SELECT count(*) AS leftover_schemas FROM pg_namespace WHERE nspname = 'optimize';
