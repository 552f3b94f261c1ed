-- bench/health/generate.sql
--
-- Builds the schema "bench_health": a catalog of 10,000 ordinary tables (plus
-- a few partitioned tables and materialized views) on which the health views of
-- pg_optimize are benchmarked against the plain-SQL queries next to this file.
--
--   psql -X -d <db> -f bench/health/generate.sql
--
-- Everything is deterministic (table number arithmetic, no random()), so two
-- runs build the same catalog.  Run it with autovacuum off: the dead tuples,
-- insert counts and statistics it leaves behind are the point, and autovacuum
-- would clean them up while the benchmark runs.
--
-- Tables t00001 .. t10000.  Columns: id (bigint, bigserial for every 20th table,
-- an integer identity column for every 200th), account_id, parent_id and
-- prev_id (foreign keys), status, amount, created_at, note.
--
-- Row counts (most tables are small):
--     i % 200 =   0   5,000 rows, "hubs" that parent_id points to (50 tables)
--     i % 200 = 100   5,000 rows, deleted from or updated below (50 tables)
--     i % 100 =  50   2,000 rows (100)
--     i %  25 =   5     400 rows (400)
--     otherwise       3 * (i % 7) rows, 0 to 18 (about 1 in 7 empty)
--   plus t10001 .. t10010, created after the ANALYZE with 300 rows each: never
--   analyzed, so reltuples is -1 and no column statistics exist.
--
-- Foreign keys: parent_id on 60% of the tables past t00200 (about 5,900 keys),
-- a fifth of them to a hub, the rest to a nearby earlier table with rows;
-- prev_id references the previous table on every 5th (about 2,000, always
-- NULL).  The parent_id key is covered by an index of its own on a third of
-- those tables, by a composite (parent_id, created_at) on another third, by
-- both on every 97th table (then neither index is "the only one" the key
-- needs), and by nothing on the rest.
--
-- Secondary indexes besides those: created_at on every 4th table, account_id on
-- every 6th (redundant with an (account_id, created_at) index on every 12th),
-- and on a few tables each:
--     exact duplicates                       (account_id) twice          i % 50  = 7
--     a unique index duplicating the key     UNIQUE (id)                 i % 250 = 17
--     duplicate expression indexes           (lower(status)) twice       i % 300 = 11
--     duplicate partial indexes              (account_id) WHERE ... x2   i % 300 = 111
--     same key, different INCLUDE columns    INCLUDE (status)/(amount)   i % 400 = 13
--     same key, one with INCLUDE             (account_id) / INCLUDE      i % 400 = 213
--     same column, ASC and DESC              not duplicates              i % 350 = 9
--     same column, another collation         not duplicates              i % 450 = 5
--     hash index, BRIN index                                             i % 500 = 3, 4
--   and five indexes left invalid by a failed CREATE UNIQUE INDEX CONCURRENTLY.
--
-- Table options (reloptions) on some tables: per-table autovacuum thresholds and
-- scale factors, insert thresholds (one disabling insert-driven vacuum),
-- fillfactor 70, autovacuum_enabled = off.  Ten tables are UNLOGGED.
--
-- Sequences: about 500 from bigserial, 50 identity sequences (integer: 20 of
-- them set close to the integer limit), 20 free-standing ones with a small
-- MAXVALUE filled to various levels, two descending.
--
-- Statistics: everything is ANALYZEd (the 100 biggest tables VACUUMed too), then
--     UPDATE 30% of the rows of 25 big tables and of 8 hubs, a quarter of the
--       rows of some medium tables;
--     DELETE 60% of the rows of 25 big tables (9 of them VACUUMed and deleted
--       from again, which leaves free space map forks on their indexes) and a
--       third of the rows of some medium tables;
--     INSERT 1,200 more rows into some small tables (insert and analyze
--       thresholds crossed);
--   index scans (enable_seqscan off) on two thirds of the tables, 1 to 5 per
--   table and index, so that scan counts differ and some indexes stay
--   unscanned; sequential scans on every 7th table.  Last, the system catalogs
--   are ANALYZEd, as autovacuum would have done.
--
-- Each table is created by one statement string run through \gexec, that is in
-- its own transaction: a single transaction creating thousands of relations
-- would exhaust the shared lock table (max_locks_per_transaction = 64).

\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;
-- Throwaway data: no WAL flush wait after every one of the thousands of commits.
SET synchronous_commit = off;

