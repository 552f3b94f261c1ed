-- Advice a DBA can apply blindly. Schemas written here imitate real applications (Rails and Django conventions,
-- range, list, hash and multi-level partitioning, constraint-backed and expression indexes, sequences of every
-- shape); every recommendation is applied at once in priority order, twice, and after each round the rules are
-- checked: every statement ran (an error would show below), no constraint was lost, every foreign key and every
-- lookup that was served by an index still is.
CREATE EXTENSION pg_optimize;
\set SHOW_CONTEXT never
SET client_min_messages = warning;

-- ---------------------------------------------------------------------------------------------------------------
-- Rails: bigint keys, _id columns with and without indexes, partial "IS NOT NULL" indexes, polymorphic keys.
CREATE SCHEMA rails;
CREATE TABLE rails.users (id bigserial PRIMARY KEY, email text NOT NULL);
CREATE UNIQUE INDEX index_users_on_email ON rails.users (email);
CREATE INDEX index_users_on_lower_email ON rails.users (lower(email));
CREATE TABLE rails.accounts (id bigserial PRIMARY KEY, name text);
CREATE TABLE rails.posts (
  id bigserial PRIMARY KEY,
  user_id bigint REFERENCES rails.users,        -- no index at all
  account_id bigint REFERENCES rails.accounts,  -- two identical indexes, never scanned
  parent_id bigint REFERENCES rails.posts,      -- served by a partial index
  editor_id bigint REFERENCES rails.users,      -- a partial index that does not serve it (soft delete)
  deleted_at timestamptz,
  title text,
  body text);
CREATE INDEX index_posts_on_account_id ON rails.posts (account_id);
CREATE INDEX index_posts_on_account_id_2 ON rails.posts (account_id);
CREATE INDEX index_posts_on_parent_id ON rails.posts (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX index_posts_on_editor_id_live ON rails.posts (editor_id) WHERE deleted_at IS NULL;
CREATE TABLE rails.comments (
  id bigserial PRIMARY KEY,
  commentable_type varchar NOT NULL,
  commentable_id bigint NOT NULL,
  post_id bigint,
  author_id bigint,
  FOREIGN KEY (post_id) REFERENCES rails.posts,
  FOREIGN KEY (author_id) REFERENCES rails.users);
CREATE INDEX index_comments_on_commentable ON rails.comments (commentable_type, commentable_id);
-- a two-column key served by a partial index whose predicate is an AND of IS NOT NULL
CREATE TABLE rails.org_users (org_id bigint, user_id bigint, PRIMARY KEY (org_id, user_id));
CREATE TABLE rails.memberships (
  id bigserial PRIMARY KEY, org_id bigint, user_id bigint,
  FOREIGN KEY (org_id, user_id) REFERENCES rails.org_users);
CREATE INDEX index_memberships_on_org_user ON rails.memberships (user_id, org_id)
  WHERE org_id IS NOT NULL AND user_id IS NOT NULL;
-- the issue's pair: i1(a) scanned (the planner prefers the smaller one), i2(a, c) never
CREATE INDEX index_comments_on_author ON rails.comments (author_id);
CREATE INDEX index_comments_on_author_and_post ON rails.comments (author_id, post_id);
-- the same on a column no foreign key protects: the wide two-column index is the one never scanned
CREATE INDEX index_posts_on_title ON rails.posts (title);
CREATE INDEX index_posts_on_title_and_body ON rails.posts (title, body);

INSERT INTO rails.users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 50) g;
INSERT INTO rails.accounts (name) SELECT 'a' || g FROM generate_series(1, 5) g;
INSERT INTO rails.posts (user_id, account_id, title, body)
  SELECT 1 + g % 50, 1 + g % 5, 't' || g, repeat('b', 300) FROM generate_series(1, 200) g;
INSERT INTO rails.comments (commentable_type, commentable_id, post_id, author_id)
  SELECT 'Post', g, g, 1 + g % 50 FROM generate_series(1, 200) g;
INSERT INTO rails.org_users SELECT g, g FROM generate_series(1, 10) g;
INSERT INTO rails.memberships (org_id, user_id) SELECT g, g FROM generate_series(1, 10) g;

-- ---------------------------------------------------------------------------------------------------------------
-- Django: integer keys, deferrable foreign keys with their own index, _like indexes, constraints with twins.
CREATE SCHEMA django;
CREATE TABLE django.auth_user (id serial PRIMARY KEY, username varchar(150) NOT NULL UNIQUE);
CREATE INDEX auth_user_username_6821ab7c_like ON django.auth_user (username varchar_pattern_ops);
CREATE TABLE django.blog_entry (
  id serial PRIMARY KEY,
  author_id integer NOT NULL REFERENCES django.auth_user DEFERRABLE INITIALLY DEFERRED,
  slug varchar(50) NOT NULL,
  code text,
  tag text);
