# The automation's limits and settings on a real cluster: pg_optimize.max_parallel_jobs (jobs of one database take
# turns), a reload reaching a running scheduler, refresh_materialized_views without a target, run_maintenance()
# filling a never-populated materialized view, pg_optimize.databases (a database left out at a reload loses its
# scheduler, and gets it back when listed again), pg_optimize.max_workers (schedulers and jobs, cluster-wide), and
# databases without the extension giving their slot up to one that has it.
# Everything that takes time is polled for, never slept on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgoTest;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('limits');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
pg_optimize.launcher_naptime = 1
pg_optimize.max_parallel_jobs = 1
pg_optimize.max_workers = 4
autovacuum = off
restart_after_crash = on
});
$node->start;

# At start the launcher says what it takes of max_worker_processes.
poll_log(
	qr/LOG:  pg_optimize launcher started: pg_optimize\.max_workers = 4 schedulers and jobs plus the launcher may use 5 of max_worker_processes = 8, leaving 3/, 0,
	'the launcher logs its share of the background workers at start');

# Waits, as poll_query_until does, for the server log from $offset on to match $regexp.
sub poll_log
{
	my ($regexp, $offset, $name) = @_;
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return pass($name) if slurp_file($node->logfile, $offset) =~ $regexp;
		usleep(100_000);
	}
	return fail($name);
}

sub schedulers
{
	my ($db) = @_;
	return $node->safe_psql('postgres',
		qq{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = '$db'});
}

# A database with the extension whose default jobs (hourly at :00 and :15...) are disabled in the same transaction:
# none of them can fire during the test and take a worker.
sub create_database_with_extension
{
	my ($db) = @_;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, q{BEGIN;
CREATE EXTENSION pg_optimize;
UPDATE optimize.jobs SET enabled = false WHERE is_default;
COMMIT;});
}

# Do the latest runs of two jobs overlap in time? 't' or 'f', and the two intervals for the diagnostics.
sub latest_runs_overlap
{
	my ($db, $job1, $job2) = @_;
	my $runs = qq{(SELECT * FROM optimize.job_runs WHERE job = '$job1' ORDER BY id DESC LIMIT 1) a,
	              (SELECT * FROM optimize.job_runs WHERE job = '$job2' ORDER BY id DESC LIMIT 1) b};
	return (
		$node->safe_psql($db,
			qq{SELECT tstzrange(a.started_at, a.finished_at) && tstzrange(b.started_at, b.finished_at) FROM $runs}),
		$node->safe_psql($db,
			qq{SELECT a.job || ' ' || a.started_at || ' - ' || a.finished_at || ', '
			          || b.job || ' ' || b.started_at || ' - ' || b.finished_at FROM $runs}));
}

# --- pg_optimize.max_parallel_jobs ----------------------------------------------------------------------------------
create_database_with_extension('app');
poll($node, 'app', q{SELECT state FROM optimize.scheduler_status WHERE database = 'app'}, 'running', 'app has its scheduler');
my $app_scheduler = scheduler_pid($node, 'app');

# Two refreshes of two seconds each, due at the same instant (alter_job() wakes the scheduler at commit).
$node->safe_psql('app', q{
CREATE FUNCTION slow() RETURNS int LANGUAGE sql AS 'SELECT 1 FROM pg_sleep(2)';
CREATE MATERIALIZED VIEW slow_a AS SELECT slow() AS one WITH NO DATA;
CREATE MATERIALIZED VIEW slow_b AS SELECT slow() AS one WITH NO DATA;
SELECT optimize.schedule('refresh_a', 'refresh_materialized_views', '1 hour', 'slow_a');
SELECT optimize.schedule('refresh_b', 'refresh_materialized_views', '1 hour', 'slow_b');
});
my $both_due = q{BEGIN;
UPDATE optimize.jobs SET next_run = now() WHERE name IN ('refresh_a', 'refresh_b');
SELECT optimize.alter_job('refresh_a', max_retries => 5);
COMMIT;};
$node->safe_psql('app', $both_due);
poll($node, 'app', q{SELECT count(*) FROM optimize.job_runs WHERE job IN ('refresh_a', 'refresh_b') AND status = 'succeeded'},
	'2', 'with max_parallel_jobs = 1, two jobs due at once both run');
