-- pg_optimize 0.1: in-database health checks and maintenance for PostgreSQL.
\echo Use "CREATE EXTENSION pg_optimize" to load this file. \quit

-- The schema belongs to the extension: DROP EXTENSION removes it with everything in it. A schema of that name that
-- is not ours is never taken over.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'optimize') THEN
    RAISE EXCEPTION 'schema "optimize" already exists'
      USING ERRCODE = 'duplicate_schema',
            DETAIL = 'pg_optimize keeps its functions and views in a schema of its own named "optimize".',
            HINT = 'Rename or drop the existing schema, then run CREATE EXTENSION pg_optimize again.';
  END IF;
END
$$;
CREATE SCHEMA optimize;
COMMENT ON SCHEMA optimize IS 'pg_optimize: database health data and maintenance';

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
'Foreign keys whose referencing columns have no valid, non-partial btree (or single-column hash) index leading '
'with exactly those columns, biggest tables first, each with the statement that creates the missing index.';

-- Everything in the schema is read-only health data unless a function says otherwise: any role may look.
GRANT USAGE ON SCHEMA optimize TO PUBLIC;