CREATE INDEX blog_entry_author_id_5f3a1c2d ON django.blog_entry (author_id);
-- a UNIQUE constraint with a plain twin (the twin goes), and a unique index with a twin NULLS NOT DISTINCT
ALTER TABLE django.blog_entry ADD CONSTRAINT blog_entry_slug_uniq UNIQUE (slug);
CREATE INDEX blog_entry_slug_plain ON django.blog_entry (slug);
CREATE UNIQUE INDEX blog_entry_code_uniq ON django.blog_entry (code);
CREATE UNIQUE INDEX blog_entry_code_uniq_nnd ON django.blog_entry (code) NULLS NOT DISTINCT;
-- a deferrable UNIQUE constraint and an immediate unique index on the same column: both needed
ALTER TABLE django.blog_entry ADD CONSTRAINT blog_entry_tag_deferred UNIQUE (tag) DEFERRABLE;
CREATE UNIQUE INDEX blog_entry_tag_immediate ON django.blog_entry (tag);
-- a collation, INCLUDE columns: not duplicates of the plain ones
CREATE INDEX blog_entry_tag_c ON django.blog_entry (tag COLLATE "C");
CREATE INDEX blog_entry_slug_incl ON django.blog_entry (slug) INCLUDE (code);
-- the replica identity, never scanned
CREATE TABLE django.audit (id integer NOT NULL, at timestamptz);
CREATE UNIQUE INDEX audit_id_key ON django.audit (id);
ALTER TABLE django.audit REPLICA IDENTITY USING INDEX audit_id_key;
-- an exclusion constraint
CREATE TABLE django.booking (room int, during int4range, EXCLUDE USING gist (during WITH &&));
INSERT INTO django.auth_user (username) SELECT 'user' || g FROM generate_series(1, 40) g;
INSERT INTO django.blog_entry (author_id, slug, code, tag) SELECT 1 + g % 40, 's' || g, 'c' || g, 't' || g
  FROM generate_series(1, 100) g;
INSERT INTO django.audit SELECT g, now() FROM generate_series(1, 10) g;

-- ---------------------------------------------------------------------------------------------------------------
-- Partitioning: range, list and hash, multi-level; attached, unattached and invalid indexes.
CREATE SCHEMA billing;
CREATE TABLE billing.customers (id bigint PRIMARY KEY, region text);
CREATE TABLE billing.invoices (id bigint, customer_id bigint REFERENCES billing.customers, created date NOT NULL,
                               PRIMARY KEY (id, created)) PARTITION BY RANGE (created);
CREATE TABLE billing.invoices_2024 PARTITION OF billing.invoices FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE billing.invoices_2025 PARTITION OF billing.invoices FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- a partitioned index never scanned, and one whose partitions are scanned
CREATE INDEX invoices_created_idx ON billing.invoices (created);
CREATE INDEX invoices_id_idx ON billing.invoices (id);
-- list partitions, with a foreign key whose partitions' indexes are attached, plus an unattached twin
CREATE TABLE billing.events (kind text NOT NULL, customer_id bigint REFERENCES billing.customers, payload text)
  PARTITION BY LIST (kind);
CREATE TABLE billing.events_click PARTITION OF billing.events FOR VALUES IN ('click');
CREATE TABLE billing.events_view PARTITION OF billing.events FOR VALUES IN ('view');
CREATE INDEX events_customer_id_idx ON billing.events (customer_id);
CREATE INDEX events_click_customer_twin ON billing.events_click (customer_id);
-- hash partitions with the invalid parent index an interrupted suggestion left: one partition's index attached
CREATE TABLE billing.sessions (id bigint, customer_id bigint REFERENCES billing.customers) PARTITION BY HASH (id);
CREATE TABLE billing.sessions_p0 PARTITION OF billing.sessions FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE billing.sessions_p1 PARTITION OF billing.sessions FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE billing.sessions_p2 PARTITION OF billing.sessions FOR VALUES WITH (MODULUS 3, REMAINDER 2);
CREATE INDEX sessions_customer_id_idx ON ONLY billing.sessions (customer_id);
CREATE INDEX sessions_p0_customer_id_idx ON billing.sessions_p0 (customer_id);
ALTER INDEX billing.sessions_customer_id_idx ATTACH PARTITION billing.sessions_p0_customer_id_idx;
-- p1 got its index built but not attached; p2 has none
CREATE INDEX sessions_p1_customer_id_idx ON billing.sessions_p1 (customer_id);
-- multi-level: range of lists, a foreign key without an index
CREATE TABLE billing.ledger (year int NOT NULL, region text NOT NULL, customer_id bigint REFERENCES billing.customers)
  PARTITION BY RANGE (year);