is($node->safe_psql('app', q{SELECT string_agg(job || ' ' || status, ', ' ORDER BY id) FROM optimize.job_runs
                              WHERE job IN ('refresh_a', 'refresh_b')}),
	'refresh_a succeeded, refresh_b succeeded',
	'once each, in the order of the jobs: the second waited its turn, with no skipped run recorded');
my ($overlap, $intervals) = latest_runs_overlap('app', 'refresh_a', 'refresh_b');
is($overlap, 'f', 'their runs do not overlap') or diag($intervals);
like(fails($node, 'app', 'SET pg_optimize.max_parallel_jobs = 2'),
	qr/parameter "pg_optimize\.max_parallel_jobs" cannot be changed now/,
	'max_parallel_jobs is a server setting, not a session one');

# --- a reload reaches a running scheduler ----------------------------------------------------------------------------
$node->safe_psql('app', q{ALTER SYSTEM SET pg_optimize.max_parallel_jobs = 2; SELECT pg_reload_conf();});
# A new session has the new value once the postmaster has reloaded, and by then it has signalled its children.
poll($node, 'app', 'SHOW pg_optimize.max_parallel_jobs', '2', 'the server has reloaded max_parallel_jobs = 2');
$node->safe_psql('app', $both_due);
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize job' AND datname = 'app'},
	'2', 'after the reload the same two jobs run at the same time');
poll($node, 'app', q{SELECT count(*) FROM optimize.job_runs WHERE job IN ('refresh_a', 'refresh_b') AND status = 'succeeded'},
	'4', 'and both succeed');
($overlap, $intervals) = latest_runs_overlap('app', 'refresh_a', 'refresh_b');
is($overlap, 't', 'their runs overlap') or diag($intervals);
is(scheduler_pid($node, 'app'), $app_scheduler, 'the scheduler took the new value without a restart');
$node->safe_psql('app', q{
SELECT optimize.unschedule('refresh_a');
SELECT optimize.unschedule('refresh_b');
DROP MATERIALIZED VIEW slow_a, slow_b;
DROP FUNCTION slow();
});

# --- refresh_materialized_views without a target -----------------------------------------------------------------------
$node->safe_psql('app', q{
CREATE TABLE items (id int, qty int);
INSERT INTO items VALUES (1, 1);
CREATE MATERIALIZED VIEW item_count AS SELECT count(*) AS n FROM items;
CREATE UNIQUE INDEX ON item_count (n);
CREATE MATERIALIZED VIEW item_total AS SELECT sum(qty) AS total FROM items;
INSERT INTO items VALUES (2, 5);
SELECT optimize.schedule('refresh_all', 'refresh_materialized_views', '1 hour');
});
is($node->safe_psql('app', q{SELECT status || ': ' || message FROM optimize.run_job('refresh_all')}),
	'succeeded: 2 of 2 steps succeeded', 'a refresh job without a target refreshes both materialized views');
is($node->safe_psql('app', q{SELECT (SELECT n FROM item_count) || ' ' || (SELECT total FROM item_total)}), '2 6',
	'both are up to date');
is($node->safe_psql('app', q{SELECT string_agg(a->>'sql', ', ' ORDER BY n)
                               FROM optimize.job_runs r, jsonb_array_elements(r.details->'actions') WITH ORDINALITY x(a, n)
                              WHERE r.job = 'refresh_all'}),
	'REFRESH MATERIALIZED VIEW CONCURRENTLY public.item_count, REFRESH MATERIALIZED VIEW public.item_total',
	'its run lists both, CONCURRENTLY where a unique index allows it');
$node->safe_psql('app', q{SELECT optimize.unschedule('refresh_all')});

# --- run_maintenance() and a never-populated materialized view ------------------------------------------------------
# A unique index, yet no CONCURRENTLY: that cannot fill a view that was never populated.
$node->safe_psql('app', q{
CREATE MATERIALIZED VIEW never_filled AS SELECT count(*) AS n FROM items WITH NO DATA;
CREATE UNIQUE INDEX ON never_filled (n);
INSERT INTO items VALUES (3, 10);
});
is($node->safe_psql('app', q{SELECT string_agg(object || ' | ' || reason || ' | ' || sql || ' | ' || status, E'\n')
                               FROM optimize.run_maintenance() WHERE action = 'refresh'}),
	'public.never_filled | never populated | REFRESH MATERIALIZED VIEW public.never_filled | planned',
	'run_maintenance() plans a plain REFRESH of the never-populated view, and leaves stale populated ones alone');
