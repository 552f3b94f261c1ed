# Upgrading from 0.1: a database made with CREATE EXTENSION pg_optimize VERSION '0.1', with a user's jobs, runs and
# snapshots, updated by ALTER EXTENSION pg_optimize UPDATE, must end up with exactly the objects of a fresh 0.2
# install (test/sql/extension_objects.sql; pg_dump of the schema where the client can dump the server) and keep the
# user's data. Before the update, the 0.2 library serves the 0.1 SQL objects (the state between `make install` and
# ALTER EXTENSION UPDATE): every function answers or errors clearly, and the scheduler keeps working or says why it
# waits. Nothing here names the extension's objects: it compares whatever the install and update fragments make.
use strict;
use warnings;
use File::Spec;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $source = $ENV{PGO_SOURCE_DIR} // File::Spec->rel2abs('..', $ENV{TESTDIR} // '.');
my $objects_sql = "$source/test/sql/extension_objects.sql";
BAIL_OUT("no $objects_sql (set PGO_SOURCE_DIR to the source folder)") unless -f $objects_sql;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
# A scheduler only in the database left at 0.1: elsewhere a job firing mid-test would change the rows compared.
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
pg_optimize.databases = 'stale'
pg_optimize.launcher_naptime = 1
});
$node->start;
my $version = $node->safe_psql('postgres', 'SHOW server_version_num');

sub objects
{
	my ($db) = @_;
	my ($rc, $out, $err) = $node->psql($db, undef, extra_params => [ '-XAt', '-f', $objects_sql ]);
	die "extension_objects.sql failed in $db: $err" if $rc != 0;
	return $out;
}

# A unified-style diff of two texts, for the test's diagnostics (at most 60 lines).
sub text_diff
{
	my ($a, $b) = @_;
	my %in_b = map { $_ => 1 } split /\n/, $b;
	my %in_a = map { $_ => 1 } split /\n/, $a;
	my @d = ((map {"- $_"} grep { !$in_b{$_} } split /\n/, $a), (map {"+ $_"} grep { !$in_a{$_} } split /\n/, $b));
	splice(@d, 60) if @d > 60;
	return join("\n", @d);
}

$node->safe_psql('postgres', "CREATE DATABASE $_") for qw(updated fresh stale);
$node->safe_psql('postgres', 'CREATE ROLE app_user LOGIN');

# --- a 0.1 database with a user's jobs, runs and snapshots ----------------------------------------------------------
$node->safe_psql('updated', q{
CREATE EXTENSION pg_optimize VERSION '0.1';
GRANT CREATE ON SCHEMA public TO app_user;
SET ROLE app_user;
CREATE TABLE public.orders (id int PRIMARY KEY, note text);
INSERT INTO public.orders SELECT g, 'n' FROM generate_series(1, 500) g;
DELETE FROM public.orders WHERE id % 3 = 0;
SELECT optimize.schedule('orders_vacuum', 'vacuum_analyze', '2 hours', 'public.orders');
SELECT optimize.schedule('orders_analyze', 'analyze', '30 5 * * *', 'public.orders', enabled => false);
RESET ROLE;
SELECT optimize.schedule('metrics_snapshot', 'snapshot', '1 hour');
});
is($node->safe_psql('updated', 'SELECT extversion FROM pg_extension WHERE extname = $$pg_optimize$$'),
	'0.1', 'CREATE EXTENSION ... VERSION 0.1 installs the released 0.1 script');
$node->safe_psql('updated', q{SET ROLE app_user; SELECT count(*) FROM optimize.run_job('orders_vacuum')});
$node->safe_psql('updated', q{SELECT count(*) FROM optimize.run_job('metrics_snapshot')});
$node->safe_psql('updated', q{SELECT count(*) FROM optimize.run_job('metrics_snapshot')});

# The user's rows, through the 0.1 columns only (0.2 may append columns).
my %columns;
for my $table (qw(jobs job_runs snapshots))
{
	$columns{$table} = $node->safe_psql('updated',
		qq{SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
		    WHERE attrelid = 'optimize.$table'::regclass AND attnum > 0 AND NOT attisdropped});
}
sub user_rows
{
	my %order = (jobs => 'id', job_runs => 'id', snapshots => 'metric, taken_at');
	return join("\n",
		map { "$_:\n" . $node->safe_psql('updated', "SELECT $columns{$_} FROM optimize.$_ ORDER BY $order{$_}") }
		  qw(jobs job_runs snapshots));
}
my $rows_before = user_rows();
like($rows_before, qr/orders_vacuum.*\n(.*\n)*.*orders_vacuum.*succeeded/, 'the 0.1 database has a run of the user job');
cmp_ok($node->safe_psql('updated', 'SELECT count(*) FROM optimize.snapshots'), '>', 0, 'and snapshots');
my $user_view_before = $node->safe_psql('updated',
	q{SET ROLE app_user; SELECT string_agg(name, ',' ORDER BY name) FROM optimize.jobs});

