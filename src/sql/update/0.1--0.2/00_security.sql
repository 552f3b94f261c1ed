-- pg_optimize 0.1 to 0.2. Built from src/sql/update/0.1--0.2/*.sql in file-name order. Every statement leaves the
-- objects as a fresh 0.2 install (src/sql/install/*.sql) makes them; test/t/006_upgrade.pl compares the two.
\echo Use "ALTER EXTENSION pg_optimize UPDATE TO '0.2'" to load this file. \quit

-- The plpgsql functions run with the caller's rights: pin their search_path so that no operator or function a
-- database owner planted in a schema on the caller's path is resolved in them.
ALTER FUNCTION optimize.run_job(text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION optimize.run_maintenance(boolean) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION optimize.trend(text, interval) SET search_path = pg_catalog, pg_temp;

-- The 0.1 policies kept whatever "=" for regrole the installing session resolved (an exact-match operator planted
-- in public beat pg_catalog's): bind them again, to pg_catalog's.
ALTER POLICY own_or_monitor ON optimize.jobs
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user))
         OR pg_catalog.pg_has_role('pg_monitor', 'MEMBER'));
ALTER POLICY own_insert ON optimize.jobs
  WITH CHECK (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)) AND NOT is_default);
ALTER POLICY own_update ON optimize.jobs
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)))
  WITH CHECK (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)));
ALTER POLICY own_delete ON optimize.jobs
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user)));
ALTER POLICY own_or_monitor ON optimize.job_runs
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user))
         OR pg_catalog.pg_has_role('pg_monitor', 'MEMBER'));
