# The attacker's view, on a real cluster. mallory is an ordinary role (no superuser, no BYPASSRLS) who owns a database
# and therefore its public schema. She tries to make a superuser or a pg_monitor member run her code through the
# extension, to read their statement texts, and to disturb other databases' automation:
#   - planted objects: in a schema `evil` put first by ALTER DATABASE ... SET search_path (and ALTER ROLE for herself),
#     a wrapper of every pg_catalog function and operator on common types, each writing a row to evil.log as the role
#     that runs it; in public, exact-match operators (=(oid, regnamespace), =(regrole, regrole), ...) that beat
#     pg_catalog's through an implicit cast. Then a superuser runs CREATE EXTENSION and every health function and
#     view, as does a pg_monitor member; evil.log must hold no row of anyone but mallory
#   - the row-level security policies are bound to pg_catalog's operator, also after ALTER EXTENSION UPDATE from 0.1
#     (whose script bound them through the installing session's search_path)
#   - statement texts of other roles stay as private as in pg_stat_activity
#   - DROP DATABASE, ALTER DATABASE RENAME / SET TABLESPACE and CREATE DATABASE ... TEMPLATE on a database she does not
#     own leave its scheduler and running job alone; a superuser's CREATE DATABASE ... TEMPLATE of a database with a
#     scheduler works
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgoTest;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('attacker');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
pg_optimize.launcher_naptime = 1
autovacuum = off
});
$node->start;

# Everything the test itself runs as a superuser in mallory's databases pins its own path first, so that only the
# extension's statements could ever reach her objects.
my $pin = 'SET search_path = pg_catalog, pg_temp; ';

$node->safe_psql('postgres', q{
CREATE ROLE mallory LOGIN CREATEDB;
CREATE ROLE watcher LOGIN IN ROLE pg_monitor;
CREATE DATABASE shop OWNER mallory;
CREATE DATABASE shop01 OWNER mallory;
});

# --- planting --------------------------------------------------------------------------------------------------------
# Wrappers of every pg_catalog function and binary operator whose argument and result types are common ones: each
# logs who ran it, then does what the original does (so that nothing fails and hides a call).
my $plant = q{
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE TABLE evil.log (what text, who name, backend text, query text);
GRANT INSERT ON evil.log TO PUBLIC;
CREATE FUNCTION evil.gotcha(what text) RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp
  AS $f$ INSERT INTO evil.log SELECT what, current_user, a.backend_type, a.query FROM pg_catalog.pg_stat_activity a
         WHERE a.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() $f$;
DO $do$
DECLARE
  f record;
  common regtype[] := ARRAY['bool', 'int2', 'int4', 'int8', 'oid', 'text', 'name', 'float8', 'numeric',
                            'timestamptz', 'interval', 'regclass', 'regrole', 'regnamespace', 'regproc',
                            'regprocedure', 'jsonb', 'text[]', 'name[]', 'oid[]', 'char']::regtype[];
  args text;
  params text;
  n int := 0;
BEGIN
  SET LOCAL search_path = pg_catalog, pg_temp;
  FOR f IN
    SELECT p.oid, p.proname, p.proargtypes::oid[]::regtype[] AS argtypes, p.prorettype::regtype AS rettype
    FROM pg_proc p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f' AND NOT p.proretset
      AND p.pronargs <= 3 AND p.prorettype = ANY (common) AND p.proargtypes::oid[]::regtype[] <@ common
  LOOP
    SELECT string_agg(format('a%s %s', i, t), ', ' ORDER BY i), string_agg(format('a%s', i), ', ' ORDER BY i)
      INTO args, params
      FROM unnest(f.argtypes) WITH ORDINALITY AS u(t, i);
    BEGIN
      EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L',
        f.proname, coalesce(args, ''), f.rettype,
        format('BEGIN PERFORM evil.gotcha(%L); RETURN pg_catalog.%I(%s); END', f.proname, f.proname,
               coalesce(params, '')));
      n := n + 1;
    EXCEPTION WHEN others THEN NULL; -- a name that cannot be wrapped this way
    END;
  END LOOP;
  FOR f IN
    SELECT o.oid, o.oprname, o.oprleft::regtype AS l, o.oprright::regtype AS r, o.oprresult::regtype AS rettype
    FROM pg_operator o
    WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprkind = 'b'
      AND o.oprleft = ANY (common) AND o.oprright = ANY (common) AND o.oprresult = ANY (common)
  LOOP
    BEGIN
      EXECUTE format('CREATE FUNCTION evil.op_%s(a %s, b %s) RETURNS %s LANGUAGE plpgsql AS %L',
        f.oid, f.l, f.r, f.rettype,
        format('BEGIN PERFORM evil.gotcha(%L); RETURN a OPERATOR(pg_catalog.%s) b; END', 'operator ' || f.oprname,
               f.oprname));
      EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.op_%s)',
        f.oprname, f.l, f.r, f.oid);
      n := n + 1;
    EXCEPTION WHEN others THEN NULL;
    END;
  END LOOP;
  -- exact matches in public, where pg_catalog has only an operator reached through an implicit cast
  FOR f IN
    SELECT l, r, op FROM unnest(ARRAY['oid', 'regclass', 'regrole', 'regnamespace', 'regproc', 'regprocedure',
                                     'regtype', 'name', 'text', 'int4', 'int8']::regtype[]) AS l,
                         unnest(ARRAY['oid', 'regclass', 'regrole', 'regnamespace', 'regproc', 'regprocedure',
                                     'regtype', 'name', 'text', 'int4', 'int8']::regtype[]) AS r,
                         unnest(ARRAY['=', '<>']) AS op
    WHERE NOT EXISTS (SELECT FROM pg_operator o WHERE o.oprname = op AND o.oprleft = l AND o.oprright = r)
  LOOP
    BEGIN
      EXECUTE format('CREATE FUNCTION public.%I(a %s, b %s) RETURNS bool LANGUAGE plpgsql AS %L',
        'op_' || f.l || '_' || f.r || '_' || CASE f.op WHEN '=' THEN 'eq' ELSE 'ne' END, f.l, f.r,
        format('BEGIN PERFORM evil.gotcha(%L); RETURN a::text OPERATOR(pg_catalog.%s) b::text; END',
               'public operator ' || f.op || '(' || f.l || ', ' || f.r || ')', f.op));
      EXECUTE format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.%I)', f.op, f.l, f.r,
        'op_' || f.l || '_' || f.r || '_' || CASE f.op WHEN '=' THEN 'eq' ELSE 'ne' END);
      n := n + 1;
    EXCEPTION WHEN others THEN NULL;
    END;
  END LOOP;
  RAISE NOTICE 'planted % objects', n;
