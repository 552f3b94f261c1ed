# The automation against an attacker, on a real cluster. A database owner who is no superuser plants functions and
# operators in public and in a schema put first by ALTER DATABASE/ALTER ROLE ... SET search_path, before each job kind
# runs as a superuser-owned job, before run_job(), run_maintenance() and the other API functions called by a
# superuser: none of them ever runs (they would record themselves in a table anyone may write). Neither a BYPASSRLS
# role nor the table's owner can write a job that runs as a superuser; a row written by hand is checked before it
# runs. A row lock held on optimize.jobs stalls nothing, and DROP DATABASE ... WITH (FORCE) succeeds meanwhile. The
# API's limits: run_job() and run_maintenance(false) within max_parallel_jobs, history_per_job as runs are written,
# alter_job() by a member of the owning role, the first run in the server's time zone. Polled, never slept on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgoTest;

my $node = PostgreSQL::Test::Cluster->new('security_jobs');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
pg_optimize.launcher_naptime = 1
pg_optimize.max_parallel_jobs = 2
pg_optimize.max_workers = 8
timezone = 'UTC'
autovacuum = off
});
$node->start;

# The test's own statements in the attacked database run with a safe path: the planted objects are for pg_optimize.
# (QUIET: poll_query_until compares all of psql's output, which would include SET's command tag.)
my $safe = "\\set QUIET on\nSET search_path = pg_catalog, pg_temp;\n";

# --- the attacker ---------------------------------------------------------------------------------------------------
$node->safe_psql('postgres', q{
CREATE ROLE mallory LOGIN;
CREATE DATABASE shop OWNER mallory;
});
$node->safe_psql('shop', 'CREATE EXTENSION pg_optimize');
# Default jobs stay out of the way (they are superuser-owned and would run at the top of the hour).
$node->safe_psql('shop', q{UPDATE optimize.jobs SET enabled = false WHERE is_default});