CREATE TABLE billing.ledger_2025 PARTITION OF billing.ledger FOR VALUES FROM (2025) TO (2026) PARTITION BY LIST (region);
CREATE TABLE billing.ledger_2025_eu PARTITION OF billing.ledger_2025 FOR VALUES IN ('eu');
CREATE TABLE billing.ledger_2025_us PARTITION OF billing.ledger_2025 FOR VALUES IN ('us');
CREATE TABLE billing.ledger_2026 PARTITION OF billing.ledger FOR VALUES FROM (2026) TO (2027);
-- an invalid index of a plain table: a unique build that failed on duplicates
CREATE TABLE billing.imports (id int, ref text);
INSERT INTO billing.imports VALUES (1, 'dup'), (2, 'dup');
CREATE UNIQUE INDEX CONCURRENTLY imports_ref_key ON billing.imports (ref);
INSERT INTO billing.customers SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 20) g;
INSERT INTO billing.invoices SELECT g, 1 + g % 20, date '2024-06-01' + g FROM generate_series(1, 300) g;
INSERT INTO billing.events SELECT CASE WHEN g % 2 = 0 THEN 'click' ELSE 'view' END, 1 + g % 20, 'p'
  FROM generate_series(1, 100) g;
INSERT INTO billing.sessions SELECT g, 1 + g % 20 FROM generate_series(1, 60) g;
INSERT INTO billing.ledger SELECT 2025 + g % 2, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us' END, 1 + g % 20
  FROM generate_series(1, 60) g;

-- ---------------------------------------------------------------------------------------------------------------
-- Sequences: a bigint sequence behind an integer column, a descending one near its end, a cycling one.
CREATE SCHEMA seqs;
CREATE TABLE seqs.legacy (id integer PRIMARY KEY);
CREATE SEQUENCE seqs.legacy_id_seq AS bigint OWNED BY seqs.legacy.id;
ALTER TABLE seqs.legacy ALTER COLUMN id SET DEFAULT nextval('seqs.legacy_id_seq');
SELECT setval('seqs.legacy_id_seq', 2000000000);
CREATE SEQUENCE seqs.countdown INCREMENT -1 MINVALUE -1000 MAXVALUE -1 START -1;
SELECT setval('seqs.countdown', -990);
CREATE SEQUENCE seqs.ring MAXVALUE 1000 CYCLE;
SELECT setval('seqs.ring', 990);

-- ---------------------------------------------------------------------------------------------------------------
-- Lookups the application makes (index scans forced, the tables being small), statistics flushed and analyzed.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT count(*) FROM rails.comments WHERE author_id = 3;
SELECT count(*) FROM rails.users WHERE lower(email) = 'u1@example.com';
SELECT count(*) FROM rails.comments WHERE commentable_type = 'Post' AND commentable_id = 4;
SELECT count(*) FROM billing.invoices WHERE id = 7;
SELECT count(*) FROM billing.events WHERE customer_id = 3;
SELECT count(*) FROM django.blog_entry WHERE slug = 's1';
SELECT count(*) FROM rails.posts WHERE title = 't7';
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT pg_stat_force_next_flush();
ANALYZE rails.users, rails.accounts, rails.posts, rails.comments, rails.org_users, rails.memberships,
        django.auth_user, django.blog_entry, django.audit, django.booking, billing.customers, billing.invoices,
        billing.events, billing.sessions, billing.ledger, billing.imports, seqs.legacy;
ANALYZE billing.invoices_2024, billing.invoices_2025;
SELECT pg_stat_force_next_flush();

-- What the checks compare against, kept outside the schemas under advice.
CREATE SCHEMA corpus_check;
CREATE FUNCTION corpus_check.corpus_schemas() RETURNS oid[] LANGUAGE sql STABLE
  AS $$ SELECT array_agg(oid) FROM pg_namespace WHERE nspname IN ('rails', 'django', 'billing', 'seqs') $$;
-- the key columns of an index, and whether an index serves a lookup on them (a leading prefix)
CREATE FUNCTION corpus_check.keys(i pg_index) RETURNS int2[] LANGUAGE sql IMMUTABLE
  AS $$ SELECT (i.indkey::int2[])[0:i.indnkeyatts - 1] $$;
CREATE TABLE corpus_check.constraints AS
  SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
  FROM pg_constraint WHERE connamespace = ANY (corpus_check.corpus_schemas());