-- 1. Remove a previous run, one table per transaction.
SELECT format('DROP TABLE IF EXISTS %I.%I CASCADE', n.nspname, c.relname)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'bench_health'
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
 ORDER BY c.relname DESC
\gexec
DROP SCHEMA IF EXISTS bench_health CASCADE;
CREATE SCHEMA bench_health;

-- 2. Write the DDL and data of every table, as text, into a work table.
CREATE TEMP TABLE health_plan (ord int PRIMARY KEY, stmt text NOT NULL);

DO $plan$
DECLARE
    n_tables constant int := 10000;
    nrows int[] := array_fill(0, ARRAY[n_tables]);
    i int; n int; target int;
    t text; cols text[]; opts text[]; idx text[]; post text[]; parent_expr text;
BEGIN
    FOR i IN 1 .. n_tables LOOP
        nrows[i] := CASE WHEN i % 100 = 0 THEN 5000
                         WHEN i % 100 = 50 THEN 2000
                         WHEN i % 25 = 5 THEN 400
                         ELSE 3 * (i % 7) END;
    END LOOP;

    FOR i IN 1 .. n_tables LOOP
        t := format('bench_health.%I', 't' || lpad(i::text, 5, '0'));
        n := nrows[i];

        cols := ARRAY[CASE WHEN i % 200 = 7 THEN 'id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY'
                           WHEN i % 20 = 1  THEN 'id bigserial PRIMARY KEY'
                           ELSE 'id bigint PRIMARY KEY' END,
                      'account_id int NOT NULL'];
        idx := '{}'; post := '{}'; opts := '{}';
        parent_expr := 'NULL';

        -- parent_id: on every 10th table a hub (every 200th table, 5,000 rows),
        -- elsewhere a nearby earlier table that has rows and is not deleted
        -- from below (i % 25 = 5, i % 200 = 100); the values stay within the
        -- target's ids.  (Spreading the keys keeps the hubs' trigger lists, and
        -- so their relcache rebuilds, short.)
        IF i > 200 AND i % 5 IN (0, 1, 2) THEN
            IF i % 10 = 0 THEN
                target := 200 * (1 + (i * 7) % ((i - 1) / 200));
            ELSE
                target := i - 1 - i % 13;
                WHILE nrows[target] = 0 OR target % 25 = 5 OR target % 200 = 100 LOOP
                    target := target - 1;
                END LOOP;
            END IF;
            cols := cols || format('parent_id bigint REFERENCES bench_health.%I (id)',
                                   't' || lpad(target::text, 5, '0'));
            parent_expr := format('CASE WHEN g <= %s THEN g END', nrows[target]);
            IF i % 97 = 0 THEN
                idx := idx || format('CREATE INDEX ON %s (parent_id)', t)
                           || format('CREATE INDEX ON %s (parent_id, created_at)', t);
            ELSIF i % 3 = 0 THEN
                idx := idx || format('CREATE INDEX ON %s (parent_id)', t);
            ELSIF i % 3 = 1 THEN
                idx := idx || format('CREATE INDEX ON %s (parent_id, created_at)', t);
            END IF;
        ELSE
            cols := cols || 'parent_id bigint'::text;
        END IF;
        -- prev_id -> the previous table, never set
        IF i > 1 AND i % 5 = 3 THEN
            cols := cols || format('prev_id bigint REFERENCES bench_health.%I (id)',
                                   't' || lpad((i - 1)::text, 5, '0'));
        ELSE
            cols := cols || 'prev_id bigint'::text;
        END IF;
        -- Only every 10th table has an unbounded text column, hence a TOAST table.
        cols := cols || ARRAY['status varchar(12) NOT NULL', 'amount numeric(12,2)',
                              'created_at timestamptz NOT NULL',
                              CASE WHEN i % 10 = 0 THEN 'note text' ELSE 'note varchar(400)' END];

        IF i % 4 = 0 THEN idx := idx || format('CREATE INDEX ON %s (created_at)', t); END IF;
        IF i % 6 = 0 THEN idx := idx || format('CREATE INDEX ON %s (account_id)', t); END IF;
        IF i % 12 = 0 THEN idx := idx || format('CREATE INDEX ON %s (account_id, created_at)', t); END IF;
        IF i % 50 = 7 THEN
            idx := idx || format('CREATE INDEX ON %s (account_id)', t)
                       || format('CREATE INDEX ON %s (account_id)', t);
        END IF;
        IF i % 250 = 17 THEN idx := idx || format('CREATE UNIQUE INDEX ON %s (id)', t); END IF;
        IF i % 300 = 11 THEN
            idx := idx || format('CREATE INDEX ON %s (lower(status))', t)
                       || format('CREATE INDEX %I ON %s (lower(status))', 'lower_status_again_' || i, t);
        END IF;
        IF i % 300 = 111 THEN
            idx := idx || format('CREATE INDEX ON %s (account_id) WHERE status = ''open''', t)
                       || format('CREATE INDEX %I ON %s (account_id) WHERE status = ''open''',
                                 'open_accounts_again_' || i, t);
        END IF;
        IF i % 400 = 13 THEN
            idx := idx || format('CREATE INDEX ON %s (account_id) INCLUDE (status)', t)
                       || format('CREATE INDEX ON %s (account_id) INCLUDE (amount)', t);
        END IF;
        IF i % 400 = 213 THEN
            idx := idx || format('CREATE INDEX ON %s (account_id)', t)
                       || format('CREATE INDEX ON %s (account_id) INCLUDE (status, amount)', t);
        END IF;
        IF i % 350 = 9 THEN
            idx := idx || format('CREATE INDEX ON %s (created_at DESC)', t)
                       || format('CREATE INDEX ON %s (created_at)', t);
        END IF;
        IF i % 450 = 5 THEN
            idx := idx || format('CREATE INDEX ON %s (status COLLATE "C")', t)
                       || format('CREATE INDEX ON %s (status)', t);
        END IF;
        IF i % 500 = 3 THEN idx := idx || format('CREATE INDEX ON %s USING hash (status)', t); END IF;
        IF i % 500 = 4 THEN idx := idx || format('CREATE INDEX ON %s USING brin (created_at)', t); END IF;

        IF i % 40 = 20 THEN
            opts := opts || ARRAY['autovacuum_vacuum_scale_factor = 0.01', 'autovacuum_vacuum_threshold = 5'];
        END IF;
        IF i % 90 = 45 THEN opts := opts || 'fillfactor = 70'::text; END IF;
        IF i % 150 = 75 THEN opts := opts || 'autovacuum_enabled = off'::text; END IF;
        IF i % 130 = 65 THEN
            opts := opts || ARRAY['autovacuum_analyze_scale_factor = 0.5', 'autovacuum_analyze_threshold = 10'];
        END IF;
        IF i % 170 = 85 THEN opts := opts || 'autovacuum_vacuum_insert_threshold = -1'::text; END IF;
        IF i % 190 = 95 AND i % 170 <> 85 THEN
            opts := opts || ARRAY['autovacuum_vacuum_insert_scale_factor = 0.01',
                                  'autovacuum_vacuum_insert_threshold = 20'];
        END IF;

        IF n > 0 THEN
            post := post || format(
                'INSERT INTO %s (id, account_id, parent_id, status, amount, created_at, note) '
                'SELECT g, g %% 37, %s, (ARRAY[''open'', ''paid'', ''void''])[g %% 3 + 1], g * 1.5, '
                'timestamptz ''2024-01-01'' + g * interval ''1 minute'', '
                'CASE WHEN g %% 4 = 0 THEN repeat(''note '', g %% 60) END '
                'FROM generate_series(1, %s) AS g', t, parent_expr, n);
            IF i % 20 = 1 AND i % 200 <> 7 THEN   -- the bigserial sequence follows the ids
                post := post || format('SELECT setval(pg_get_serial_sequence(%L, ''id''), %s)', t, n);
            END IF;
        END IF;
        -- integer identity columns: two of them close to the integer limit
        IF i % 1000 = 7 THEN
            post := post || format('SELECT setval(pg_get_serial_sequence(%L, ''id''), 2000000000)', t);
        ELSIF i % 1000 = 207 THEN
            post := post || format('SELECT setval(pg_get_serial_sequence(%L, ''id''), 1700000000)', t);
        END IF;

        INSERT INTO health_plan VALUES (i, array_to_string(
            ARRAY[format('CREATE %sTABLE %s (%s)%s',
                         CASE WHEN i % 1000 = 500 THEN 'UNLOGGED ' ELSE '' END,
                         t, array_to_string(cols, ', '),
                         CASE WHEN cardinality(opts) > 0
                              THEN ' WITH (' || array_to_string(opts, ', ') || ')' ELSE '' END)]
            || idx || post, E';\n'));
    END LOOP;