# As the database owner (who owns public on PostgreSQL 15 and later): a table anyone may write, a trap that records who
# called it, and a shadow of every function and operator pg_optimize's statements use.
$node->safe_psql('shop', q{
SET ROLE mallory;
CREATE TABLE public.pwned (what text, by_role text, as_superuser boolean, at timestamptz DEFAULT pg_catalog.now());
GRANT INSERT, SELECT ON public.pwned TO PUBLIC;
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE FUNCTION evil.trap(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.pwned (what, by_role, as_superuser)
  SELECT what, r.rolname, r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user;
  -- What an attacker would do with a superuser's call.
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
    EXECUTE 'ALTER ROLE mallory SUPERUSER';
  END IF;
END
$$;
CREATE FUNCTION public.jsonb_text(j jsonb, path text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('public.#>>(jsonb, text)'); RETURN j OPERATOR(pg_catalog.#>>) path::pg_catalog.text[]; END $$;
CREATE OPERATOR public.#>> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = public.jsonb_text);
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('now()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION evil.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('clock_timestamp()'); RETURN pg_catalog.clock_timestamp(); END $$;
CREATE FUNCTION evil.to_timestamp(double precision) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('to_timestamp()'); RETURN pg_catalog.to_timestamp($1); END $$;
CREATE FUNCTION evil.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('jsonb_typeof()'); RETURN pg_catalog.jsonb_typeof($1); END $$;
CREATE FUNCTION evil.quote_literal(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('quote_literal()'); RETURN pg_catalog.quote_literal($1); END $$;
CREATE FUNCTION evil.nextval(regclass) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('nextval()'); RETURN pg_catalog.nextval($1); END $$;
CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('=(text, text)'); RETURN pg_catalog.texteq($1, $2); END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
CREATE FUNCTION evil.textne(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('<>(text, text)'); RETURN pg_catalog.textne($1, $2); END $$;
CREATE OPERATOR evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.textne);
CREATE FUNCTION evil.int8eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.trap('=(bigint, bigint)'); RETURN pg_catalog.int8eq($1, $2); END $$;
CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.int8eq);
-- Tables of the owner's, for the jobs to work on.
CREATE TABLE public.orders (id int PRIMARY KEY, note text);
INSERT INTO public.orders SELECT g, 'x' FROM pg_catalog.generate_series(1, 500) g;
DELETE FROM public.orders WHERE id OPERATOR(pg_catalog.>) 100;
CREATE MATERIALIZED VIEW public.order_count AS SELECT pg_catalog.count(*) AS n FROM public.orders WITH NO DATA;
RESET ROLE;
});
# The owner puts the shadowing schema first for every session in the database, and for its own.
$node->safe_psql('shop', q{SET ROLE mallory; ALTER DATABASE shop SET search_path = evil, pg_catalog;});
$node->safe_psql('shop', q{SET ROLE mallory; ALTER ROLE mallory SET search_path = evil, pg_catalog, public;});
is($node->safe_psql('shop', 'SHOW search_path'), 'evil, pg_catalog', 'every new session of shop gets the shadowing path');
# The traps work: a session that does not pin its path is caught (this is the test's own, as the owner).
$node->safe_psql('shop', q{SET ROLE mallory; SELECT now(); DELETE FROM public.pwned;});

my $pwned = qq{$safe SELECT coalesce(string_agg(DISTINCT what || ' as ' || by_role, ', '), 'none') FROM public.pwned};
sub no_trap_ran
{
	my ($name) = @_;
	is($node->safe_psql('shop', $pwned), 'none', $name);
}

# --- each API function, called by a superuser under the planted path -------------------------------------------------
$node->safe_psql('shop', q{SELECT optimize.schedule('vacuum_freeze', 'vacuum', '1 day', options => '{"freeze": true}')});
no_trap_ran('schedule() with options, by a superuser: no planted function or operator ran');
$node->safe_psql('shop', q{SELECT * FROM optimize.run_job('vacuum_freeze')});
no_trap_ran('run_job() of a superuser-owned vacuum job with options: none ran');
is($node->safe_psql('shop', qq{$safe SELECT status FROM optimize.job_runs WHERE job = 'vacuum_freeze'}), 'succeeded',
	'and the job succeeded');
$node->safe_psql('shop', q{SELECT optimize.alter_job('vacuum_freeze', schedule => '2 days', options => '{"max_tables": 3}')});
no_trap_ran('alter_job(): none ran');
$node->safe_psql('shop', q{SELECT * FROM optimize.run_maintenance(false)});
no_trap_ran('run_maintenance(false) by a superuser: none ran');
$node->safe_psql('shop', q{SELECT * FROM optimize.run_maintenance()});
no_trap_ran('run_maintenance() (dry run): none ran');
$node->safe_psql('shop', q{SELECT optimize.unschedule('vacuum_freeze')});
no_trap_ran('unschedule(): none ran');

# --- every job kind, run by the scheduler as a superuser-owned job ---------------------------------------------------
$node->safe_psql('shop', q{
SELECT optimize.schedule('k_vacuum_analyze', 'vacuum_analyze', '1 second', options => '{"freeze": true}');
SELECT optimize.schedule('k_vacuum', 'vacuum', '1 second', 'public.orders', options => '{"cost_limit": 500}');
SELECT optimize.schedule('k_analyze', 'analyze', '1 second', options => '{"max_tables": 5}');
SELECT optimize.schedule('k_refresh', 'refresh_materialized_views', '1 second');
SELECT optimize.schedule('k_snapshot', 'snapshot', '1 second');
SELECT optimize.schedule('k_cleanup', 'cleanup', '1 second');
});
poll($node, 'shop', qq{$safe SELECT pg_catalog.count(DISTINCT job) FROM optimize.job_runs
                 WHERE job LIKE 'k\\_%' AND status = 'succeeded'}, '6',
	'each job kind has run, and succeeded');
is($node->safe_psql('shop', qq{$safe SELECT n FROM public.order_count}), '100', 'the refresh did its work');
no_trap_ran('no planted function or operator ran in any scheduler or job worker');
$node->safe_psql('shop', qq{$safe SELECT optimize.unschedule(name) FROM optimize.jobs WHERE name LIKE 'k\\_%'});

# The owner's own jobs, run as the owner under the owner's path: still none ran (and never as a superuser).
$node->safe_psql('shop', q{SELECT optimize.schedule('own_analyze', 'analyze', '1 day', 'public.orders',
                                                    options => '{"cost_limit": 100}')},
	extra_params => [ '-U', 'mallory' ]);
$node->safe_psql('shop', q{SELECT * FROM optimize.run_job('own_analyze')}, extra_params => [ '-U', 'mallory' ]);
no_trap_ran('the owner\'s own job, scheduled and run under its own planted path: none ran');
is($node->safe_psql('postgres', q{SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'}), 'f',
	'the database owner is no superuser after all of it');

# --- who may write jobs ---------------------------------------------------------------------------------------------
$node->safe_psql('shop', q{CREATE ROLE bypasser LOGIN BYPASSRLS});
like(fails($node, 'shop', q{INSERT INTO optimize.jobs (name, kind, schedule, owner) VALUES ('b', 'analyze', '1 second', 'postgres')},
		extra_params => [ '-U', 'bypasser' ]),
	qr/permission denied for table jobs/, 'a BYPASSRLS role cannot insert a job owned by a superuser');
like(fails($node, 'shop', q{UPDATE optimize.jobs SET enabled = true WHERE is_default}, extra_params => [ '-U', 'bypasser' ]),
	qr/permission denied for table jobs/, 'nor change the default jobs');
like(fails($node, 'shop', q{DELETE FROM optimize.jobs}, extra_params => [ '-U', 'mallory' ]),
	qr/permission denied for table jobs/, 'nor can the database owner delete jobs by hand');

# The table's owner: the role that created the extension, no longer a superuser.
$node->safe_psql('postgres', q{CREATE ROLE installer LOGIN SUPERUSER; CREATE DATABASE inst OWNER installer;});
$node->safe_psql('inst', 'CREATE EXTENSION pg_optimize', extra_params => [ '-U', 'installer' ]);
$node->safe_psql('postgres', q{ALTER ROLE installer NOSUPERUSER});
like(fails($node, 'inst', q{INSERT INTO optimize.jobs (name, kind, schedule, owner) VALUES ('t', 'analyze', '1 second', 'postgres')},
		extra_params => [ '-U', 'installer' ]),
	qr/permission denied to write a job owned by another role/,
	'the owner of optimize.jobs, no superuser, cannot insert a job owned by a superuser');
like(fails($node, 'inst', q{UPDATE optimize.jobs SET schedule = '1 second', enabled = true WHERE name = 'snapshot_hourly'},
		extra_params => [ '-U', 'installer' ]),
	qr/permission denied to write a job owned by another role|only a superuser can own a snapshot job/,
	'nor make a default job its own way');

# A superuser's hand-written row is checked too.
like(fails($node, 'shop', q{INSERT INTO optimize.jobs (name, kind, schedule, options) VALUES ('h', 'vacuum', '1 day', '{"fast": 1}')}),
	qr/unknown job option "fast"/, 'a hand-written row with bad options is refused');
like(fails($node, 'shop', q{INSERT INTO optimize.jobs (name, kind, schedule, owner) VALUES ('h', 'snapshot', '1 day', 'mallory')}),
	qr/only a superuser can own a snapshot job/, 'a snapshot job owned by a role that could not run it is refused');
# A row that got in before the check (an 0.1 install): skipped with the reason, never run. (Not safe_psql: 0.1 has
# no trigger to disable, and this test must run to its end against 0.1 too.)
$node->psql('shop', q{
ALTER TABLE optimize.jobs DISABLE TRIGGER check_job_row;
INSERT INTO optimize.jobs (name, kind, schedule, owner) VALUES ('planted_cleanup', 'cleanup', '1 second', 'mallory');
ALTER TABLE optimize.jobs ENABLE TRIGGER check_job_row;
}, on_error_stop => 0);
$node->safe_psql('shop', q{SELECT optimize.alter_job('snapshot_hourly', max_retries => 5)}); # wakes the scheduler
poll($node, 'shop', qq{$safe SELECT status || ': ' || message FROM optimize.job_runs WHERE job = 'planted_cleanup' LIMIT 1},
	'skipped: only a superuser can own a cleanup job', 'a row written past the check is skipped, with the reason');
$node->safe_psql('shop', qq{$safe DELETE FROM optimize.jobs WHERE name = 'planted_cleanup'});

# --- a member of the owning role ------------------------------------------------------------------------------------
$node->safe_psql('shop', q{
CREATE ROLE team;
CREATE ROLE teammate LOGIN IN ROLE team, pg_monitor;
GRANT CREATE ON SCHEMA public TO team;
SET ROLE team;
CREATE TABLE public.team_table (id int);
SELECT optimize.schedule('team_job', 'analyze', '1 day', 'public.team_table');
});
$node->safe_psql('shop', q{SELECT optimize.alter_job('team_job', enabled => false)}, extra_params => [ '-U', 'teammate' ]);
is($node->safe_psql('shop', qq{$safe SELECT enabled FROM optimize.jobs WHERE name = 'team_job'}), 'f',
	'alter_job() by a member of the owning role changes the job (no success while nothing changed)');
$node->safe_psql('shop', q{SELECT optimize.unschedule('team_job')}, extra_params => [ '-U', 'teammate' ]);
is($node->safe_psql('shop', qq{$safe SELECT count(*) FROM optimize.jobs WHERE name = 'team_job'}), '0',
	'unschedule() by a member of the owning role removes it');

# --- the first run in the server's time zone, not the caller's -------------------------------------------------------
$node->safe_psql('shop', q{ALTER ROLE teammate SET timezone = 'Pacific/Kiritimati'});
$node->safe_psql('shop', q{SET ROLE team; CREATE TABLE public.tz_table (id int);});
$node->safe_psql('shop', q{SELECT optimize.schedule('at_three', 'analyze', '0 3 * * *', 'public.tz_table')},
	extra_params => [ '-U', 'teammate' ]);
poll($node, 'shop', qq{$safe SELECT extract(hour FROM next_run AT TIME ZONE 'UTC') FROM optimize.jobs WHERE name = 'at_three'},
	'3', 'a cron job scheduled by a role with another TimeZone first runs at 03:00 of the server\'s time zone');

# --- limits on run_job() and run_maintenance(false) -----------------------------------------------------------------
# Two jobs of shop (max_parallel_jobs = 2) held running: refreshes waiting for a lock a session holds.
$node->safe_psql('shop', q{
SET ROLE mallory;
CREATE MATERIALIZED VIEW public.held_a AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW public.held_b AS SELECT 1 AS one;
});
my $holder = $node->background_psql('shop');
$holder->query_safe('BEGIN');
$holder->query_safe('ANALYZE public.held_a, public.held_b');
$node->safe_psql('shop', q{
SELECT optimize.schedule('held_a', 'refresh_materialized_views', '1 second', 'public.held_a', lock_timeout => '5 minutes');
SELECT optimize.schedule('held_b', 'refresh_materialized_views', '1 second', 'public.held_b', lock_timeout => '5 minutes');
SELECT optimize.schedule('quick', 'analyze', '1 day', 'public.orders');
});
poll($node, 'shop', qq{$safe SELECT running_jobs FROM optimize.scheduler_status WHERE database = 'shop'}, '2',
	'two jobs run in shop, as many as max_parallel_jobs');
like(fails($node, 'shop', q{SET pg_optimize.worker_wait_timeout = 0; SELECT * FROM optimize.run_job('quick')}),
	qr/ERROR:  cannot start job "quick": 2 pg_optimize jobs already run in this database \(pg_optimize\.max_parallel_jobs\)/,
	'run_job() refuses a third job at once, with the reason');
like(fails($node, 'shop', q{SET pg_optimize.worker_wait_timeout = '300ms'; SELECT * FROM optimize.run_maintenance(false)}),
	qr/cannot start job "run_maintenance".*\n.*DETAIL:  Waited 300 ms/,
	'run_maintenance(false) waits within its bound, then refuses');
$holder->query_safe('COMMIT');
$holder->quit;
$node->safe_psql('shop', q{SELECT optimize.unschedule('held_a'); SELECT optimize.unschedule('held_b');});
poll($node, 'shop', qq{$safe SELECT running_jobs FROM optimize.scheduler_status WHERE database = 'shop'}, '0',
	'the held jobs end');
is($node->safe_psql('shop', q{SELECT status FROM optimize.run_job('quick')}), 'succeeded',
	'with a place free, run_job() runs');

# --- history_per_job as runs are written ----------------------------------------------------------------------------
$node->safe_psql('postgres', q{ALTER SYSTEM SET pg_optimize.history_per_job = 3; SELECT pg_reload_conf();});
$node->safe_psql('shop', q{SELECT optimize.schedule('often', 'analyze', '1 second', 'public.orders')});
my $first = '';
poll($node, 'shop', qq{$safe SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'often'}, 't', 'the job runs');
$first = $node->safe_psql('shop', qq{$safe SELECT min(id) FROM optimize.job_runs WHERE job = 'often'});
poll($node, 'shop', qq{$safe SELECT min(id) > $first FROM optimize.job_runs WHERE job = 'often'}, 't',
	'a job due every second: its oldest runs go as new ones are written');
cmp_ok($node->safe_psql('shop', qq{$safe SELECT count(*) FROM optimize.job_runs WHERE job = 'often'}), '<=', 4,
	'at most history_per_job finished runs (and the one running) are kept');
$node->safe_psql('shop', q{SELECT optimize.unschedule('often')});
$node->safe_psql('postgres', q{ALTER SYSTEM RESET pg_optimize.history_per_job; SELECT pg_reload_conf();});

# --- a row lock on optimize.jobs stalls nothing ---------------------------------------------------------------------
$node->safe_psql('shop', q{
SELECT optimize.schedule('locked', 'analyze', '1 second', 'public.orders');
SELECT optimize.schedule('free', 'analyze', '1 second', 'public.orders');
});
poll($node, 'shop', qq{$safe SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'locked' AND status = 'succeeded'}, 't',
	'both jobs run');
my $locker = $node->background_psql('shop');
$locker->query_safe('BEGIN');
$locker->query_safe(q{SELECT 1 FROM optimize.jobs WHERE name OPERATOR(pg_catalog.=) 'locked' FOR UPDATE});
my $free_runs = $node->safe_psql('shop', qq{$safe SELECT count(*) FROM optimize.job_runs WHERE job = 'free'});
poll($node, 'shop', qq{$safe SELECT count(*) >= $free_runs + 3 FROM optimize.job_runs WHERE job = 'free'}, 't',
	'an idle FOR UPDATE lock on one job\'s row: the other jobs of the database go on running');
my $scheduler = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'shop'});
$node->safe_psql('postgres', "SELECT pg_terminate_backend($scheduler)");
poll($node, 'postgres', qq{SELECT count(*) FROM pg_stat_activity WHERE pid = $scheduler}, '0',
	'a SIGTERM ends the scheduler while the lock is held');
poll($node, 'postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = 'shop'},
	'1', 'and it comes back');
my ($drop_rc, $drop_out, $drop_err) = $node->psql('postgres', 'DROP DATABASE shop WITH (FORCE)');
is($drop_rc, 0, 'DROP DATABASE ... WITH (FORCE) succeeds while a user holds a row lock on optimize.jobs')
  or diag($drop_err);
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_database WHERE datname = 'shop'}), '0', 'shop is gone');
eval { $locker->quit };

unlike(slurp_file($node->logfile), qr/terminated by signal|server process .* was terminated/,
	'nothing crashed');

done_testing();
