# The automation on real clusters: the launcher and the schedulers as processes, jobs that really VACUUM, REFRESH and
# snapshot, timeouts that protect other sessions, failures that back off and disable, signals and crashes, the DBA's
# DDL never waiting on us, who may do what, a standby that runs nothing until promoted, pg_dump carrying the jobs, and
# a server without preloading. Everything that takes time is polled for, never slept on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgoTest;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('automation');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
pg_optimize.launcher_naptime = 1
pg_optimize.retry_min_delay = 3
autovacuum = off
restart_after_crash = on
});
$node->start;
my $version = $node->safe_psql('postgres', 'SHOW server_version_num');

# --- processes ------------------------------------------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION pg_optimize');
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize launcher' AND datname IS NULL},
	'1', 'one launcher, connected to no database');
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'app'},
	'1', 'a scheduler in the database with the extension');
# (polled: at each CREATE EXTENSION the launcher looks again at the databases it found without one, with a scheduler
# that leaves at once)
poll($node, 'app', q{SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler'
                        AND datname = 'postgres') || ' ' || (SELECT state FROM optimize.scheduler_status
                                                             WHERE database = 'postgres')},
	'0 extension not installed', 'no scheduler in a database without the extension');
is($node->safe_psql('app', q{SELECT string_agg(name || ' ' || kind || ' ' || schedule || ' ' || owner, ', ' ORDER BY id)
                               FROM optimize.jobs}),
	'vacuum_analyze_daily vacuum_analyze 0 3 * * * postgres, refresh_materialized_views_hourly refresh_materialized_views 15 * * * * postgres, snapshot_hourly snapshot 0 * * * * postgres, cleanup_weekly cleanup 30 4 * * 0 postgres',
	'CREATE EXTENSION makes the default jobs of the report, owned by its creator');
poll($node, 'app', q{SELECT count(*) FROM optimize.jobs WHERE next_run > now()}, '4', 'the scheduler plans every default job');

$node->safe_psql('postgres', 'CREATE DATABASE second');
$node->safe_psql('second', 'CREATE EXTENSION pg_optimize');
poll($node, 'postgres',
	q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'second'},
	'1', 'CREATE EXTENSION in another database gets it a scheduler without a restart');
# (polled: the new scheduler shows in pg_stat_activity a moment before it has claimed its slot)
poll($node, 'app', q{SELECT string_agg(database || ':' || state, ' ' ORDER BY database)
                FROM optimize.scheduler_status WHERE database IN ('app', 'second')},
	'app:running second:running', 'scheduler_status shows both');

# --- VACUUM by a scheduled job ---------------------------------------------------------------------------------------
$node->safe_psql('app', q{
CREATE TABLE orders (id int PRIMARY KEY, note text) WITH (autovacuum_enabled = off);
INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 20000) g;
DELETE FROM orders WHERE id % 2 = 0;
SELECT pg_stat_force_next_flush();
});
is($node->safe_psql('app', q{SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'orders'}), '10000',
	'orders has 10000 dead tuples');
$node->safe_psql('app', q{SELECT optimize.schedule('vacuum_orders', 'vacuum_analyze', '1 second', 'orders')});
poll($node, 'app', q{SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'vacuum_orders' AND status = 'succeeded'}, 't',
	'the vacuum job runs and succeeds');
is($node->safe_psql('app', q{SELECT n_dead_tup = 0 AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL
                               FROM pg_stat_user_tables WHERE relname = 'orders'}),
	't', 'its dead tuples are gone, last_vacuum and last_analyze are set');
is($node->safe_psql('app', q{SELECT details->'actions'->0->>'sql' || ' ' || (details->'actions'->0->>'dead_tuples_before')
                                    || ' -> ' || (details->'actions'->0->>'dead_tuples_after')
                               FROM optimize.job_runs WHERE job = 'vacuum_orders' AND status = 'succeeded'
                              ORDER BY id LIMIT 1}),
	'VACUUM (ANALYZE) public.orders 10000 -> 0', 'the run records the statement and dead tuples before and after');
is($node->safe_psql('app', q{SELECT (details->>'vacuum_cost_delay_ms') || ' ' || (details->>'vacuum_cost_limit')
                               FROM optimize.job_runs WHERE job = 'vacuum_orders' AND status = 'succeeded'
                              ORDER BY id LIMIT 1}),
	'2 200', 'the job paced VACUUM like autovacuum (autovacuum_vacuum_cost_delay 2 ms, vacuum_cost_limit 200)');