END
$plan$;

-- 3. Create the tables, one statement string (one transaction) each, in order.
--    (\o: the setval() results are not worth printing.)
\o /dev/null
SELECT stmt FROM health_plan ORDER BY ord
\gexec

-- 4. A few partitioned tables (a partitioned index on each root) and
--    materialized views (five never refreshed), with free-standing sequences.
SELECT stmt FROM (
    SELECT p AS ord, format(
        'CREATE TABLE bench_health.%2$I (id bigint NOT NULL, account_id int, created_at timestamptz) PARTITION BY RANGE (id);'
        'CREATE TABLE bench_health.%1$I PARTITION OF bench_health.%2$I FOR VALUES FROM (0) TO (1000);'
        'CREATE TABLE bench_health.%3$I PARTITION OF bench_health.%2$I FOR VALUES FROM (1000) TO (MAXVALUE);'
        'CREATE INDEX ON bench_health.%2$I (account_id);'
        'INSERT INTO bench_health.%2$I SELECT g, g %% 11, now() FROM generate_series(1, 1500) AS g',
        'part' || p || '_low', 'part' || p, 'part' || p || '_high') AS stmt
      FROM generate_series(1, 5) AS p
    UNION ALL
    SELECT 100 + m, format(
        'CREATE MATERIALIZED VIEW bench_health.%I AS '
        'SELECT account_id, count(*) AS n, sum(amount) AS total FROM bench_health.%I GROUP BY account_id %s;'
        'CREATE UNIQUE INDEX ON bench_health.%I (account_id)',
        'mv' || lpad(m::text, 2, '0'), 't' || lpad((m * 100)::text, 5, '0'),
        CASE WHEN m % 4 = 0 THEN 'WITH NO DATA' ELSE '' END, 'mv' || lpad(m::text, 2, '0'))
      FROM generate_series(1, 20) AS m
    UNION ALL
    SELECT 200 + s, format(
        'CREATE SEQUENCE bench_health.%I %s; SELECT setval(''bench_health.%I'', %s)',
        's' || lpad(s::text, 2, '0'),
        CASE WHEN s > 18 THEN 'INCREMENT -1 MINVALUE -1000 MAXVALUE -1' ELSE 'MAXVALUE 1000' END,
        's' || lpad(s::text, 2, '0'),
        CASE WHEN s > 18 THEN -50 * s ELSE 50 * s END)
      FROM generate_series(1, 20) AS s
) AS extra ORDER BY ord
\gexec

