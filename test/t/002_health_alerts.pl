# Health data on real clusters with real sessions: each condition is staged with background psql sessions, then
# optimize.alerts, optimize.metrics(), optimize.health_check() and the session views are asked about it.
#   - connection slots filling up (warning past 80%, critical past 95% of the usable slots)
#   - a slow statement, a statement waiting for a lock, a session idle in transaction
#   - who may read the health data, and whose query texts they see
#   - every health function on a hot standby
# Conditions that take time are waited for with poll_query_until, never with a fixed sleep. Alert thresholds are
# lowered for the checking sessions only, through PGOPTIONS, the way an operator would SET them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('health_primary');
# allows_streaming: the same cluster later feeds the hot standby.
$node->init(allows_streaming => 1);
# 10 slots, 3 kept for superusers: 7 usable (PostgreSQL 16 and later add reserved_connections, 0 by default).
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_optimize'
pg_optimize.databases = 'none'
max_connections = 10
superuser_reserved_connections = 3
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_optimize');

# Runs $code with the pg_optimize settings given applied to every connection it opens (checks and polls alike).
sub with_settings
{
	my ($settings, $code) = @_;
	local $ENV{PGOPTIONS} = join(' ', map { "-c pg_optimize.$_" } @$settings);
	return $code->();
}

sub poll
{
	my ($query, $expected, $name) = @_;
	ok($node->poll_query_until('postgres', $query, $expected), $name);
}

sub session_pid
{
	my ($session) = @_;
	return $session->query_safe('SELECT pg_backend_pid()');
}

# --- connection usage -----------------------------------------------------------------------------------------------
# Every check below runs on a connection of its own, which counts too: with N background sessions, N + 1 of the 7
# usable slots are in use. The backend of a check that just disconnected can linger for a moment, so even the checks
# that follow a successful poll are polls.
poll(q{SELECT count(*) FROM optimize.alerts WHERE kind = 'connection_usage'}, '0',
	'connections: no alert with only the checking session connected');
is($node->safe_psql('postgres', q{SELECT value FROM optimize.metrics() WHERE metric = 'connections_max'}),
	'7', 'connections: max_connections 10 minus 3 reserved for superusers leaves 7 usable slots');

my @idle_sessions;
push @idle_sessions, $node->background_psql('postgres') for 1 .. 5;
# 6 of 7: 85.7%, past the 80% warning line, short of the 95% critical one
poll(q{SELECT severity || ' ' || round(value::numeric, 1) || ' ' || threshold
         FROM optimize.alerts WHERE kind = 'connection_usage'},
	'warning 85.7 80', 'connections: 6 of 7 slots in use is a warning at the 80% threshold');
poll(q{SELECT round(m.value::numeric, 6) = round(a.value::numeric, 6),
              (SELECT value FROM optimize.metrics() WHERE metric = 'connections_total')
         FROM optimize.alerts a, optimize.metrics() m
        WHERE a.kind = 'connection_usage' AND m.metric = 'connections_used_pct'},
	't|6', 'connections: metrics() reports the same usage as the alert, from 6 connections');
poll(q{SELECT status FROM optimize.health_check() WHERE check_name = 'connections'},
	'warning', 'connections: health_check() says warning');

push @idle_sessions, $node->background_psql('postgres');
# 7 of 7: 100%
poll(q{SELECT severity || ' ' || round(value::numeric, 1) || ' ' || threshold
         FROM optimize.alerts WHERE kind = 'connection_usage'},
	'critical 100.0 95', 'connections: 7 of 7 slots in use is critical at the 95% threshold');
poll(q{SELECT round(value::numeric, 1) FROM optimize.metrics() WHERE metric = 'connections_used_pct'},
	'100.0', 'connections: metrics() connections_used_pct is 100');
poll(q{SELECT status FROM optimize.health_check() WHERE check_name = 'connections'},
	'critical', 'connections: health_check() says critical');

$_->quit for @idle_sessions;
poll(q{SELECT count(*) FROM optimize.alerts WHERE kind = 'connection_usage'}, '0',
	'connections: the alert clears once the sessions are gone');