END
$do$;
};

for my $db (qw(shop shop01))
{
	my ($rc, $out, $err) = $node->psql($db, $plant, extra_params => [ '-U', 'mallory' ]);
	is($rc, 0, "$db: mallory plants her objects") or diag($err);
	my ($planted) = $err =~ /planted (\d+) objects/;
	ok(($planted // 0) > 500, "$db: hundreds of functions and operators planted (@{[$planted // 0]})");
}
is($node->safe_psql('shop', $pin . q{SELECT count(*) FROM pg_operator
	WHERE oprnamespace = 'public'::regnamespace AND oprname = '=' AND oprleft = 'oid'::regtype
	  AND oprright = 'regnamespace'::regtype}), '1', 'public.=(oid, regnamespace) is planted');
is($node->safe_psql('shop', $pin . q{SELECT count(*) FROM pg_operator
	WHERE oprnamespace = 'public'::regnamespace AND oprname = '=' AND oprleft = 'regrole'::regtype
	  AND oprright = 'regrole'::regtype}), '1', 'public.=(regrole, regrole) is planted');
# a cast between built-in types needs their ownership: mallory cannot plant one
my ($rc, $out, $err) = $node->psql('shop', 'CREATE CAST (text AS regclass) WITH INOUT AS IMPLICIT',
	extra_params => [ '-U', 'mallory' ]);
like($err, qr/must be owner of type/, 'casts between built-in types cannot be planted by a non-superuser');

$node->safe_psql('shop', 'ALTER DATABASE shop SET search_path = evil, pg_catalog, public',
	extra_params => [ '-U', 'mallory' ]);
$node->safe_psql('shop', 'ALTER ROLE mallory SET search_path = evil, pg_catalog, public',
	extra_params => [ '-U', 'mallory' ]);
# the trap works: an unqualified call by the superuser in shop is logged
$node->safe_psql('shop', q{SELECT lower('X')});
is($node->safe_psql('shop', $pin . q{SELECT count(*) FROM evil.log WHERE who = 'postgres' AND what = 'lower'}),
	'1', 'the trap works: an unqualified lower() run by the superuser in shop is hers');
$node->safe_psql('shop', $pin . 'TRUNCATE evil.log');

# Neither client sessions (the calls of this test) nor the extension's background workers (the scheduler plans and
# records the default jobs meanwhile) may ever run her objects as anyone but her.
sub nobody_caught
{
	my ($db, $name) = @_;
	my $caught = $pin . q{SELECT coalesce(string_agg(DISTINCT who || ': ' || what || ' in ' || backend || ': ' || query,
	                                                 ', '), 'nobody')
	                      FROM evil.log WHERE who <> 'mallory' AND backend %s 'client backend'};
	is($node->safe_psql($db, sprintf($caught, 'OPERATOR(pg_catalog.=)')), 'nobody', $name);
	is($node->safe_psql($db, sprintf($caught, 'OPERATOR(pg_catalog.<>)')), 'nobody', "$name (background workers)");
}

# --- CREATE EXTENSION by a superuser ---------------------------------------------------------------------------------
$node->safe_psql('shop', 'CREATE EXTENSION pg_optimize');
nobody_caught('shop', 'CREATE EXTENSION by a superuser runs none of the planted objects');
my $policy_ops = $pin . q{
	SELECT coalesce(string_agg(DISTINCT o.oprnamespace::regnamespace::text, ','), 'none')
	FROM pg_depend d JOIN pg_operator o ON d.refclassid = 'pg_operator'::regclass AND d.refobjid = o.oid
	WHERE d.classid = 'pg_policy'::regclass};
# (pg_catalog's operators are pinned: a policy records no dependency on them, only on operators elsewhere)
is($node->safe_psql('shop', $policy_ops), 'none', 'the row-level security policies use only pg_catalog operators');

# --- every health function and view, as a superuser and as a pg_monitor member --------------------------------------
my @calls = map { "SELECT * FROM $_" } split /\n/, $node->safe_psql('shop', $pin . q{
	SELECT c.oid::regclass FROM pg_class c
	WHERE c.relnamespace = 'optimize'::regnamespace AND c.relkind = 'v' ORDER BY 1});
ok(@calls >= 10, 'every view of the extension is called (' . scalar(@calls) . ')');
push @calls, 'SELECT * FROM optimize.missing_fk_indexes()', 'SELECT * FROM optimize.metrics()',
  'SELECT * FROM optimize.config_recommendations()', 'SELECT * FROM optimize.health_check()',
  q{SELECT optimize.report()}, q{SELECT optimize.report('json')}, 'SELECT * FROM optimize.latency_histogram()',
  'SELECT * FROM optimize.run_maintenance()';
my $metric = $node->safe_psql('shop', $pin . 'SELECT metric FROM optimize.metrics() ORDER BY 1 LIMIT 1');
push @calls, "SELECT * FROM optimize.trend('$metric')";
$node->safe_psql('shop', $pin . 'CREATE TABLE public.orders (id int PRIMARY KEY, customer int);
	CREATE TABLE public.lines (id int PRIMARY KEY, order_id int REFERENCES public.orders)');
for my $who (qw(postgres watcher))
{
	my @failed;
	for my $call (@calls)
	{
		my ($rc, $out, $err) = $node->psql('shop', $call, extra_params => [ '-U', $who ]);
		push @failed, "$call: $err" if $rc != 0 && $who eq 'postgres';
	}
	is(join("\n", @failed), '', "$who: every call succeeds");
	nobody_caught('shop', "$who: no health function or view runs a planted object");
}
# and mallory, whose own path is hostile too, gets no one else's rights through the extension
$node->psql('shop', $_, extra_params => [ '-U', 'mallory' ]) for @calls;
nobody_caught('shop', 'mallory: nothing of the extension runs her objects with other rights');

# --- statement texts stay private ------------------------------------------------------------------------------------
my $secret = 'secret-token-42';
$node->safe_psql('shop', $pin . "SELECT '$secret' AS token, pg_catalog.count(*) FROM public.orders");
my $sleeper = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('shop'), '-c', $pin . "SELECT pg_catalog.pg_sleep(60), '$secret-live'" ],
	'>', \my $sleep_out, '2>', \my $sleep_err);
poll($node, 'postgres', "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%$secret-live%' AND state = 'active'
                    AND pid <> pg_backend_pid()", '1', 'a superuser statement with a secret is running');
sleep 1; # past 50 ms: a long-running query
my $seen = '';
for my $call (@calls)
{
	my ($rc, $out, $err) = $node->psql('shop', $call, extra_params => [ '-U', 'mallory' ]);
	$seen .= "$call\n" if $out =~ /$secret/;
}
is($seen, '', 'mallory reads no statement text of the superuser in any view or function');
like($node->safe_psql('shop', 'SELECT query FROM optimize.long_running_queries', extra_params => [ '-U', 'watcher' ]),
	qr/\Q$secret\E-live/, 'watcher (pg_monitor, so pg_read_all_stats) reads it, as in pg_stat_activity');
$node->safe_psql('postgres', "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%$secret-live%'
                               AND pid <> pg_backend_pid()");
$sleeper->finish;

# --- ALTER EXTENSION UPDATE from 0.1 re-binds the policies ------------------------------------------------------------
# 0.1's script compared through the installing session's search_path (here: public, with her operators)
$node->safe_psql('shop01', q{CREATE EXTENSION pg_optimize VERSION '0.1'});
is($node->safe_psql('shop01', $policy_ops), 'public', '0.1 bound its policies to the planted public operator');
$node->safe_psql('shop01', $pin . 'TRUNCATE evil.log');
$node->safe_psql('shop01', 'ALTER EXTENSION pg_optimize UPDATE');
is($node->safe_psql('shop01', $pin . q{SELECT extversion FROM pg_extension WHERE extname = 'pg_optimize'}), '0.2',
	'updated to 0.2');
is($node->safe_psql('shop01', $policy_ops), 'none', 'ALTER EXTENSION UPDATE re-binds the policies to pg_catalog');
nobody_caught('shop01', 'ALTER EXTENSION UPDATE runs none of the planted objects');
$node->safe_psql('shop01', $_) for @calls;
nobody_caught('shop01', 'after the update no health function or view runs a planted object');

# --- DDL on databases she does not own -------------------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', q{
CREATE EXTENSION pg_optimize;
CREATE FUNCTION slow() RETURNS int LANGUAGE sql AS 'SELECT 1 FROM pg_sleep(600)';
CREATE MATERIALIZED VIEW slow_view AS SELECT slow() AS one WITH NO DATA;
SELECT optimize.schedule('long_refresh', 'refresh_materialized_views', '1 second', 'slow_view',
                         max_runtime => '1 hour');
});
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize job' AND datname = 'app'},
	'1', 'a job runs in app');