-- 5. ANALYZE everything: one statement, which still takes one transaction per
--    table.  Then VACUUM the big tables, so that their visibility maps exist and
--    their sizes are settled before the DML below.
SELECT 'ANALYZE ' || string_agg(format('%I.%I', n.nspname, c.relname), ', ' ORDER BY c.relname)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'bench_health'
   AND c.relkind IN ('r', 'm', 'p')
   AND (c.relkind <> 'm' OR c.relispopulated)
\gexec
SELECT 'VACUUM ' || string_agg(format('bench_health.%I', 't' || lpad(i::text, 5, '0')), ', ')
  FROM generate_series(100, 10000, 100) AS i
\gexec

-- 6. Dead tuples and modifications since the ANALYZE.
SELECT stmt FROM (
    -- big tables: DELETE 60% of the rows (critical dead-tuple share) ...
    SELECT i AS ord, format('DELETE FROM bench_health.%I WHERE id %% 5 < 3', 't' || lpad(i::text, 5, '0')) AS stmt
      FROM generate_series(100, 10000, 400) AS i
    UNION ALL
    -- ... or UPDATE 30% of them (warning share), and the same on a few hubs
    SELECT i, format('UPDATE bench_health.%I SET amount = amount + 1 WHERE id %% 10 < 3', 't' || lpad(i::text, 5, '0'))
      FROM generate_series(300, 10000, 400) AS i
    UNION ALL
    SELECT i, format('UPDATE bench_health.%I SET note = ''changed'' WHERE id %% 10 < 3', 't' || lpad(i::text, 5, '0'))
      FROM generate_series(600, 10000, 1200) AS i
    UNION ALL
    -- medium tables: updates and deletes that stay under the alert minimum
    SELECT i, format('UPDATE bench_health.%I SET status = ''void'' WHERE id %% 4 = 0', 't' || lpad(i::text, 5, '0'))
      FROM generate_series(5, 10000, 75) AS i
    UNION ALL
    SELECT i, format('DELETE FROM bench_health.%I WHERE id %% 3 = 0', 't' || lpad(i::text, 5, '0'))
      FROM generate_series(30, 10000, 175) AS i
    UNION ALL
    -- small tables: 1,200 more rows (insert-driven vacuum and analyze due)
    SELECT i, format(
        'INSERT INTO bench_health.%I (id, account_id, status, created_at) '
        'SELECT 1000 + g, g %% 5, ''open'', now() FROM generate_series(1, 1200) AS g',
        't' || lpad(i::text, 5, '0'))
      FROM generate_series(45, 10000, 45) AS i
     WHERE i % 25 <> 5 AND i % 50 <> 0
) AS dml ORDER BY ord
\gexec
-- a second round on some of the deleted-from tables, after a VACUUM that leaves
-- free pages recorded in their indexes' free space maps
SELECT format('VACUUM bench_health.%I', 't' || lpad(i::text, 5, '0'))
  FROM generate_series(100, 10000, 1200) AS i
