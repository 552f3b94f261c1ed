# pg_upgrade of a cluster with pg_optimize, its jobs and their history, from PostgreSQL 15 to the version under test:
# the jobs, runs and snapshots come through, the extension works in the new cluster, and the launcher and schedulers
# stay out of the binary-upgrade server. The old installation is $PGO_OLD_BINDIR (test/run passes the staged 15
# with pg_optimize) or else the one under test (an upgrade within the major version, which pg_upgrade does the
# same way). The new installation needs a pg_upgrade of its own version: the PostgreSQL 17 and 18 server trees
# test/lib/versions.sh fetches (npm's @embedded-postgres) ship only initdb, pg_ctl and postgres, so there the test is
# skipped and says so.
use strict;
use warnings;
use File::Basename;
use File::Spec;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my ($new_bin) = grep { -x "$_/postgres" } split /:/, $ENV{PATH};
BAIL_OUT('no postgres on PATH') unless $new_bin;
my $old_bin = $ENV{PGO_OLD_BINDIR} || $new_bin;
plan skip_all => "the installation under test ($new_bin) has no pg_upgrade (the npm embedded-postgres trees of "
  . "17 and 18 ship only initdb, pg_ctl and postgres)"
  unless -x "$new_bin/pg_upgrade";
plan skip_all => "the old installation ($old_bin) has no pg_optimize" unless -f dirname($old_bin) . '/lib/pg_optimize.so'
  || glob(dirname($old_bin) . '/lib/postgresql/pg_optimize.so');

# No scheduler in either cluster: a default job firing mid-test would add runs to what is compared.
my $conf = "shared_preload_libraries = 'pg_optimize'\npg_optimize.databases = 'none'\n";
my $old = PostgreSQL::Test::Cluster->new('old', install_path => dirname($old_bin));
$old->init;
$old->append_conf('postgresql.conf', $conf);
$old->start;
my $old_version = $old->safe_psql('postgres', 'SHOW server_version');

$old->safe_psql('postgres', 'CREATE DATABASE app');
$old->safe_psql('postgres', 'CREATE ROLE app_user LOGIN');
$old->safe_psql('app', q{
CREATE EXTENSION pg_optimize;
GRANT CREATE ON SCHEMA public TO app_user;
SET ROLE app_user;
CREATE TABLE public.orders (id int PRIMARY KEY, note text);
INSERT INTO public.orders SELECT g, 'n' FROM generate_series(1, 500) g;
SELECT optimize.schedule('orders_vacuum', 'vacuum_analyze', '2 hours', 'public.orders');
RESET ROLE;
SELECT optimize.schedule('metrics_snapshot', 'snapshot', '1 hour');
});
$old->safe_psql('app', q{SET ROLE app_user; SELECT count(*) FROM optimize.run_job('orders_vacuum')});
$old->safe_psql('app', q{SELECT count(*) FROM optimize.run_job('metrics_snapshot')});

my $rows = q{
SELECT (SELECT string_agg(row(id, name, kind, target, schedule, enabled, owner, is_default, last_status)::text, E'\n'
                          ORDER BY id) FROM optimize.jobs)
       || E'\n' || (SELECT string_agg(row(id, job_id, job, owner, target, started_at, finished_at, status, message)::text,
                                      E'\n' ORDER BY id) FROM optimize.job_runs)
       || E'\n' || (SELECT count(*) || ' snapshots, ' || count(DISTINCT taken_at) || ' times' FROM optimize.snapshots)};
my $before = $old->safe_psql('app', $rows);
like($before, qr/orders_vacuum.*succeeded/s, 'the old cluster has the user job and its run');
my $extversion = $old->safe_psql('app', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_optimize'});
$old->stop;

my $new = PostgreSQL::Test::Cluster->new('new', install_path => dirname($new_bin));
$new->init;
$new->append_conf('postgresql.conf', $conf);
my ($new_version) = `$new_bin/postgres --version` =~ /(\d+(?:\.\d+)+)/;

# pg_upgrade writes its reports into the current folder (and, from 15 on, into the new data folder).
chdir $PostgreSQL::Test::Utils::tmp_check or die "chdir: $!";
command_ok(
	[
		"$new_bin/pg_upgrade", '--no-sync',
		'-d', $old->data_dir, '-D', $new->data_dir,
		'-b', $old_bin, '-B', $new_bin,
		'-s', $new->host, '-p', $old->port, '-P', $new->port
	],
	"pg_upgrade from PostgreSQL $old_version to $new_version with pg_optimize installed");
$new->start;

is($new->safe_psql('app', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_optimize'}),
	$extversion, 'the extension keeps its version');
is($new->safe_psql('app', $rows), $before, 'jobs, runs and snapshots come through unchanged');
is($new->safe_psql('app', q{SET ROLE app_user; SELECT string_agg(name, ',') FROM optimize.jobs}),
	'orders_vacuum', 'the policies still show the user only their own job');
is($new->safe_psql('app', q{SET ROLE app_user; SELECT status FROM optimize.run_job('orders_vacuum')}),
	'succeeded', 'the job runs in the upgraded cluster');
ok($new->safe_psql('app', q{SELECT count(*) FROM optimize.job_runs WHERE job = 'orders_vacuum'}) == 2,
	'and its history goes on');
# The binary-upgrade server ran no pg_optimize worker (they would have written to the catalogs being restored).
unlike(slurp_file($old->logfile) . join('', map { slurp_file($_) } glob($new->data_dir . '/pg_upgrade_output.d/*/log/*.log')),
	qr/terminated by signal/, 'no process crashed during the upgrade');
$new->stop;
done_testing();