CREATE TABLE corpus_check.lookups AS
  SELECT i.indrelid AS tbl, corpus_check.keys(i) AS keys, i.indexprs::text AS exprs, i.indpred::text AS pred
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE c.relnamespace = ANY (corpus_check.corpus_schemas()) AND pg_stat_get_numscans(i.indexrelid) > 0;
-- a foreign key is served by a valid index whose leading key columns are its columns, complete or partial on
-- IS NOT NULL only (an independent, plain rule)
CREATE VIEW corpus_check.unserved_foreign_keys AS
  SELECT f.conrelid::regclass AS tbl, f.conname
  FROM pg_constraint f
  WHERE f.contype = 'f' AND f.conparentid = 0 AND f.connamespace = ANY (corpus_check.corpus_schemas())
    AND NOT EXISTS (
      SELECT FROM pg_index i
      WHERE i.indrelid = f.conrelid AND i.indisvalid
        AND (SELECT array_agg(k ORDER BY k) FROM unnest((corpus_check.keys(i))[1:cardinality(f.conkey)]) k)
            = (SELECT array_agg(k ORDER BY k) FROM unnest(f.conkey) k)
        AND (i.indpred IS NULL OR (pg_get_expr(i.indpred, i.indrelid) LIKE '%IS NOT NULL%'
                                   AND pg_get_expr(i.indpred, i.indrelid) NOT LIKE '%IS NULL%'
                                   AND pg_get_expr(i.indpred, i.indrelid) NOT LIKE '% OR %')));
CREATE VIEW corpus_check.rules AS
  SELECT (SELECT count(*) FROM corpus_check.constraints
          WHERE (tbl, conname, def) NOT IN (SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                                            FROM pg_constraint)) AS constraints_lost,
         (SELECT count(*) FROM corpus_check.unserved_foreign_keys) AS foreign_keys_unserved,
         (SELECT count(*) FROM corpus_check.lookups l
          WHERE NOT EXISTS (SELECT FROM pg_index i
                            WHERE i.indrelid = l.tbl AND i.indisvalid
                              AND (corpus_check.keys(i))[1:cardinality(l.keys)] = l.keys
                              AND i.indexprs::text IS NOT DISTINCT FROM l.exprs
                              AND (i.indpred IS NULL OR i.indpred::text = l.pred))) AS lookups_unserved,
         (SELECT count(*) FROM optimize.missing_fk_indexes()
          WHERE table_name::regclass::oid IN (SELECT oid FROM pg_class
                                              WHERE relnamespace = ANY (corpus_check.corpus_schemas())))
           AS missing_fk_indexes;
CREATE TABLE corpus_check.sessions_fix AS
  SELECT suggested_index FROM optimize.missing_fk_indexes() WHERE table_name = 'billing.sessions'::regclass;
SELECT pg_stat_force_next_flush();
ANALYZE corpus_check.constraints, corpus_check.lookups, corpus_check.sessions_fix;
SELECT count(*) AS lookups_recorded FROM corpus_check.lookups;
SELECT * FROM corpus_check.rules;

-- ---------------------------------------------------------------------------------------------------------------
-- What pg_optimize says before anything is applied.
SELECT table_name, constraint_name, columns, suggested_index FROM optimize.missing_fk_indexes()
ORDER BY table_name::text, constraint_name;
SELECT index, scans > 0 AS scanned, unused, duplicate_of, redundant_with, recommendation IS NOT NULL AS advice,
       kept_because
FROM optimize.index_usage
WHERE "table"::regclass::oid IN (SELECT oid FROM pg_class WHERE relnamespace = ANY (corpus_check.corpus_schemas()))
ORDER BY index::text;
SELECT priority, kind, object, sql FROM optimize.recommendations
WHERE kind NOT IN ('setting', 'partitioning') ORDER BY priority, kind, object;
-- partitioned tables are in table_health, summed over their partitions; their indexes are not 0 bytes
SELECT "table", live_tuples, vacuum_needed, analyze_needed, autovacuum_enabled, status FROM optimize.table_health
WHERE "table"::text IN ('billing.invoices', 'billing.ledger', 'billing.ledger_2025') ORDER BY "table"::text;
SELECT index, bytes > 0 AS has_bytes FROM optimize.index_usage
WHERE index::text IN ('billing.invoices_id_idx', 'billing.events_customer_id_idx') ORDER BY index::text;
-- index_usage lists the biggest indexes first, the older (lower OID) first among equal sizes
SELECT bool_and(prev_bytes > bytes OR (prev_bytes = bytes AND prev_oid < oid)) AS biggest_first, count(*) > 20 AS several
FROM (SELECT bytes, oid, lag(bytes) OVER (ORDER BY ord) AS prev_bytes, lag(oid) OVER (ORDER BY ord) AS prev_oid
      FROM (SELECT bytes, index::oid AS oid, row_number() OVER () AS ord FROM optimize.index_usage) listed) pairs;