my $pids = q{SELECT string_agg(pid::text, ',' ORDER BY backend_type, pid) FROM pg_stat_activity
             WHERE datname = 'app' AND backend_type IN ('pg_optimize job', 'pg_optimize scheduler')};
my $before = $node->safe_psql('postgres', $pids);
like($before, qr/^\d+,\d+$/, 'app has its scheduler and a job worker');
for my $ddl ('DROP DATABASE app', 'DROP DATABASE app WITH (FORCE)', 'ALTER DATABASE app RENAME TO stolen',
	'ALTER DATABASE app SET TABLESPACE pg_default', 'CREATE DATABASE copy TEMPLATE app')
{
	my ($rc, $out, $err) = $node->psql('postgres', $ddl, extra_params => [ '-U', 'mallory' ]);
	like($err, qr/must be owner|permission denied/, "mallory: $ddl is refused");
	is($node->safe_psql('postgres', $pids), $before, "mallory: $ddl leaves app's scheduler and job running");
}
is($node->safe_psql('app', q{SELECT state FROM optimize.scheduler_status WHERE database = 'app'}), 'running',
	'app\'s scheduler is not paused');
is($node->safe_psql('app', q{SELECT count(*) FROM optimize.job_runs WHERE status = 'crashed'}), '0',
	'no run of app was cut short');

# a superuser's CREATE DATABASE ... TEMPLATE of a database with a scheduler: stopped for the copy, then back
($rc, $out, $err) = $node->psql('postgres', q{SET lock_timeout = '10s'; CREATE DATABASE copy TEMPLATE app});
is($rc, 0, 'a superuser copies a database that has a scheduler and a running job') or diag($err);
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler'
                     AND datname = 'app'}, '1', 'app gets its scheduler back at once after the copy');
is($node->safe_psql('copy', q{SELECT count(*) FROM optimize.jobs WHERE name = 'long_refresh'}), '1',
	'the copy has the jobs');
$node->safe_psql('app', q{SELECT optimize.unschedule('long_refresh')});

$node->stop;
unlike(slurp_file($node->logfile), qr/server process .* was terminated by signal/, 'no backend crash');

done_testing();