# --- a slow statement -----------------------------------------------------------------------------------------------
# It sleeps far longer than the test needs and is cancelled once checked, so a slow machine cannot make the checks
# miss it. on_error_stop => 0: the cancellation is an error psql must survive.
my $sleeper = $node->background_psql('postgres', on_error_stop => 0);
my $sleeper_pid = session_pid($sleeper);
$sleeper->query_until(qr/sleeping/, "\\echo sleeping\nSELECT pg_sleep(60);\n");

with_settings(
	[ 'slow_query_ms=200', 'slow_query_critical_ms=600000' ],
	sub {
		poll(qq{SELECT count(*) FROM optimize.long_running_queries
		         WHERE pid = $sleeper_pid AND query LIKE 'SELECT pg_sleep(60)%' AND running_seconds > 0.2
		           AND role = current_user AND database = 'postgres'},
			'1', 'slow query: listed in long_running_queries once past slow_query_ms = 200');
		poll(qq{SELECT severity || ' ' || threshold FROM optimize.alerts
		         WHERE kind = 'slow_query' AND object = 'pid $sleeper_pid'},
			'warning 200', 'slow query: a warning alert at the 200 ms threshold');
		is( $node->safe_psql('postgres',
				q{SELECT status FROM optimize.health_check() WHERE check_name = 'long_running_queries'}),
			'warning', 'slow query: health_check() says warning');
		ok( $node->safe_psql('postgres',
				q{SELECT value FROM optimize.metrics() WHERE metric = 'longest_query_seconds'}) > 0.2,
			'slow query: metrics() longest_query_seconds is past 0.2');
	});
with_settings(
	[ 'slow_query_ms=200', 'slow_query_critical_ms=500' ],
	sub {
		poll(qq{SELECT severity || ' ' || threshold FROM optimize.alerts
		         WHERE kind = 'slow_query' AND object = 'pid $sleeper_pid'},
			'critical 500', 'slow query: critical once past slow_query_critical_ms = 500');
		is( $node->safe_psql('postgres',
				q{SELECT status FROM optimize.health_check() WHERE check_name = 'long_running_queries'}),
			'critical', 'slow query: health_check() says critical');
	});

# --- who may look, and whose query texts they see (the sleeper, a superuser's session, is still running) ------------
$node->safe_psql('postgres', q{
CREATE ROLE outsider LOGIN;
CREATE ROLE watcher LOGIN IN ROLE pg_monitor;
CREATE ROLE limited LOGIN;
GRANT SELECT ON optimize.long_running_queries TO limited;
GRANT EXECUTE ON FUNCTION optimize._long_running_queries() TO limited;
});
my ($rc, $out, $err) = $node->psql('postgres', 'SET ROLE outsider; SELECT count(*) FROM optimize.alerts');
like($err, qr/permission denied for view alerts/, 'privileges: a role without pg_monitor may not read optimize.alerts');
($rc, $out, $err) = $node->psql('postgres', 'SET ROLE outsider; SELECT count(*) FROM optimize.metrics()');
like($err, qr/permission denied for function metrics/, 'privileges: nor call optimize.metrics()');
is($node->safe_psql('postgres', 'SET ROLE outsider; SELECT count(*) FROM optimize.missing_fk_indexes()'),
	'0', 'privileges: missing_fk_indexes() stays open to every role');
is( $node->safe_psql('postgres',
		qq{SET ROLE watcher; SELECT query FROM optimize.long_running_queries WHERE pid = $sleeper_pid}),
	'SELECT pg_sleep(60);', "privileges: a pg_monitor member sees another role's query text");
is( $node->safe_psql('postgres',
		qq{SET ROLE limited; SELECT query FROM optimize.long_running_queries WHERE pid = $sleeper_pid}),
	'<insufficient privilege>',
	"privileges: a role granted the view but not pg_read_all_stats sees the session, not its query text");

is($node->safe_psql('postgres', "SELECT pg_cancel_backend($sleeper_pid)"), 't', 'slow query: cancelled');
$sleeper->quit;
poll(qq{SELECT count(*) FROM optimize.long_running_queries WHERE pid = $sleeper_pid}, '0',
	'slow query: gone from long_running_queries');