\gexec
SELECT format('DELETE FROM bench_health.%I WHERE id %% 5 = 3', 't' || lpad(i::text, 5, '0'))
  FROM generate_series(100, 10000, 1200) AS i
\gexec

-- 7. Index scans on two thirds of the tables, a different number per table and
--    index; every 3rd table gets none.  Sequential scans on every 7th.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT array_to_string(
         array_fill(format('SELECT count(*) FROM bench_health.%I WHERE id = 1', t), ARRAY[1 + i % 5])
         || CASE WHEN i % 6 = 0 AND i % 12 <> 0
                 THEN array_fill(format('SELECT count(*) FROM bench_health.%I WHERE account_id = 3', t),
                                 ARRAY[1 + i % 4]) ELSE '{}' END
         || CASE WHEN i % 8 = 0
                 THEN ARRAY[format('SELECT count(*) FROM bench_health.%I WHERE created_at = ''2024-01-02''', t)]
                 ELSE '{}' END,
         '; ')
  FROM (SELECT i, 't' || lpad(i::text, 5, '0') AS t FROM generate_series(1, 10000) AS i) AS s
 WHERE i % 3 <> 0
\gexec
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT format('SELECT count(*) FROM bench_health.%I', 't' || lpad(i::text, 5, '0'))
  FROM generate_series(7, 10000, 7) AS i
\gexec

-- 8. Ten tables that were never analyzed (created after the ANALYZE).
SELECT format('CREATE TABLE bench_health.%1$I (id bigint PRIMARY KEY, account_id int, note text);'
              'CREATE INDEX ON bench_health.%1$I (account_id);'
              'INSERT INTO bench_health.%1$I SELECT g, g %% 9, NULL FROM generate_series(1, 300) AS g',
              't' || lpad(i::text, 5, '0'))
  FROM generate_series(10001, 10010) AS i
\gexec

-- 9. Five invalid indexes: a unique index built CONCURRENTLY over duplicate
--    values fails and stays behind, invalid.  CONCURRENTLY needs a statement of
--    its own, outside any transaction block.
\set ON_ERROR_STOP off
\set VERBOSITY terse
SELECT format('CREATE UNIQUE INDEX CONCURRENTLY %I ON bench_health.%I (account_id)',
              'failed_unique_' || i, 't' || lpad(i::text, 5, '0'))
  FROM generate_series(2050, 10000, 1950) AS i
\gexec
\set ON_ERROR_STOP on

-- 10. Statistics of the system catalogs, which autovacuum (off here) would
--     keep current: without them the planner misjudges every catalog query
--     (pg_class has grown from 400 rows to 50,000).
\o
SELECT 'ANALYZE ' || string_agg(format('pg_catalog.%I', relname), ', ')
  FROM pg_class
 WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r'
\gexec

-- 11. Summary.
\set QUIET off
SELECT count(*) FILTER (WHERE c.relkind = 'r')          AS tables,
       count(*) FILTER (WHERE c.relkind = 'm')          AS matviews,
       count(*) FILTER (WHERE c.relkind = 'p')          AS partitioned,
       count(*) FILTER (WHERE c.relkind IN ('i', 'I'))  AS indexes,
       count(*) FILTER (WHERE c.relkind = 'S')          AS sequences,
       (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'bench_health'::regnamespace)
                                                        AS foreign_keys,
       (SELECT count(*) FROM pg_index WHERE NOT indisvalid) AS invalid_indexes
  FROM pg_class c
 WHERE c.relnamespace = 'bench_health'::regnamespace;