$node->safe_psql('app', q{SELECT optimize.unschedule('vacuum_orders')});

# --- the one-call "optimize now" -----------------------------------------------------------------------------------
$node->safe_psql('app', q{
CREATE TABLE "Audit Log" (id int, body text) WITH (autovacuum_enabled = off);
INSERT INTO "Audit Log" SELECT g, 'x' FROM generate_series(1, 5000) g;
DELETE FROM "Audit Log" WHERE id <= 4000;
SELECT pg_stat_force_next_flush();
});
is($node->safe_psql('app', q{SELECT action || ' ' || sql || ' ' || status FROM optimize.run_maintenance()
                              WHERE object = 'public."Audit Log"'}),
	'vacuum_analyze VACUUM (ANALYZE, SKIP_LOCKED) public."Audit Log" planned',
	'run_maintenance() lists what it would do, with a quoted name');
is($node->safe_psql('app', q{SELECT status FROM optimize.run_maintenance(false) WHERE object = 'public."Audit Log"'}),
	'succeeded', 'run_maintenance(false) does it');
$node->safe_psql('app', q{SELECT optimize.schedule('unthrottled', 'vacuum', '1 hour', '"Audit Log"',
                                                  options => '{"cost_delay_ms": 0, "cost_limit": 1000}')});
is($node->safe_psql('app', q{SELECT (details->>'vacuum_cost_delay_ms') || ' ' || (details->>'vacuum_cost_limit')
                               FROM optimize.run_job('unthrottled')}),
	'0 1000', 'job options override the pacing');
$node->safe_psql('app', q{SELECT optimize.unschedule('unthrottled')});
is($node->safe_psql('app', q{SELECT count(*) FROM optimize.run_maintenance() WHERE object = 'public."Audit Log"'}),
	'0', 'and then nothing is left to do for that table');

# --- materialized views --------------------------------------------------------------------------------------------
$node->safe_psql('app', q{
CREATE TABLE sales (id int, amount int);
INSERT INTO sales VALUES (1, 10);
CREATE MATERIALIZED VIEW sales_total AS SELECT count(*) AS n, sum(amount) AS total FROM sales;
CREATE UNIQUE INDEX ON sales_total (n);
INSERT INTO sales VALUES (2, 20);
SELECT optimize.schedule('refresh_sales', 'refresh_materialized_views', '1 second', 'sales_total');
});
poll($node, 'app', q{SELECT total FROM sales_total}, '30', 'a scheduled refresh brings the materialized view up to date');
is($node->safe_psql('app', q{SELECT details->'actions'->0->>'sql' FROM optimize.job_runs
                              WHERE job = 'refresh_sales' AND status = 'succeeded' ORDER BY id LIMIT 1}),
	'REFRESH MATERIALIZED VIEW CONCURRENTLY public.sales_total', 'CONCURRENTLY, since a unique index allows it');

# A refresh that must wait for a lock gives up after lock_timeout; the session holding the lock is untouched.
$node->safe_psql('app', q{SELECT optimize.alter_job('refresh_sales', enabled => false)});
my $holder = $node->background_psql('app');
# (LOCK TABLE takes no materialized view; an ANALYZE in an open transaction holds a lock REFRESH must wait for.)
$holder->query_safe('BEGIN');
$holder->query_safe('ANALYZE sales_total');
$node->safe_psql('app', q{SELECT optimize.alter_job('refresh_sales', enabled => true, lock_timeout => '200ms')});
poll($node, 'app', q{SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'refresh_sales' AND status = 'timeout'
                 AND message LIKE '%lock timeout%'}, 't',
	'a refresh blocked by a lock ends with status timeout');
is($holder->query_safe('SELECT 42'), '42', 'the session holding the lock goes on undisturbed');
$holder->query_safe('COMMIT');
$holder->quit;
$node->safe_psql('app', q{SELECT optimize.unschedule('refresh_sales')});

