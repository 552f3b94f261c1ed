-- ---------------------------------------------------------------------------------------------------------------
-- Partitioning: maintenance of RANGE-partitioned tables (premake, retention) as the partition_maintenance job kind.
-- New in 0.2: the update from 0.1 runs this same file (src/sql/update/0.1--0.2/50_partitioning.sql links to it).
-- ---------------------------------------------------------------------------------------------------------------
ALTER TABLE optimize.jobs DROP CONSTRAINT jobs_kind_check,
  ADD CONSTRAINT jobs_kind_check CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['vacuum_analyze', 'vacuum', 'analyze',
    'refresh_materialized_views', 'snapshot', 'cleanup', 'partition_maintenance']::text[]));

-- Registrations, written only by optimize.manage_partitions() and optimize.unmanage_partitions() (no role has DML on
-- it); pg_dump keeps them.
CREATE TABLE optimize.partition_config (
    parent           regclass PRIMARY KEY,
    key_column       name NOT NULL,
    part_interval    interval,
    part_step        bigint CHECK (part_step OPERATOR(pg_catalog.>) 0),
    premake          integer NOT NULL DEFAULT 4 CHECK (premake OPERATOR(pg_catalog.>=) 0),
    retention        interval,
    retention_values bigint CHECK (retention_values OPERATOR(pg_catalog.>) 0),
    retention_mode   text NOT NULL DEFAULT 'drop'
                     CHECK (retention_mode OPERATOR(pg_catalog.=) ANY (ARRAY['drop', 'detach']::text[])),
    owner            regrole NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_run         timestamptz,
    last_result      text,
    CONSTRAINT partition_config_step_check CHECK ((part_interval IS NULL) OPERATOR(pg_catalog.<>) (part_step IS NULL))
);
COMMENT ON TABLE optimize.partition_config IS
  'tables whose partitions pg_optimize maintains: change them with optimize.manage_partitions() and '
  'optimize.unmanage_partitions()';
SELECT pg_catalog.pg_extension_config_dump('optimize.partition_config', '');
ALTER TABLE optimize.partition_config ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_or_monitor ON optimize.partition_config FOR SELECT
  USING (owner OPERATOR(pg_catalog.=) pg_catalog.to_regrole(pg_catalog.quote_ident(current_user))
         OR pg_catalog.pg_has_role('pg_monitor', 'MEMBER'));
GRANT SELECT ON optimize.partition_config TO PUBLIC;

CREATE FUNCTION optimize.manage_partitions(
    "table" regclass,
    "interval" interval,
    premake integer DEFAULT 4,
    retention interval DEFAULT NULL,
    retention_mode text DEFAULT 'drop',
    step bigint DEFAULT NULL,
    retention_values bigint DEFAULT NULL,
    OUT parent regclass, OUT partition text, OUT action text, OUT status text, OUT detail text)
RETURNS SETOF record
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_manage_partitions';
COMMENT ON FUNCTION optimize.manage_partitions(regclass, interval, integer, interval, text, bigint, bigint) IS
  'register a RANGE-partitioned table for partition maintenance (an hourly partition_maintenance job) and run a '
  'first pass; integer keys take step and retention_values instead of the intervals';

CREATE FUNCTION optimize.unmanage_partitions("table" regclass)
RETURNS boolean
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_unmanage_partitions';
COMMENT ON FUNCTION optimize.unmanage_partitions(regclass) IS
  'stop maintaining the partitions of a table (its partition_maintenance jobs go too; its partitions stay)';

CREATE FUNCTION optimize.run_partition_maintenance(
    "table" regclass DEFAULT NULL,
    OUT parent regclass, OUT partition text, OUT action text, OUT status text, OUT detail text)
RETURNS SETOF record
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pgo_run_partition_maintenance';
COMMENT ON FUNCTION optimize.run_partition_maintenance(regclass) IS
  'one partition maintenance pass (premake, retention) for a managed table, or for every managed table you own';

-- Migration plans and advice: turning a plain table into a RANGE-partitioned one (docs/partitioning.md).
CREATE FUNCTION optimize.partition_plan(
    "table" regclass,
    key name,
    "interval" interval DEFAULT NULL,
    step bigint DEFAULT NULL,
    OUT step_no integer, OUT phase text, OUT statement text, OUT lock_level text, OUT note text)
RETURNS SETOF record
LANGUAGE C STABLE
AS 'MODULE_PATHNAME', 'pgo_partition_plan';
COMMENT ON FUNCTION optimize.partition_plan(regclass, name, interval, bigint) IS
  'the statements, in order and each with the lock it takes, that turn a plain table into a RANGE-partitioned one '
  'keeping its name (integer keys take step instead of interval); phase blocked rows say why it cannot be done safely';

CREATE FUNCTION optimize._partition_advice(
    OUT "table" regclass,
    OUT total_bytes bigint,
    OUT key name,
    OUT key_type text,
    OUT correlation double precision,
    OUT "interval" text,
    OUT partitions bigint,
    OUT bytes_per_partition bigint,
    OUT keys_to_change text[],
    OUT plan text)
RETURNS SETOF record
LANGUAGE C STABLE
AS 'MODULE_PATHNAME', 'pgo_partition_advice';
REVOKE ALL ON FUNCTION optimize._partition_advice FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._partition_advice TO pg_monitor;

CREATE VIEW optimize.partition_advice AS SELECT * FROM optimize._partition_advice();
GRANT SELECT ON optimize.partition_advice TO pg_monitor;
COMMENT ON VIEW optimize.partition_advice IS
  'plain tables of at least pg_optimize.partition_advice_min_bytes with a time-like or steadily growing key: the '
  'key, a RANGE interval, partitions and bytes per partition, the unique keys that lack the key, and the plan to ask for';
