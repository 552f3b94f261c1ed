-- pg_optimize: in-database health checks and maintenance for PostgreSQL.
\echo Use "CREATE EXTENSION pg_optimize" to load this file. \quit

-- Built from src/sql/install/*.sql (the unversioned source, in file-name order). Every name is schema-qualified,
-- operators included, so nothing a database owner plants in a schema on the installing role's search_path is bound
-- here; privileges are granted next to each object.

-- The schema belongs to the extension: DROP EXTENSION removes it with everything in it. A schema of that name that
-- is not ours is never taken over.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) 'optimize') THEN
    RAISE EXCEPTION 'schema "optimize" already exists'
      USING ERRCODE = 'duplicate_schema',
            DETAIL = 'pg_optimize keeps its functions and views in a schema of its own named "optimize".',
            HINT = 'Rename or drop the existing schema, then run CREATE EXTENSION pg_optimize again.';
  END IF;
END
$$;
CREATE SCHEMA optimize;
COMMENT ON SCHEMA optimize IS 'pg_optimize: database health data and maintenance';

-- Everything in the schema is read-only health data unless a function says otherwise: any role may look.
GRANT USAGE ON SCHEMA optimize TO PUBLIC;