# A job past its max_runtime is stopped and recorded as a timeout.
$node->safe_psql('app', q{
CREATE MATERIALIZED VIEW slow_view AS SELECT 1 AS one FROM pg_sleep(0) WITH NO DATA;
CREATE OR REPLACE FUNCTION slow() RETURNS int LANGUAGE sql AS 'SELECT 1 FROM pg_sleep(5)';
DROP MATERIALIZED VIEW slow_view;
CREATE MATERIALIZED VIEW slow_view AS SELECT slow() AS one WITH NO DATA;
SELECT optimize.schedule('slow_refresh', 'refresh_materialized_views', '1 second', 'slow_view',
                         max_runtime => '500ms');
});
poll($node, 'app', q{SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'slow_refresh' AND status = 'timeout'
                 AND message LIKE '%statement timeout%max_runtime%'}, 't',
	'a job over its max_runtime is stopped and recorded as timeout');

# A job never overlaps itself: the next occurrence, while a run is still going, is skipped.
$node->safe_psql('app', q{SELECT optimize.alter_job('slow_refresh', max_runtime => '1 minute')});
poll($node, 'app', q{SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'slow_refresh' AND status = 'skipped'
                 AND message = 'the previous run is still running'}, 't',
	'a job still running is not started again');
$node->safe_psql('app', q{SELECT optimize.unschedule('slow_refresh')});

# --- failures -------------------------------------------------------------------------------------------------------
$node->safe_psql('app', q{
CREATE TABLE divisor (d int);
INSERT INTO divisor VALUES (0);
CREATE MATERIALIZED VIEW broken AS SELECT 1 / d AS q FROM divisor WITH NO DATA;
SELECT optimize.schedule('broken_refresh', 'refresh_materialized_views', '1 second', 'broken', max_retries => 1);
});
poll($node, 'app', q{SELECT enabled FROM optimize.jobs WHERE name = 'broken_refresh'}, 'f',
	'a job failing more than max_retries times in a row is disabled');
like($node->safe_psql('app', q{SELECT last_message FROM optimize.jobs WHERE name = 'broken_refresh'}),
	qr/disabled after 2 consecutive failures.*division by zero.*optimize\.alter_job\('broken_refresh', enabled => true\)/,
	'its message says why and how to re-enable it');
is($node->safe_psql('app', q{SELECT count(*) FROM optimize.job_runs WHERE job = 'broken_refresh' AND status = 'failed'}),
	'2', 'one failure, one retry');
my ($gap) = $node->safe_psql('app', q{SELECT floor(extract(epoch FROM max(started_at) - min(started_at)))
                                        FROM optimize.job_runs WHERE job = 'broken_refresh'});
ok($gap >= 3, "the retry waited for the retry delay (pg_optimize.retry_min_delay 3 s; the schedule says 1 s): $gap s");
is($node->safe_psql('app', q{SELECT severity || ' ' || kind FROM optimize.alerts WHERE object = 'job broken_refresh'}),
	'critical failed_job', 'a disabled job is a critical alert');
$node->safe_psql('app', q{SELECT optimize.unschedule('broken_refresh')});

# Rows the scheduler cannot use are skipped or disabled with the reason, and the scheduler goes on.
$node->safe_psql('app', q{
CREATE ROLE gone;
GRANT CREATE ON SCHEMA public TO gone;
SET ROLE gone;
CREATE TABLE gone_table (id int);
SELECT optimize.schedule('orphan', 'analyze', '1 second', 'gone_table');
RESET ROLE;
});
my $scheduler_before = scheduler_pid($node, 'app');
$node->safe_psql('app', q{DROP TABLE gone_table; REVOKE CREATE ON SCHEMA public FROM gone; DROP ROLE gone});
poll($node, 'app', q{SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'orphan' AND status = 'skipped'
                 AND message LIKE '%owner%no longer exists%'}, 't',
	'a job whose owner was dropped is skipped with the reason');
$node->safe_psql('app', q{SELECT optimize.unschedule('orphan')});
$node->safe_psql('app', q{CREATE TABLE gone_target (id int); SELECT optimize.schedule('lost', 'analyze', '1 second', 'gone_target');
                           DROP TABLE gone_target});
poll($node, 'app', q{SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'lost' AND status = 'skipped'
                 AND message LIKE '%target%no longer exists%'}, 't',
	'a job whose target was dropped is skipped with the reason');
poll($node, 'app', q{SELECT next_run > (SELECT min(started_at) FROM optimize.job_runs WHERE job = 'lost') + interval '2 seconds'
                FROM optimize.jobs WHERE name = 'lost'}, 't', 'the skipped job comes round again');
