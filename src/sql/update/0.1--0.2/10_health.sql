-- Health views, 0.1 to 0.2.
-- index_usage gains a last column, kept_because: the view and its function are dropped and created again as the
-- install script creates them, grants included (nothing in the extension depends on them).
DROP VIEW optimize.index_usage;
DROP FUNCTION optimize._index_usage();

CREATE FUNCTION optimize._index_usage(
    OUT index regclass,
    OUT "table" regclass,
    OUT bytes bigint,
    OUT scans bigint,
    OUT tuples_read bigint,
    OUT is_unique boolean,
    OUT is_primary boolean,
    OUT is_valid boolean,
    OUT unused boolean,
    OUT duplicate_of regclass,
    OUT redundant_with regclass,
    OUT estimated_bloat_bytes bigint,
    OUT recommendation text,
    OUT kept_because text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_index_usage';
REVOKE ALL ON FUNCTION optimize._index_usage FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize._index_usage TO pg_monitor;

CREATE VIEW optimize.index_usage AS SELECT * FROM optimize._index_usage();
GRANT SELECT ON optimize.index_usage TO pg_monitor;
COMMENT ON VIEW optimize.index_usage IS
'Every index: size, scans (of a partitioned index: its partitions'' indexes summed), and whether it is unused '
'(never scanned, enforcing nothing, not the only index of a foreign key), a duplicate, redundant with a longer '
'index, invalid or bloated, with what to do, or why it is kept. Judged together: the drops advised leave every '
'foreign key and every lookup an index and every constraint its index. Biggest first.';

COMMENT ON FUNCTION optimize.missing_fk_indexes() IS
'Foreign keys whose referencing columns have no valid btree (or single-column hash) index leading with exactly '
'those columns (a partial one counts when the key''s lookup implies its predicate), biggest tables first, each '
'with the statements that create the missing index, or finish one an interrupted run left on a partitioned table.';
