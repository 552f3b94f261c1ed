-- bench/fk_indexes/generate.sql
--
-- Builds the synthetic schema "bench_fk" used to benchmark
-- optimize.missing_fk_indexes() against the plain-SQL query in baseline.sql.
--
--   psql -X -d <db> -f bench/fk_indexes/generate.sql
--
-- Shape (deterministic: the PRNG is seeded with setseed()):
--   * 5,000 logical tables t0001 .. t5000, each with "id bigint" primary key
--     plus tenant_id / created_at / note columns.  Ten of them (t0250, t0750,
--     ...) are hash-partitioned (4 partitions, one of them sub-partitioned by
--     range into 2 more), so pg_class holds 5,060 bench_fk tables in total.
--   * Roughly 10,000 foreign-key constraints in pg_constraint, counting the
--     per-partition clones that PostgreSQL creates for partitioned tables.
--     Every FK points at a table created earlier (or at itself), ~35% of them
--     at a small set of "hub" tables, as in real schemas.
--   * Every coverage case of the missing-FK-index rule, in rough real-life
--     proportions (single-column FKs):
--        38%  exact btree index on the FK column (some DESC, some UNIQUE)
--         8%  FK column leads a composite btree index            -> covered
--         5%  FK column is the 2nd column of an index            -> missing
--         4%  partial index on the FK column                     -> missing
--         2%  hash index on the FK column                        -> covered
--         1%  BRIN index on the FK column (wrong access method)  -> missing
--         1%  GIN index on an expression of the column           -> missing
--       1.5%  btree expression index coalesce(col, 0)            -> missing
--       1.5%  column only present as an INCLUDE column           -> missing
--         1%  (col) INCLUDE (other)                              -> covered
--        37%  no index at all                                    -> missing
--     Two-column FKs (tenant_id, tNNNN_id) -> (tenant_id, id), ~10% of FKs:
--     same order, reversed order and a longer index led by both columns
--     (covered); index on tenant_id only, tenant_id INCLUDE col, a column in
--     between, index on the second column only, or nothing (missing).
--     Link tables (every 10th, "t...3") carry UNIQUE (a_id, b_id): a_id is
--     covered through the unique constraint, b_id only sometimes.
--     Partitioned tables: index on the root (covered), none, indexes on the
--     leaf partitions only, an invalid "ON ONLY" root index (missing), plus
--     FKs declared directly on a single partition.  A few self references.
--   * A few rows in every 10th table (5,000 rows in t1000 .. t5000, 400 in
--     the partitioned ones), so that the table sizes differ.  Everything is
--     vacuumed at the end so that sizes stay stable between runs.
--
-- Each table is created by its own statement string executed through \gexec,
-- i.e. in its own transaction: with the default max_locks_per_transaction = 64
-- a single transaction creating (or dropping) thousands of relations would
-- run out of shared lock-table memory.  For the same reason the old schema is
-- dropped table by table before the final DROP SCHEMA.

\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;
-- Throwaway benchmark data: do not wait for a WAL flush after every table.
SET synchronous_commit = off;

-- 1. Remove a previous run, one top-level table per transaction (partitions
--    go away with their parent; CASCADE removes FKs pointing at the table).
SELECT format('DROP TABLE IF EXISTS %I.%I CASCADE', n.nspname, c.relname)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'bench_fk'
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
 ORDER BY c.relname DESC
\gexec
DROP SCHEMA IF EXISTS bench_fk CASCADE;
CREATE SCHEMA bench_fk;

-- 2. Plan the whole schema in one DO block; it only writes DDL text into a
--    temporary table, nothing in bench_fk is created yet.
DROP TABLE IF EXISTS pg_temp.fkgen_stmt;
CREATE TEMP TABLE fkgen_stmt (ord int PRIMARY KEY, stmt text NOT NULL);

DO $gen$
DECLARE
    n_tables  constant int := 5000;
    nrows     int[] := array_fill(0, ARRAY[n_tables]);
    i int; f int; p int; nfk int; tgt int; tries int; pmode int;
    tn text; t text; c text; tgt_name text; keycols text;
    r float8;
    is_part bool; is_link bool; two_col bool;
    cols text[]; cons text[]; idx text[]; ins_cols text[]; ins_vals text[];
    fk_cols text[]; fk_keys text[]; targets int[]; stmts text[];
    leaves constant text[] := ARRAY['p0', 'p1', 'p2', 'p3a', 'p3b'];