# --- a statement waiting for a lock ---------------------------------------------------------------------------------
$node->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)');
my $holder = $node->background_psql('postgres');
my $holder_pid = session_pid($holder);
# query_until, not query_safe: the lock statement stays the session's last query, as a DBA would see it.
$holder->query_until(qr/locked/, "BEGIN;\nLOCK TABLE t IN ACCESS EXCLUSIVE MODE;\n\\echo locked\n");
my $waiter = $node->background_psql('postgres');
my $waiter_pid = session_pid($waiter);
$waiter->query_until(qr/waiting/, "\\echo waiting\nSELECT * FROM t;\n");

poll(qq{SELECT count(*) FROM optimize.blocked_queries
         WHERE pid = $waiter_pid AND blocking_pids = ARRAY[$holder_pid] AND lock_type = 'relation'
           AND lock_mode = 'AccessShareLock' AND locked_relation = 't'::regclass},
	'1', 'blocked query: listed with its blocker, lock mode and relation');
is( $node->safe_psql('postgres',
		qq{SELECT query || ' | ' || blocker_state || ' | ' || blocker_query
		     FROM optimize.blocked_queries WHERE pid = $waiter_pid}),
	'SELECT * FROM t; | idle in transaction | LOCK TABLE t IN ACCESS EXCLUSIVE MODE;',
	'blocked query: its text, and what the blocker is doing');
with_settings(
	[ 'alert_lock_wait_ms=0' ],
	sub {
		is( $node->safe_psql('postgres',
				qq{SELECT severity, message LIKE '%AccessShareLock on public.t, blocked by pid $holder_pid'
				     FROM optimize.alerts WHERE kind = 'blocked_query' AND object = 'pid $waiter_pid'}),
			'warning|t', 'blocked query: alert names the lock, the table and the blocker');
		is( $node->safe_psql('postgres',
				q{SELECT status FROM optimize.health_check() WHERE check_name = 'blocked_queries'}),
			'warning', 'blocked query: health_check() is not ok');
	});
is( $node->safe_psql('postgres',
		q{SELECT string_agg(value::text, ',' ORDER BY metric) FROM optimize.metrics()
		   WHERE metric IN ('blocked_queries', 'connections_waiting_on_locks')}),
	'1,1', 'blocked query: metrics() counts one blocked query and one session waiting on a lock');

$holder->query_safe('ROLLBACK');
# The waiter's output so far is its blocked SELECT's row; then the new query's.
is($waiter->query_safe('SELECT 42'), "1\n42", 'blocked query: the waiter goes on once the lock is released');
$holder->quit;
$waiter->quit;
poll(q{SELECT count(*) FROM optimize.blocked_queries}, '0', 'blocked query: none left');

# --- a session idle in transaction ----------------------------------------------------------------------------------
my $idler = $node->background_psql('postgres');
my $idler_pid = session_pid($idler);
$idler->query_safe('BEGIN; SELECT 1;');
is( $node->safe_psql('postgres',
		qq{SELECT count(*) FROM optimize.alerts WHERE kind = 'idle_in_transaction' AND object = 'pid $idler_pid'}),
	'0', 'idle in transaction: no alert before the default 60 s');
with_settings(
	[ 'alert_idle_in_transaction_s=1', 'alert_idle_in_transaction_critical_s=600' ],
	sub {
		poll(qq{SELECT severity || ' ' || threshold FROM optimize.alerts
		         WHERE kind = 'idle_in_transaction' AND object = 'pid $idler_pid'},
			'warning 1', 'idle in transaction: a warning past alert_idle_in_transaction_s = 1');
		is( $node->safe_psql('postgres',
				q{SELECT status FROM optimize.health_check() WHERE check_name = 'idle_in_transaction'}),
			'warning', 'idle in transaction: health_check() says warning');
	});
with_settings(
	[ 'alert_idle_in_transaction_s=1', 'alert_idle_in_transaction_critical_s=2' ],
	sub {
		poll(qq{SELECT severity || ' ' || threshold FROM optimize.alerts
		         WHERE kind = 'idle_in_transaction' AND object = 'pid $idler_pid'},
			'critical 2', 'idle in transaction: critical past alert_idle_in_transaction_critical_s = 2');
	});