is($node->safe_psql('app', q{SELECT count(*) FROM optimize.job_runs WHERE job = 'lost'}), '1',
	'the same reason is recorded once, not at every occurrence');
$node->safe_psql('app', q{SELECT optimize.unschedule('lost')});
# A schedule typed by hand is refused at once; one that got in before that check (an 0.1 install) is disabled.
like(fails($node, 'app', q{INSERT INTO optimize.jobs (name, kind, schedule) VALUES ('typo', 'analyze', 'every tuesday')}),
	qr/invalid schedule "every tuesday"/, 'a row written by hand with an invalid schedule is refused');
$node->safe_psql('app', q{ALTER TABLE optimize.jobs DISABLE TRIGGER check_job_row;
INSERT INTO optimize.jobs (name, kind, schedule) VALUES ('typo', 'analyze', 'every tuesday');
ALTER TABLE optimize.jobs ENABLE TRIGGER check_job_row;});
$node->safe_psql('app', q{SELECT optimize.alter_job('snapshot_hourly', max_retries => 5)}); # wakes the scheduler
poll($node, 'app', q{SELECT enabled::text || ' ' || (last_message LIKE 'invalid schedule%') FROM optimize.jobs WHERE name = 'typo'},
	'false true', 'a job row with an invalid schedule is disabled with the reason');
is(scheduler_pid($node, 'app'), $scheduler_before, 'and the scheduler never restarted for any of it');
$node->safe_psql('app', q{DELETE FROM optimize.jobs WHERE name = 'typo'});

# --- snapshots ------------------------------------------------------------------------------------------------------
$node->safe_psql('app', q{SELECT optimize.schedule('snap', 'snapshot', '1 second')});
poll($node, 'app', q{SELECT count(DISTINCT taken_at) >= 2 FROM optimize.snapshots}, 't', 'snapshots accrue');
is($node->safe_psql('app', q{SELECT count(*) >= 2 FROM optimize.trend('connections_max', '1 hour')}), 't',
	'trend() reads them back');
$node->safe_psql('app', q{SELECT optimize.unschedule('snap')});

# --- signals and crashes --------------------------------------------------------------------------------------------
my $pid = scheduler_pid($node, 'app');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
poll($node, 'postgres', qq{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler'
                       AND datname = 'app' AND pid <> $pid}, '1',
	'a scheduler stopped with SIGTERM is started again');

# SIGTERM to a running job: the run is marked crashed by the scheduler.
$node->safe_psql('app', q{
CREATE OR REPLACE FUNCTION slow() RETURNS int LANGUAGE sql AS 'SELECT 1 FROM pg_sleep(30)';
SELECT optimize.schedule('long_refresh', 'refresh_materialized_views', '1 hour', 'slow_view');
UPDATE optimize.jobs SET next_run = now() WHERE name = 'long_refresh';
SELECT optimize.alter_job('long_refresh', max_retries => 10);
});
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize job'}, '1',
	'a job worker runs (backend_type pg_optimize job)');
$node->safe_psql('postgres', q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'pg_optimize job'});
poll($node, 'app', q{SELECT status FROM optimize.job_runs WHERE job = 'long_refresh' ORDER BY id DESC LIMIT 1}, 'crashed',
	'a job worker ended by SIGTERM leaves its run marked crashed');

# SIGKILL to a running job restarts the whole server; the new scheduler marks the leftover run crashed.
$node->safe_psql('app', q{UPDATE optimize.jobs SET next_run = now() WHERE name = 'long_refresh';
                           SELECT optimize.alter_job('long_refresh', max_retries => 10)});
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize job'}, '1',
	'the job runs again');
my $job_pid = $node->safe_psql('postgres', q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_optimize job'});
my $run_id = $node->safe_psql('app', q{SELECT max(id) FROM optimize.job_runs WHERE job = 'long_refresh'});
kill 'KILL', $job_pid;
poll($node, 'app', qq{SELECT status FROM optimize.job_runs WHERE id = $run_id}, 'crashed',
	'after the crash restart the interrupted run is marked crashed');
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'app'},
	'1', 'and the scheduler is back');
$node->safe_psql('app', q{SELECT optimize.unschedule('long_refresh')});