BEGIN
    PERFORM setseed(0.4242);

    -- Row counts are fixed up front so that a referencing table can pick
    -- FK values that exist in its (earlier) target.
    FOR i IN 1 .. n_tables LOOP
        nrows[i] := CASE WHEN i % 1000 = 0  THEN 5000
                         WHEN i % 500 = 250 THEN 400
                         WHEN i % 10 = 0    THEN 2 + (i * 37) % 40
                         ELSE 0 END;
    END LOOP;

    FOR i IN 1 .. n_tables LOOP
        tn := 't' || lpad(i::text, 4, '0');
        t  := format('bench_fk.%I', tn);
        is_part := i % 500 = 250;              -- t0250, t0750, ... t4750
        is_link := i % 10 = 3 AND i > 20;      -- many-to-many link tables
        pmode   := (i / 500) % 5;              -- flavour of partitioned table

        cols := ARRAY['id bigint NOT NULL',
                      'tenant_id int NOT NULL DEFAULT 1',
                      'created_at timestamptz NOT NULL DEFAULT now()',
                      'note text'];
        cons := ARRAY['PRIMARY KEY (id)'];
        idx := '{}'; stmts := '{}'; fk_cols := '{}'; fk_keys := '{}';
        targets := '{}';
        ins_cols := ARRAY['id']; ins_vals := ARRAY['g'];

        IF i % 20 = 0 THEN                     -- target of two-column FKs
            cons := cons || 'UNIQUE (tenant_id, id)'::text;
        END IF;
        IF is_part THEN
            cols := cols || 'owner_id bigint'::text;
        END IF;

        -- How many FKs this table declares (mean about 2).
        r := random();
        nfk := CASE WHEN r < 0.15 THEN 0 WHEN r < 0.40 THEN 1
                    WHEN r < 0.70 THEN 2 WHEN r < 0.85 THEN 3
                    WHEN r < 0.95 THEN 4 ELSE 5 END;
        IF is_link THEN nfk := 2 + (random() < 0.3)::int; END IF;
        IF is_part THEN nfk := least(greatest(nfk, 2), 3); END IF;
        nfk := least(nfk, i - 1);

        FOR f IN 1 .. nfk LOOP
            two_col := i > 20 AND NOT (is_link AND f <= 2) AND random() < 0.10;

            -- Pick a target not used yet by this table.
            tries := 0;
            LOOP
                IF two_col THEN
                    tgt := 20 * (1 + floor(random() * least(25, (i - 1) / 20)))::int;
                ELSIF i > 10 AND random() < 0.35 THEN
                    tgt := 10 * (1 + floor(random() * least(50, (i - 1) / 10)))::int;
                    IF tgt % 500 = 250 THEN tgt := tgt - 10; END IF;  -- no partitioned hub
                ELSE
                    tgt := 1 + floor(random() * (i - 1))::int;
                END IF;
                EXIT WHEN NOT tgt = ANY (targets);
                tries := tries + 1;
                IF tries > 20 THEN tgt := NULL; EXIT; END IF;
            END LOOP;
            CONTINUE WHEN tgt IS NULL;
            targets := targets || tgt;

            tgt_name := 't' || lpad(tgt::text, 4, '0');
            c := tgt_name || '_id';
            cols := cols || format('%I bigint', c);
            ins_cols := ins_cols || c;
            ins_vals := ins_vals || CASE WHEN nrows[tgt] > 0
                                         THEN format('(g - 1) %% %s + 1', nrows[tgt])
                                         ELSE 'NULL' END;
            IF two_col THEN
                keycols := format('tenant_id, %I', c);
                cons := cons || format('FOREIGN KEY (tenant_id, %I) REFERENCES bench_fk.%I (tenant_id, id)',
                                       c, tgt_name);
            ELSE
                keycols := format('%I', c);
                cons := cons || format('FOREIGN KEY (%I) REFERENCES bench_fk.%I (id)%s',
                                       c, tgt_name,
                                       CASE WHEN random() < 0.2 THEN ' ON DELETE CASCADE' ELSE '' END);
            END IF;
            fk_cols := fk_cols || c;
            fk_keys := fk_keys || keycols;

            CONTINUE WHEN is_part;                 -- indexed below
            CONTINUE WHEN is_link AND f <= 2;      -- indexed below

            r := random();
            IF two_col THEN
                idx := idx || CASE
                    WHEN r < 0.35 THEN format('CREATE INDEX ON %s (tenant_id, %I)', t, c)
                    WHEN r < 0.55 THEN format('CREATE INDEX ON %s (%I, tenant_id)', t, c)
                    WHEN r < 0.65 THEN format('CREATE INDEX ON %s (%I, tenant_id, created_at)', t, c)
                    WHEN r < 0.72 THEN format('CREATE INDEX ON %s (tenant_id)', t)
                    WHEN r < 0.77 THEN format('CREATE INDEX ON %s (tenant_id) INCLUDE (%I)', t, c)
                    WHEN r < 0.82 THEN format('CREATE INDEX ON %s (tenant_id, created_at, %I)', t, c)
                    WHEN r < 0.88 THEN format('CREATE INDEX ON %s (%I)', t, c)
                    ELSE NULL END;
            ELSE
                idx := idx || CASE
                    WHEN r < 0.38 THEN
                        CASE WHEN nrows[i] = 0 AND random() < 0.1
                             THEN format('CREATE UNIQUE INDEX ON %s (%I)', t, c)
                             WHEN random() < 0.1
                             THEN format('CREATE INDEX ON %s (%I DESC)', t, c)
                             ELSE format('CREATE INDEX ON %s (%I)', t, c) END
                    WHEN r < 0.46 THEN format('CREATE INDEX ON %s (%I, created_at)', t, c)
                    WHEN r < 0.51 THEN format('CREATE INDEX ON %s (%s, %I)', t,
                                              CASE WHEN random() < 0.5 THEN 'tenant_id'
                                                   ELSE 'created_at' END, c)
                    WHEN r < 0.55 THEN format('CREATE INDEX ON %s (%I) WHERE %s', t, c,
                                              CASE WHEN random() < 0.5 THEN format('%I IS NOT NULL', c)
                                                   ELSE 'note IS NULL' END)
                    WHEN r < 0.57 THEN format('CREATE INDEX ON %s USING hash (%I)', t, c)
                    WHEN r < 0.58 THEN format('CREATE INDEX ON %s USING brin (%I)', t, c)
                    WHEN r < 0.59 THEN format('CREATE INDEX ON %s USING gin ((ARRAY[%I]))', t, c)
                    WHEN r < 0.605 THEN format('CREATE INDEX ON %s ((coalesce(%I, 0)))', t, c)
                    WHEN r < 0.62 THEN format('CREATE INDEX ON %s (created_at) INCLUDE (%I)', t, c)
                    WHEN r < 0.63 THEN format('CREATE INDEX ON %s (%I) INCLUDE (note)', t, c)
                    ELSE NULL END;                 -- no index at all
            END IF;
        END LOOP;

        -- Link table: the unique pair covers the first FK; the second one
        -- has its own index only half of the time.
        IF is_link AND cardinality(fk_cols) >= 2 THEN
            cons := cons || format('UNIQUE (%I, %I)', fk_cols[1], fk_cols[2]);
            IF random() < 0.5 THEN
                idx := idx || format('CREATE INDEX ON %s (%I)', t, fk_cols[2]);
            END IF;
        END IF;

        -- A few self references (t0077, t0277, ...), half of them indexed.
        IF i % 200 = 77 THEN
            cols := cols || 'parent_id bigint'::text;
            cons := cons || format('FOREIGN KEY (parent_id) REFERENCES %s (id)', t);
            ins_cols := ins_cols || 'parent_id'::text;
            ins_vals := ins_vals || 'nullif(g / 2, 0)'::text;
            IF (i / 200) % 2 = 0 THEN
                idx := idx || format('CREATE INDEX ON %s (parent_id)', t);
            END IF;
        END IF;

        -- An unrelated index on a quarter of the plain tables.
        IF NOT is_part AND random() < 0.25 THEN
            idx := idx || format('CREATE INDEX ON %s (created_at)', t);
        END IF;

        stmts := stmts || format('CREATE TABLE %s (%s)%s', t,
                                 array_to_string(cols || cons, ', '),
                                 CASE WHEN is_part THEN ' PARTITION BY HASH (id)' ELSE '' END);

        IF is_part THEN
            FOR p IN 0 .. 2 LOOP
                stmts := stmts || format('CREATE TABLE bench_fk.%I PARTITION OF %s FOR VALUES WITH (MODULUS 4, REMAINDER %s)',
                                         tn || '_p' || p, t, p);
            END LOOP;
            stmts := stmts
                || format('CREATE TABLE bench_fk.%I PARTITION OF %s FOR VALUES WITH (MODULUS 4, REMAINDER 3) PARTITION BY RANGE (id)',
                          tn || '_p3', t)
                || format('CREATE TABLE bench_fk.%I PARTITION OF bench_fk.%I FOR VALUES FROM (MINVALUE) TO (200)',
                          tn || '_p3a', tn || '_p3')
                || format('CREATE TABLE bench_fk.%I PARTITION OF bench_fk.%I FOR VALUES FROM (200) TO (MAXVALUE)',
                          tn || '_p3b', tn || '_p3');

            FOR f IN 1 .. cardinality(fk_keys) LOOP
                IF pmode = 0 OR (pmode = 4 AND f = 1) THEN
                    -- partitioned index on the root: covers the FK
                    idx := idx || format('CREATE INDEX ON %s (%s)', t, fk_keys[f]);
                ELSIF pmode = 2 OR pmode = 3 THEN
                    -- indexes on every leaf, but nothing valid on the root
                    FOR p IN 1 .. cardinality(leaves) LOOP
                        idx := idx || format('CREATE INDEX ON bench_fk.%I (%s)',
                                             tn || '_' || leaves[p], fk_keys[f]);
                    END LOOP;
                    IF pmode = 3 THEN
                        -- root-only index, never attached: stays invalid
                        idx := idx || format('CREATE INDEX ON ONLY %s (%s)', t, fk_keys[f]);
                    END IF;
                END IF;                            -- pmode 1: nothing
            END LOOP;

            IF pmode = 4 THEN
                -- FKs declared on single partitions (conparentid = 0 there):
                -- the one on p0 has no index, the one on p1 has.
                idx := idx
                    || format('ALTER TABLE bench_fk.%I ADD FOREIGN KEY (owner_id) REFERENCES bench_fk.t0010 (id)', tn || '_p0')
                    || format('ALTER TABLE bench_fk.%I ADD FOREIGN KEY (owner_id) REFERENCES bench_fk.t0020 (id)', tn || '_p1')
                    || format('CREATE INDEX ON bench_fk.%I (owner_id)', tn || '_p1');
            END IF;
        END IF;

        stmts := stmts || idx;

        IF nrows[i] > 0 THEN
            stmts := stmts || format('INSERT INTO %s (%s) SELECT %s FROM generate_series(1, %s) AS g',
                                     t,
                                     (SELECT string_agg(quote_ident(x), ', ') FROM unnest(ins_cols) AS x),
                                     array_to_string(ins_vals, ', '),
                                     nrows[i]);
        END IF;

        -- array_to_string() skips the NULLs left by "no index" choices
        INSERT INTO fkgen_stmt VALUES (i, array_to_string(stmts, E';\n'));
    END LOOP;