is( $node->safe_psql('postgres',
		q{SELECT value FROM optimize.metrics() WHERE metric = 'connections_idle_in_transaction'}),
	'1', 'idle in transaction: metrics() counts the session');
$idler->quit;
poll(q{SELECT count(*) FROM optimize.alerts WHERE kind = 'idle_in_transaction'}, '0',
	'idle in transaction: the alert clears when the session ends');

# --- hot standby ----------------------------------------------------------------------------------------------------
# A file-level copy of the stopped primary: the test clients are PostgreSQL 15's, and pg_basebackup 15 refuses to
# copy a newer server, so $node->backup works on 15 only.
$node->stop;
$node->backup_fs_cold('cold');
$node->start;
my $standby = PostgreSQL::Test::Cluster->new('health_standby');
$standby->init_from_backup($node, 'cold', has_streaming => 1);
$standby->start;

# Created after the copy, so the extension reaches the standby through replication.
$node->safe_psql('postgres', 'CREATE DATABASE replicated');
$node->safe_psql('replicated', q{
CREATE EXTENSION pg_optimize;
CREATE TABLE trips (id bigserial PRIMARY KEY, previous bigint REFERENCES trips, note text);
INSERT INTO trips (note) SELECT 'trip ' || g FROM generate_series(1, 500) g;
DELETE FROM trips WHERE id % 5 = 0;
CREATE INDEX trips_note_idx ON trips (note);
ANALYZE trips;
});
$node->wait_for_catchup($standby);

is($standby->safe_psql('replicated', 'SELECT pg_is_in_recovery()'), 't', 'standby: in recovery');
is( $standby->safe_psql('replicated',
		q{SELECT count(*) FROM optimize.table_health WHERE "table" = 'trips'::regclass}),
	'1', 'standby: table_health reads');
is( $standby->safe_psql('replicated',
		q{SELECT count(*) FROM optimize.index_usage WHERE "table" = 'trips'::regclass}),
	'2', 'standby: index_usage reads');
is( $standby->safe_psql('replicated',
		q{SELECT h.last_value = s.last_value AND h.last_value >= 500
		    FROM optimize.sequence_health h, trips_id_seq s WHERE h.sequence = 'trips_id_seq'::regclass}),
	't', 'standby: sequence_health reads the replicated sequence value (WAL-logged ahead, as the sequence shows it)');
is( $standby->safe_psql('replicated',
		q{SELECT string_agg(table_name::text || ' ' || constraint_name, ',') FROM optimize.missing_fk_indexes()}),
	'trips trips_previous_fkey', 'standby: missing_fk_indexes() reads');
ok($standby->safe_psql('replicated', 'SELECT count(*) FROM optimize.metrics()') > 0, 'standby: metrics() reads');
is( $standby->safe_psql('replicated',
		q{SELECT status || ' ' || detail FROM optimize.health_check() WHERE check_name = 'server'}),
	'ok hot standby (read-only)', 'standby: health_check() says it is a hot standby');
is( $standby->safe_psql('replicated',
		q{SELECT count(*) > 1 AND bool_and(status IN ('ok', 'warning', 'critical')) FROM optimize.health_check()}),
	't', 'standby: health_check() runs every check, each with a status');
for my $view ('alerts', 'recommendations', 'connections', 'long_running_queries', 'blocked_queries')
{
	my ($rc, $out, $err) = $standby->psql('replicated', "SELECT count(*) FROM optimize.$view");
	ok($rc == 0 && $err eq '' && $out =~ /^\d+$/, "standby: optimize.$view reads") or diag($err);
}
is( $standby->safe_psql('replicated',
		q{SELECT report::jsonb IS NOT NULL FROM optimize.report('json') AS report}),
	't', 'standby: report(json) is valid jsonb');
isnt($standby->safe_psql('replicated', q{SELECT optimize.report('text')}), '', 'standby: report(text) reads');

$standby->stop;
$node->stop;
for my $n ($node, $standby)
{
	unlike(slurp_file($n->logfile), qr/terminated by signal|server process .* was terminated/,
		$n->name . ': no backend crashed');
}

done_testing();