# SIGKILL to the scheduler itself: the server restarts its processes, the launcher starts the scheduler again.
$pid = scheduler_pid($node, 'app');
kill 'KILL', $pid;
poll($node, 'postgres', qq{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler'
                       AND datname = 'app' AND pid <> $pid}, '1',
	'a scheduler killed with SIGKILL is back after the crash restart');

# --- the DBA's DDL never waits on us ---------------------------------------------------------------------------------
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'second'},
	'1', 'second has its scheduler');
# Each statement fails outright if it has to wait on us: ALTER DATABASE RENAME at once while another session is
# connected, DROP DATABASE after PostgreSQL's own 5 s of retries, DROP EXTENSION past the lock_timeout set here.
# Success is the test; the times are shown for information (bench figures are in the README).
sub timed_ddl
{
	my ($db, $sql, $name) = @_;
	my $start = time();
	my ($rc, $out, $err) = $node->psql($db, "SET lock_timeout = '10s'; $sql");
	ok($rc == 0, sprintf('%s with a scheduler attached succeeds (%.2f s)', $name, time() - $start)) or diag($err);
}
timed_ddl('postgres', 'ALTER DATABASE second RENAME TO renamed', 'ALTER DATABASE RENAME');
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'renamed'},
	'1', 'the renamed database gets its scheduler back');
timed_ddl('postgres', 'DROP DATABASE renamed', 'DROP DATABASE (without FORCE)');

$node->safe_psql('postgres', 'CREATE DATABASE third');
$node->safe_psql('third', 'CREATE EXTENSION pg_optimize');
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'third'},
	'1', 'third has its scheduler');
timed_ddl('third', 'DROP EXTENSION pg_optimize', 'DROP EXTENSION');
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'third'},
	'0', 'and the scheduler leaves');

# --- who may do what ------------------------------------------------------------------------------------------------
$node->safe_psql('app', q{
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
GRANT CREATE ON SCHEMA public TO alice, bob;
SET ROLE alice;
CREATE TABLE alice_t (id int) WITH (autovacuum_enabled = off);
INSERT INTO alice_t SELECT generate_series(1, 3000);
DELETE FROM alice_t;
RESET ROLE;
SET ROLE bob;
CREATE TABLE bob_t (id int) WITH (autovacuum_enabled = off);
INSERT INTO bob_t SELECT generate_series(1, 3000);
DELETE FROM bob_t;
SELECT pg_stat_force_next_flush();
RESET ROLE;
});
like(fails($node, 'app', q{SELECT optimize.schedule('steal', 'vacuum', '1 hour', 'bob_t')}, extra_params => ['-U', 'alice']),
	qr/permission denied to schedule vacuum on "bob_t"/, 'a role cannot schedule work on a table it does not own');
$node->safe_psql('app', q{SELECT optimize.schedule('alice_job', 'vacuum_analyze', '1 hour')}, extra_params => ['-U', 'alice']);
$node->safe_psql('app', q{SELECT optimize.schedule('bob_job', 'analyze', '1 hour', 'bob_t')}, extra_params => ['-U', 'bob']);
is($node->safe_psql('app', q{SELECT string_agg(name, ',' ORDER BY name) FROM optimize.jobs}, extra_params => ['-U', 'alice']),
	'alice_job', 'a role sees only its own jobs');
like(fails($node, 'app', q{SELECT optimize.alter_job('bob_job', enabled => false)}, extra_params => ['-U', 'alice']),
	qr/job "bob_job" does not exist/, 'nor can it change another role\'s job');
like(fails($node, 'app', q{UPDATE optimize.jobs SET enabled = false WHERE name = 'bob_job' RETURNING 1}, extra_params => ['-U', 'alice']),
	qr/permission denied for table jobs/, 'a direct UPDATE of a job is refused (jobs are written through the API)');
is($node->safe_psql('app', q{SELECT enabled FROM optimize.jobs WHERE name = 'bob_job'}), 't', 'bob_job is still enabled');
my $alice_run = $node->safe_psql('app', q{SELECT message || ' | ' || (details->'actions')::text FROM optimize.run_job('alice_job')},
	extra_params => ['-U', 'alice']);