is($node->safe_psql('app', q{SELECT sql || ' ' || status FROM optimize.run_maintenance(false)
                              WHERE object = 'public.never_filled'}),
	'REFRESH MATERIALIZED VIEW public.never_filled succeeded', 'run_maintenance(false) does it');
is($node->safe_psql('app', q{SELECT relispopulated FROM pg_class WHERE oid = 'never_filled'::regclass}), 't',
	'the view is populated');
# (psql, not safe_psql: reading a view still unpopulated is an error, which should fail this test only.)
is(($node->psql('app', 'SELECT n FROM never_filled'))[1], '3', 'with current data');
is($node->safe_psql('app', q{SELECT n FROM item_count}), '2', 'the stale populated view was not refreshed');
is($node->safe_psql('app', q{SELECT count(*) FROM optimize.run_maintenance() WHERE action = 'refresh'}), '0',
	'and no view is left for run_maintenance() to refresh');

# --- pg_optimize.databases ------------------------------------------------------------------------------------------
create_database_with_extension('other');
poll($node, 'app', q{SELECT state FROM optimize.scheduler_status WHERE database = 'other'}, 'running',
	'other has its scheduler');
# A job of other's runs when other is left out: it waits for a lock this session holds.
$node->safe_psql('other', q{
CREATE MATERIALIZED VIEW held AS SELECT 1 AS one;
SELECT optimize.schedule('held_refresh', 'refresh_materialized_views', '1 hour', 'held', lock_timeout => '5 min');
});
my $holder = $node->background_psql('other');
$holder->query_safe('BEGIN');
$holder->query_safe('ANALYZE held');
$node->safe_psql('other', q{BEGIN;
UPDATE optimize.jobs SET next_run = now() WHERE name = 'held_refresh';
SELECT optimize.alter_job('held_refresh', max_retries => 5);
COMMIT;});
poll($node, 'postgres', q{SELECT wait_event_type FROM pg_stat_activity WHERE backend_type = 'pg_optimize job'
                     AND datname = 'other'}, 'Lock', 'a job of other is running (waiting for a lock)');

$node->safe_psql('postgres', q{ALTER SYSTEM SET pg_optimize.databases = 'app'; SELECT pg_reload_conf();});
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler'
                     AND datname = 'other'}, '0',
	'after a reload with pg_optimize.databases = app, other has no scheduler');
poll($node, 'app', q{SELECT coalesce(pid::text, 'no pid') || ' | ' || state || ' | ' || running_jobs
                FROM optimize.scheduler_status WHERE database = 'other'},
	'no pid | excluded by pg_optimize.databases | 1', 'scheduler_status shows other excluded, with its running job');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize job'
                                    AND datname = 'other'}),
	'1', 'the job already running is left to finish');
is(scheduler_pid($node, 'app'), $app_scheduler, 'app keeps its scheduler');
$holder->query_safe('COMMIT');
$holder->quit;
poll($node, 'other', q{SELECT status FROM optimize.job_runs WHERE job = 'held_refresh'}, 'succeeded',
	'the job finishes and records its run');
poll($node, 'app', q{SELECT count(*) FROM optimize.scheduler_status WHERE database = 'other'}, '0',
	'with no job left, other leaves scheduler_status: its slot is free for another database');
is(schedulers('other'), '0', 'and other still has no scheduler');

$node->safe_psql('postgres', q{ALTER SYSTEM SET pg_optimize.databases = 'app', 'other'; SELECT pg_reload_conf();});
poll($node, 'app', q{SELECT state FROM optimize.scheduler_status WHERE database = 'other'}, 'running',
	'listed again at a reload, other gets its scheduler back');
is($node->safe_psql('app', q{SELECT count(*) FROM optimize.scheduler_status WHERE database = 'postgres'}), '0',
	'postgres, not listed, holds no slot');

# --- pg_optimize.max_workers (4 here): schedulers plus running jobs, cluster-wide -----------------------------------
like(fails($node, 'app', 'SET pg_optimize.max_workers = 5'),
	qr/parameter "pg_optimize\.max_workers" cannot be changed without restarting the server/,
	'max_workers is fixed at server start');
# Only listed databases take a slot: postgres, without the extension, would take one too.
$node->safe_psql('postgres',
	q{ALTER SYSTEM SET pg_optimize.databases = 'app', 'other', 'd3', 'd4', 'd5'; SELECT pg_reload_conf();});