# --- the 0.2 library serving the 0.1 SQL objects -----------------------------------------------------------------------
$node->safe_psql('stale', q{CREATE EXTENSION pg_optimize VERSION '0.1'});
$node->safe_psql('fresh', q{CREATE EXTENSION pg_optimize});
is($node->safe_psql('fresh', 'SELECT extversion FROM pg_extension WHERE extname = $$pg_optimize$$'),
	'0.2', 'CREATE EXTENSION installs 0.2 by default');

# Every function of the 0.1 objects, called with its required arguments only (a sample value of each type).
my $calls = $node->safe_psql('stale', q{
SELECT p.oid::regprocedure::text || '|' || format('SELECT count(*) FROM %s(%s)', p.oid::regproc,
       coalesce((SELECT string_agg(CASE t.typname
                   WHEN 'text' THEN quote_literal('upgrade_probe') || '::text'
                   WHEN 'name' THEN quote_literal('upgrade_probe') || '::name'
                   WHEN 'bool' THEN 'true'
                   WHEN 'interval' THEN quote_literal('1 day') || '::interval'
                   WHEN 'regclass' THEN quote_literal('pg_catalog.pg_class') || '::regclass'
                   WHEN 'jsonb' THEN quote_literal('{}') || '::jsonb'
                   ELSE '1::' || format_type(t.oid, NULL) END, ', ' ORDER BY a.n)
                 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(typ, n) JOIN pg_type t ON t.oid = a.typ
                WHERE a.n <= p.pronargs - p.pronargdefaults), ''))
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
       JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_optimize'
 WHERE p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
 ORDER BY 1});