like($alice_run, qr/alice_t/, "alice's automatic job vacuums her table");
unlike($alice_run, qr/bob_t/, 'and not bob\'s, which she could not vacuum herself');
is($node->safe_psql('app', q{SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'bob_t'}), '3000',
	"bob_t's dead tuples are untouched");
is($node->safe_psql('app', q{SELECT count(*) FROM optimize.job_runs WHERE job = 'bob_job'}, extra_params => ['-U', 'alice']),
	'0', 'runs of other roles are hidden too');
$node->safe_psql('app', q{GRANT pg_monitor TO bob});
ok($node->safe_psql('app', q{SELECT count(*) FROM optimize.jobs}, extra_params => ['-U', 'bob']) > 2,
	'a member of pg_monitor sees every job');
like(fails($node, 'app', q{SELECT optimize.run_job('alice_job')}, extra_params => ['-U', 'bob']),
	qr/only the owner of job "alice_job" or a superuser/, 'but cannot run or change other roles\' jobs');

# --- pg_dump carries the jobs -----------------------------------------------------------------------------------------
SKIP:
{
	# The test clients are PostgreSQL 15's: pg_dump 15 refuses newer servers.
	skip 'pg_dump 15 cannot dump a newer server', 2 if $version >= 160000;
	my $dump = $node->basedir . '/app.dump';
	$node->command_ok(['pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('app')], 'pg_dump of a database with jobs');
	$node->safe_psql('postgres', 'CREATE DATABASE restored');
	$node->command_ok(['pg_restore', '-d', $node->connstr('restored'), $dump], 'pg_restore');
	is($node->safe_psql('restored', q{SELECT string_agg(name || ':' || owner, ',' ORDER BY name) FROM optimize.jobs}),
		'alice_job:alice,bob_job:bob,cleanup_weekly:postgres,refresh_materialized_views_hourly:postgres,snapshot_hourly:postgres,vacuum_analyze_daily:postgres',
		'the restored database has the users\' jobs once, beside the defaults');
}

# --- standby and promotion ------------------------------------------------------------------------------------------
$node->stop;
$node->backup_fs_cold('cold');
$node->start;
my $standby = PostgreSQL::Test::Cluster->new('automation_standby');
$standby->init_from_backup($node, 'cold', has_streaming => 1);
$standby->start;
$node->safe_psql('app', q{SELECT optimize.schedule('snap_standby', 'snapshot', '1 second')});
$node->wait_for_catchup($standby);
$node->stop;
is($standby->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'pg_optimize%'}),
	'0', 'a hot standby runs no launcher, scheduler or job');
my $snapshots_before = $standby->safe_psql('app', q{SELECT count(*) FROM optimize.snapshots});
like(
	do { my ($rc, $out, $err) = $standby->psql('app', q{SELECT optimize.run_job('snap_standby')}); $err },
	qr/cannot run a job during recovery/, 'run_job() on a standby says why it cannot');
$standby->promote;
ok($standby->poll_query_until('app',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'app'}, '1'),
	'after promotion the scheduler starts');
ok($standby->poll_query_until('app', qq{SELECT count(*) > $snapshots_before FROM optimize.snapshots}, 't'),
	'and jobs run');
$standby->stop;

# --- without shared_preload_libraries --------------------------------------------------------------------------------
my $plain = PostgreSQL::Test::Cluster->new('not_preloaded');
$plain->init;
$plain->start;
my ($rc, $out, $err) = $plain->psql('postgres', 'CREATE EXTENSION pg_optimize');
is($rc, 0, 'CREATE EXTENSION works without preloading');
like($err, qr/NOTICE:  pg_optimize automation is off.*HINT:  Add pg_optimize to shared_preload_libraries/s,
	'with a NOTICE that automation is off, and how to turn it on');
is($plain->safe_psql('postgres', q{SELECT status FROM optimize.run_job('snapshot_hourly')}), 'succeeded',
	'run_job() still works');
($rc, $out, $err) = $plain->psql('postgres', 'SELECT count(*) FROM optimize.scheduler_status');
is($out, '0', 'scheduler_status has no rows');
like($err, qr/automation is off/, 'and says why');
$plain->stop;

for my $n ($node, $standby)
{
	unlike(slurp_file($n->logfile), qr/terminated by signal (?!9)|server process .* was terminated by signal 11/,
		$n->name . ': nothing crashed but the job killed on purpose');
}

done_testing();
