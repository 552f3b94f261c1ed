-- bench/scale/grow.sql: the catalog of the scale benchmark, grown in place.
--
--   psql -d <db> -f bench/scale/grow.sql           (defines the procedure)
--   CALL pgo_scale.grow(10000);                     (then 40000, then 100000)
--
-- Table i (1-based) lives in schema pgo_scale_(i % 20) and is named t<i>. Each table has
--   id bigint PRIMARY KEY, parent_id bigint REFERENCES the previous table, created_at timestamptz, payload text
-- (so a TOAST table and its index too); every other table (even i) has an index on created_at; the foreign keys of
-- odd tables are indexed, those of even tables are not (half the foreign keys unindexed); every tenth table has a
-- second index on created_at, a duplicate; every fiftieth table holds 1,000 rows. At 100,000 tables that is
-- 400,000 relations for the tables, their keys and TOAST, plus 110,000 indexes: 510,000 pg_class rows.
-- grow() commits every 200 tables, so the server needs max_locks_per_transaction >= 256 or so; it only adds tables,
-- never drops any, so the 10k catalog is the first tenth of the 100k one.
CREATE SCHEMA IF NOT EXISTS pgo_scale;

CREATE OR REPLACE PROCEDURE pgo_scale.grow(target integer)
LANGUAGE plpgsql AS $$ -- no SET clause: a procedure with one cannot COMMIT; every name is qualified
DECLARE
  have integer;
  i integer;
  s text;
  prev text;
BEGIN
  FOR k IN 0..19 LOOP
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', 'pgo_scale_' || k);
  END LOOP;
  SELECT count(*) INTO have FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname LIKE 'pgo\_scale\_%' AND c.relkind = 'r';
  FOR i IN have + 1 .. target LOOP
    s := format('%I.%I', 'pgo_scale_' || (i % 20), 't' || i);
    prev := CASE WHEN i > 1 THEN format('%I.%I', 'pgo_scale_' || ((i - 1) % 20), 't' || (i - 1)) END;
    EXECUTE format('CREATE TABLE %s (id bigint PRIMARY KEY, parent_id bigint %s, created_at timestamptz NOT NULL '
                   'DEFAULT pg_catalog.now(), payload text)', s,
                   CASE WHEN prev IS NOT NULL THEN 'REFERENCES ' || prev ELSE '' END);
    IF i % 2 = 0 THEN
      EXECUTE format('CREATE INDEX %I ON %s (created_at)', 't' || i || '_created_at', s);
    ELSIF prev IS NOT NULL THEN
      EXECUTE format('CREATE INDEX %I ON %s (parent_id)', 't' || i || '_parent_id', s);
    END IF;
    IF i % 10 = 0 THEN
      EXECUTE format('CREATE INDEX %I ON %s (created_at)', 't' || i || '_created_at_dup', s);
    END IF;
    IF i % 50 = 0 THEN
      EXECUTE format('INSERT INTO %s (id, created_at, payload) SELECT g, pg_catalog.now() - g * interval ''1 minute'', '
                     'pg_catalog.repeat(''x'', 100) FROM pg_catalog.generate_series(1, 1000) g', s);
    END IF;
    IF i % 200 = 0 THEN
      COMMIT;
    END IF;
  END LOOP;
  COMMIT;
END $$;