my $try = q{
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; message text; hint text;
BEGIN
  EXECUTE statement;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN state || '|' || message || '|' || coalesce(hint, '');
END
$$;};
my @calls = split /\n/, $calls;
cmp_ok(scalar(@calls), '>=', 10, 'the 0.1 objects have functions to call (' . scalar(@calls) . ')');
for my $line (@calls)
{
	my ($signature, $call) = split /\|/, $line, 2;
	my ($rc, $stale, $err) = $node->psql('stale', $try . 'SELECT pg_temp.try(' . "\$call\$$call\$call\$" . ')');
	if ($rc != 0)
	{
		fail("$signature with the 0.1 objects: the session failed: $err");
		next;
	}
	if ($stale eq 'ok')
	{
		pass("$signature with the 0.1 objects answers");
		next;
	}
	my ($state, $message, $hint) = split /\|/, $stale, 3;
	# The same call on a fresh 0.2 install: an error it gives too is the function's answer to the sample arguments.
	my (undef, $fresh) = $node->psql('fresh', $try . 'SELECT pg_temp.try(' . "\$call\$$call\$call\$" . ')');
	my ($fresh_state, $fresh_message) = split /\|/, ($fresh // ''), 3;
	my $same = defined $fresh_message && $fresh_state eq $state && $fresh_message eq $message;
	ok($state ne 'XX000' && ($same || $hint =~ /ALTER EXTENSION pg_optimize UPDATE/),
		"$signature with the 0.1 objects: a clear error ($state: $message; hint: $hint)");
}
# ... and every view (they read the functions).
for my $view (split /\n/, $node->safe_psql('stale',
		q{SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		   WHERE n.nspname = 'optimize' AND c.relkind = 'v' ORDER BY 1}))
{
	my ($rc, $out, $err) = $node->psql('stale', "SELECT count(*) FROM $view", extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	ok($rc == 0 || ($err =~ /ERROR:  [0-9A-Z]{5}:/ && $err !~ /XX000/ && $err =~ /HINT:.*ALTER EXTENSION pg_optimize UPDATE/),
		"$view with the 0.1 objects answers or errors clearly") or diag($err);
}
ok($node->safe_psql('stale', 'SELECT 1') eq '1', 'the server is up after every call');

# The scheduler of the database left at 0.1: it runs a job, or it waits and says why in the server log.
my $log_offset = -s $node->logfile;
my ($rc, undef, $err) = $node->psql('stale', q{SELECT optimize.schedule('stale_probe', 'snapshot', '1 second')});
if ($rc != 0)
{
	# schedule() refused the 0.1 objects: the job is written as 0.1 wrote it.
	$node->safe_psql('stale',
		q{INSERT INTO optimize.jobs (name, kind, schedule) VALUES ('stale_probe', 'snapshot', '1 second')});
}
my $ran = $node->poll_query_until('stale',
	q{SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'stale_probe' AND status = 'succeeded'});
my $waits = 0;
if (!$ran)
{
	# Said by the scheduler of that database itself (client errors carry the same hint).
	my $log = substr(slurp_file($node->logfile), $log_offset);
	$waits = grep { $log =~ /\[$_\].*ALTER EXTENSION pg_optimize UPDATE/ } split /\n/,
	  $node->safe_psql('postgres',
		q{SELECT pid FROM pg_stat_activity WHERE datname = 'stale' AND backend_type LIKE 'pg_optimize%'});
}
ok($ran || $waits, 'the scheduler of a database at 0.1 runs its jobs or says it waits for ALTER EXTENSION UPDATE');

# --- ALTER EXTENSION UPDATE --------------------------------------------------------------------------------------------
$node->safe_psql('updated', 'ALTER EXTENSION pg_optimize UPDATE');
is($node->safe_psql('updated', 'SELECT extversion FROM pg_extension WHERE extname = $$pg_optimize$$'),
	'0.2', 'ALTER EXTENSION pg_optimize UPDATE brings 0.1 to 0.2');

my ($updated, $fresh) = (objects('updated'), objects('fresh'));
cmp_ok(scalar(split /\n/, $fresh), '>', 20, 'extension_objects.sql describes the objects');
ok($updated eq $fresh, 'the updated database has exactly the objects of a fresh 0.2 install')
  or diag(text_diff($updated, $fresh));

# Default jobs: the same rows as a fresh install makes (ids and times aside).
my $defaults = q{SELECT string_agg(row(name, kind, target, schedule, enabled, max_runtime, lock_timeout, max_retries,
                         options, owner)::text, E'\n' ORDER BY name) FROM optimize.jobs WHERE is_default};
is($node->safe_psql('updated', $defaults), $node->safe_psql('fresh', $defaults),
	'the default jobs are those of a fresh install');

is(user_rows(), $rows_before, "the user's jobs, runs and snapshots are kept");
is($node->safe_psql('updated', q{SET ROLE app_user; SELECT string_agg(name, ',' ORDER BY name) FROM optimize.jobs}),
	$user_view_before, "the user still sees their own jobs (and only those) through the policies");
like($node->safe_psql('updated', q{SET ROLE app_user; SELECT status FROM optimize.run_job('orders_vacuum')}),
	qr/^succeeded$/, "the user's job runs after the update");

SKIP:
{
	# The test clients are PostgreSQL 15's: pg_dump 15 refuses newer servers (the catalog description above stands).
	skip 'pg_dump 15 cannot dump a newer server', 3 if $version >= 160000;
	# A plain dump shows the extension, the binary-upgrade dump (what pg_upgrade uses) every member object. Object ids
	# differ between two databases; the lines that set them are left out.
	for my $mode ([ 'plain', [] ], [ 'binary-upgrade', ['--binary-upgrade'] ])
	{
		my %dump;
		for my $db (qw(updated fresh))
		{
			my ($out, $stderr);
			IPC::Run::run(
				[
					'pg_dump', '--schema-only', '--schema=optimize', '--extension=pg_optimize', @{ $mode->[1] },
					'-d', $node->connstr($db)
				],
				'>', \$out, '2>', \$stderr) or die "pg_dump $db: $stderr";
			# Object ids, transaction ids and sequence positions are the database's, not the extension's.
			$out =~ s/^.*binary_upgrade_set_.*\n//mg;
			$out =~ s/^.*(relfrozenxid|setval\().*\n//mg;
			$out =~ s/^WHERE oid = '\d+';\n//mg;
			$out =~ s/'\{[\d,]+\}'/'{oids}'/g;
			$out =~ s/^-- Dumped (from|by) .*\n//mg;
			$out =~ s/^\\(un)?restrict .*\n//mg;
			$dump{$db} = $out;
		}
		like($dump{fresh}, qr/ALTER EXTENSION pg_optimize ADD TABLE optimize\.jobs;/,
			'the binary-upgrade dump lists the member objects')
		  if $mode->[0] eq 'binary-upgrade';
		ok($dump{updated} eq $dump{fresh}, "pg_dump --schema-only ($mode->[0]): updated = fresh")
		  or diag(text_diff($dump{updated}, $dump{fresh}));
	}
}

unlike(slurp_file($node->logfile), qr/terminated by signal|server process .* was terminated/,
	'no backend crashed');
$node->stop;
done_testing();