END
$gen$;

-- 3. Execute: one statement string (= one transaction) per table, in order,
--    so every FK target already exists.
SELECT stmt FROM fkgen_stmt ORDER BY ord
\gexec

DROP TABLE fkgen_stmt;

-- Vacuum + analyze now, so that autovacuum does not add visibility-map /
-- free-space-map forks later and change table sizes between two benchmark
-- runs.  One VACUUM statement; it still uses one transaction per table.
SELECT 'VACUUM (ANALYZE) ' || string_agg(format('%I.%I', n.nspname, c.relname), ', ' ORDER BY c.relname)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'bench_fk'
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
\gexec

-- 4. Summary.
\set QUIET off
SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition) AS logical_tables,
       count(*) FILTER (WHERE c.relkind IN ('r', 'p'))                          AS all_tables,
       count(*) FILTER (WHERE c.relkind = 'p')                                  AS partitioned,
       count(*) FILTER (WHERE c.relkind IN ('i', 'I'))                          AS indexes
  FROM pg_class c
 WHERE c.relnamespace = 'bench_fk'::regnamespace;

SELECT count(*)                              AS fk_constraints,
       count(*) FILTER (WHERE conparentid = 0)  AS root_fks,
       count(*) FILTER (WHERE conparentid <> 0) AS cloned_fks
  FROM pg_constraint
 WHERE contype = 'f'
   AND connamespace = 'bench_fk'::regnamespace;
