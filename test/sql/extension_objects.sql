-- Describes every object of the pg_optimize extension as text, one line each, in a stable order: what an update
-- must leave exactly as a fresh install makes it (test/t/006_upgrade.pl compares the two). Run with psql -XAt.
SET search_path = pg_catalog, pg_temp;
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'pg_optimize'),
members AS (
  SELECT d.classid, d.objid, d.objsubid FROM pg_depend d, ext
   WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
lines AS (
  SELECT 'member ' || pg_describe_object(classid, objid, objsubid) AS line FROM members
  UNION ALL
  SELECT 'extension ' || e.extversion || ' relocatable=' || e.extrelocatable || ' config=' ||
         coalesce((SELECT string_agg(c::regclass::text || ':' || coalesce(e.extcondition[i], ''), ',' ORDER BY c::regclass::text)
                     FROM unnest(e.extconfig) WITH ORDINALITY AS u(c, i)), '')
    FROM pg_extension e WHERE e.extname = 'pg_optimize'
  UNION ALL
  SELECT 'schema acl=' || coalesce(n.nspacl::text, '') || ' comment=' || coalesce(obj_description(n.oid, 'pg_namespace'), '')
    FROM pg_namespace n WHERE n.nspname = 'optimize'
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text || ' acl=' || coalesce(p.proacl::text, '') ||
         ' config=' || coalesce(p.proconfig::text, '') || ' comment=' || coalesce(obj_description(p.oid, 'pg_proc'), '') ||
         E'\n' || pg_get_functiondef(p.oid)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'optimize'
  UNION ALL
  SELECT 'relation ' || c.oid::regclass::text || ' kind=' || c.relkind::text || ' acl=' || coalesce(c.relacl::text, '') ||
         ' rls=' || c.relrowsecurity || ' options=' || coalesce(c.reloptions::text, '') ||
         ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '') ||
         coalesce(E'\nview ' || pg_get_viewdef(c.oid), '') ||
         coalesce(E'\nindex ' || (SELECT pg_get_indexdef(c.oid) WHERE c.relkind = 'i'), '') ||
         coalesce(E'\ncolumns ' || (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
                    CASE WHEN a.attnotnull THEN ' not null' ELSE '' END ||
                    coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '') ||
                    coalesce(' acl=' || a.attacl::text, '') ||
                    coalesce(' comment=' || col_description(c.oid, a.attnum), ''), ', ' ORDER BY a.attnum)
                  FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'optimize'
  UNION ALL
  SELECT 'constraint ' || co.conrelid::regclass::text || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
    FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = 'optimize'
  UNION ALL
  SELECT 'policy ' || p.schemaname || '.' || p.tablename || ' ' || p.policyname || ' ' || p.cmd || ' ' ||
         p.permissive || ' roles=' || p.roles::text || ' using=' || coalesce(p.qual, '') ||
         ' check=' || coalesce(p.with_check, '')
    FROM pg_policies p WHERE p.schemaname = 'optimize'
  UNION ALL
  SELECT 'trigger ' || t.tgrelid::regclass::text || ' ' || pg_get_triggerdef(t.oid)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'optimize' AND NOT t.tgisinternal
  UNION ALL
  SELECT 'type ' || t.oid::regtype::text || ' comment=' || coalesce(obj_description(t.oid, 'pg_type'), '')
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE n.nspname = 'optimize' AND t.typrelid = 0 AND t.typelem = 0
)
SELECT line FROM lines ORDER BY line;