-- sequences: the column's type for a bigint sequence behind an integer column, MINVALUE for a descending one
SELECT object, recommendation FROM optimize.alerts WHERE kind = 'sequence_exhaustion' AND object LIKE 'seqs.%'
ORDER BY object;

-- ---------------------------------------------------------------------------------------------------------------
-- Everything applied at once, in priority order, one statement a line (settings too, reset afterwards), twice.
SELECT sql IS NOT NULL AND sql LIKE '%DROP INDEX CONCURRENTLY%' AS concurrently
FROM optimize.recommendations WHERE object = 'billing.invoices_created_idx';
\o /dev/null
SELECT l.line FROM optimize._recommendations() WITH ORDINALITY AS r(priority, kind, object, reason, sql, n),
       regexp_split_to_table(r.sql, E'\n') WITH ORDINALITY AS l(line, m)
WHERE r.sql IS NOT NULL AND r.kind <> 'setting' ORDER BY r.n, l.m \gexec
-- settings come last in priority order; their values depend on the machine, so they are applied unechoed
\set ECHO none
SELECT sql FROM optimize.recommendations WHERE kind = 'setting' \gexec
\set ECHO all
\o
ALTER SYSTEM RESET ALL;
SELECT pg_stat_force_next_flush();
SELECT * FROM corpus_check.rules;
-- the interrupted tree was finished under its own names, no second tree; its statements, run again, change nothing
SELECT regexp_split_to_table(suggested_index, E'\n') FROM corpus_check.sessions_fix \gexec
SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relname LIKE 'sessions%' ORDER BY 1;
\o /dev/null
SELECT l.line FROM optimize._recommendations() WITH ORDINALITY AS r(priority, kind, object, reason, sql, n),
       regexp_split_to_table(r.sql, E'\n') WITH ORDINALITY AS l(line, m)
WHERE r.sql IS NOT NULL AND r.kind <> 'setting' ORDER BY r.n, l.m \gexec
-- settings come last in priority order; their values depend on the machine, so they are applied unechoed
\set ECHO none
SELECT sql FROM optimize.recommendations WHERE kind = 'setting' \gexec
\set ECHO all
\o
ALTER SYSTEM RESET ALL;
SELECT * FROM corpus_check.rules;
-- what is left of the indexes
SELECT c.relnamespace::regnamespace AS schema, string_agg(c.relname::text, ', ' ORDER BY c.relname) AS indexes
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relnamespace = ANY (corpus_check.corpus_schemas()) GROUP BY 1 ORDER BY 1::text;

-- ---------------------------------------------------------------------------------------------------------------
-- Units and the cheap health check.
SELECT metric, unit FROM optimize.metrics() WHERE metric LIKE '%hit%' ORDER BY metric;
SELECT check_name FROM optimize.health_check() WHERE check_name LIKE 'cache%';
-- an emptied table's index has a bloat estimate
CREATE TABLE seqs.emptied (id int PRIMARY KEY, v text);
INSERT INTO seqs.emptied SELECT g, 'x' FROM generate_series(1, 2000) g;
DELETE FROM seqs.emptied;
VACUUM ANALYZE seqs.emptied;
SELECT index, estimated_bloat_bytes IS NOT NULL AS estimated FROM optimize.index_usage
WHERE "table" = 'seqs.emptied'::regclass;

-- ---------------------------------------------------------------------------------------------------------------
-- N+1 findings of another database stay out of this database's alerts.
SELECT current_database() AS home \gset
CREATE DATABASE corpus_other;
\c corpus_other
SET pg_optimize.n_plus_one_gap_ms = '10s';
\o /dev/null
SELECT format('SELECT %s AS other_database_burst', g) FROM generate_series(1, 25) g \gexec
\o
\c :home
SET client_min_messages = warning;
SELECT count(*) > 0 AS burst_recorded FROM optimize.n_plus_one WHERE database = 'corpus_other';
SELECT count(*) AS alerts_of_other_database FROM optimize.alerts
WHERE kind IN ('n_plus_one', 'latency_target') AND (object LIKE 'corpus_other%' OR message LIKE '%other_database%');
DROP DATABASE corpus_other;

DROP SCHEMA rails, django, billing, seqs, corpus_check CASCADE;
DROP EXTENSION pg_optimize;