poll($node, 'postgres', 'SHOW pg_optimize.databases', 'app, other, d3, d4, d5', 'the server has reloaded the list');
create_database_with_extension('d3');
create_database_with_extension('d4');
poll($node, 'postgres', q{SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_stat_activity
                    WHERE backend_type = 'pg_optimize scheduler'}, 'app d3 d4 other', 'four schedulers');
my $log_offset = -s $node->logfile;
create_database_with_extension('d5');
poll_log(qr/WARNING:  pg_optimize: not every database gets a scheduler: pg_optimize\.max_workers = 4 is in use\n.*DETAIL:.*\n.*HINT:  Raise pg_optimize\.max_workers to at least 5 and max_worker_processes to at least 9/,
	$log_offset, 'a fifth database: the launcher warns that not every database gets a scheduler, and what to raise');
is(schedulers('d5'), '0', 'd5 has none');
like($node->safe_psql('app', q{SELECT state || ': ' || last_error FROM optimize.scheduler_status WHERE database = 'd5'}),
	qr/^waiting for a slot: no scheduler slot free \(pg_optimize\.max_workers = 4 .*raise pg_optimize\.max_workers/,
	'and scheduler_status lists it, waiting, with the reason');
$node->safe_psql('postgres', 'DROP DATABASE d3');
poll($node, 'app', q{SELECT state FROM optimize.scheduler_status WHERE database = 'd5'}, 'running',
	'once d3 is dropped, d5 gets its scheduler');

# Jobs count too: with four schedulers a due job waits. The scheduler plans the marker job (no next_run) in the same
# pass, and the same transaction, in which it finds budget_job due.
$node->safe_psql('app', q{
SELECT optimize.schedule('budget_marker', 'snapshot', '1 hour');
SELECT optimize.schedule('budget_job', 'snapshot', '1 hour');
});
$node->safe_psql('app', q{BEGIN;
UPDATE optimize.jobs SET next_run = NULL WHERE name = 'budget_marker';
UPDATE optimize.jobs SET next_run = now() WHERE name = 'budget_job';
SELECT optimize.alter_job('budget_job', max_retries => 5);
COMMIT;});
poll($node, 'app', q{SELECT next_run IS NOT NULL FROM optimize.jobs WHERE name = 'budget_marker'}, 't',
	'the scheduler of app has looked at its jobs');
is($node->safe_psql('app', q{SELECT count(*) FROM optimize.job_runs WHERE job = 'budget_job'}), '0',
	'with four schedulers running, the due job waits for a worker (no run, not even a skipped one)');
$node->safe_psql('postgres', 'DROP DATABASE d4');
# (Woken here; a scheduler waiting for a worker looks again within 10 s anyway.)
$node->safe_psql('app', q{SELECT optimize.alter_job('budget_job', max_retries => 5)});
poll($node, 'app', q{SELECT string_agg(status, ' ') FROM optimize.job_runs WHERE job = 'budget_job'}, 'succeeded',
	'once d4 is dropped, the job runs');

# --- databases without the extension do not keep a slot --------------------------------------------------------------
# With every database wanted, those without the extension (postgres and three more, all older than the next one) are
# looked at and give their slot up: a database created after them with the extension still gets the fourth place.
$node->safe_psql('postgres', q{ALTER SYSTEM RESET pg_optimize.databases; SELECT pg_reload_conf();});
poll($node, 'postgres', 'SHOW pg_optimize.databases', '', 'every database is wanted again');
$node->safe_psql('postgres', "CREATE DATABASE $_") for qw(x1 x2 x3);
create_database_with_extension('late');
poll($node, 'app', q{SELECT state FROM optimize.scheduler_status WHERE database = 'late'}, 'running',
	'more databases without the extension than slots: a database with it still gets its scheduler');
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler'
                     AND datname IN ('postgres', 'x1', 'x2', 'x3')}, '0',
	'and those without it have no scheduler left');
is($node->safe_psql('postgres', q{SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_stat_activity
                                    WHERE backend_type = 'pg_optimize scheduler'}),
	'app d5 late other', 'the four schedulers are those of the databases with the extension');

unlike(slurp_file($node->logfile),
	qr/terminated by signal|"pg_optimize [a-z]+" \(PID \d+\) exited with exit code/,
	'nothing crashed, and no pg_optimize process ended with an error');

done_testing();
