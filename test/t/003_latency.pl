# Query latency on real clusters:
#   - without shared_preload_libraries: the views return no rows, with a NOTICE and a HINT, and nothing crashes
#   - beside pg_stat_statements: both hooks run, both count the same statements under the same query ids
#   - statements of sessions that have ended are kept; pg_optimize.track none / top / all set for the server
#   - an N+1 loop run by a client, seen as one event
#   - a bounded table of statement shapes under eviction pressure
#   - query texts only for roles that pg_stat_activity would show them to; who may reset
#   - errors rolled back to a savepoint (100 of them, by hand and by psql's ON_ERROR_ROLLBACK) never stop the timing
#   - the per-database totals of 70 dropped databases are freed: a new database is still counted
#   - track_activity_query_size = 1MB: shared memory stays small (texts are cut to pg_optimize.max_query_text)
# Counts only, never timings.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# --- not preloaded --------------------------------------------------------------------------------------------------
my $plain = PostgreSQL::Test::Cluster->new('latency_not_preloaded');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION pg_optimize');
for my $view (qw(optimize.latency optimize.slow_queries optimize.n_plus_one optimize.latency_histogram()))
{
	my ($rc, $out, $err) = $plain->psql('postgres', "SELECT count(*) FROM $view");
	is($out, '0', "not preloaded: $view returns no rows");
	like($err, qr/NOTICE:  pg_optimize is not tracking query latency\s+HINT:  Add pg_optimize to shared_preload_libraries/,
		"not preloaded: $view says why, with a hint");
}
is($plain->safe_psql('postgres',
		q{SELECT count(*) FROM optimize.metrics() WHERE metric LIKE 'latency%' AND value IS NULL}),
	'2', 'not preloaded: the latency metrics are NULL');
like($plain->safe_psql('postgres', 'SELECT optimize.report()'),
	qr/Query latency\n-+\n\nNot tracked: add pg_optimize to shared_preload_libraries/,
	'not preloaded: the report says latency is not tracked');
$plain->stop;
unlike(slurp_file($plain->logfile), qr/server process .* was terminated by signal/, 'not preloaded: no crash');

# --- preloaded beside pg_stat_statements ----------------------------------------------------------------------------
my $node = PostgreSQL::Test::Cluster->new('latency');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements, pg_optimize'
pg_optimize.max_tracked_queries = 100
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION pg_optimize;
CREATE EXTENSION pg_stat_statements;
CREATE TABLE items (id int PRIMARY KEY, v int);
INSERT INTO items SELECT g, g FROM generate_series(1, 1000) g;
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
CREATE ROLE carol LOGIN IN ROLE pg_read_all_stats;
GRANT SELECT ON items TO alice, bob;
GRANT SELECT ON optimize.slow_queries, optimize.n_plus_one TO bob, carol;
GRANT EXECUTE ON FUNCTION optimize._slow_queries(), optimize._n_plus_one() TO bob, carol;
});
$node->safe_psql('postgres', 'SELECT optimize.reset_latency(); SELECT pg_stat_statements_reset()');

# 30 statements, each in a session of its own that ends at once: the slots of exited backends are folded in
$node->safe_psql('postgres', "SELECT v FROM items WHERE id = $_") for 1 .. 30;
is( $node->safe_psql('postgres', q{
		SELECT o.calls || ' ' || s.calls FROM optimize.slow_queries o JOIN pg_stat_statements s USING (queryid)
		WHERE o.query LIKE 'SELECT v FROM items WHERE id = %'}),
	'30 30', 'pg_optimize and pg_stat_statements both count 30 calls under the same query id');

# pg_optimize.track for the server: none, then all
$node->append_conf('postgresql.conf', "pg_optimize.track = none");
$node->reload;
$node->poll_query_until('postgres', 'SHOW pg_optimize.track', 'none');
my $before = $node->safe_psql('postgres', q{SELECT calls FROM optimize.latency WHERE database = 'postgres'});
$node->safe_psql('postgres', "SELECT v FROM items WHERE id = $_") for 1 .. 5;
is($node->safe_psql('postgres', q{SELECT calls FROM optimize.latency WHERE database = 'postgres'}),
	$before, 'track = none: nothing is timed');
$node->append_conf('postgresql.conf', "pg_optimize.track = 'all'");
$node->reload;
$node->poll_query_until('postgres', 'SHOW pg_optimize.track', 'all');
$node->safe_psql('postgres', q{DO $$ BEGIN FOR i IN 1..5 LOOP PERFORM v FROM items WHERE id = i; END LOOP; END $$});
is($node->safe_psql('postgres', q{SELECT calls FROM optimize.slow_queries WHERE query = 'SELECT v FROM items WHERE id = i'}),
	'5', 'track = all: statements inside a function are timed');
$node->append_conf('postgresql.conf', "pg_optimize.track = top");
$node->reload;
$node->poll_query_until('postgres', 'SHOW pg_optimize.track', 'top');
$node->safe_psql('postgres', q{DO $$ BEGIN FOR i IN 1..5 LOOP PERFORM v FROM items WHERE id = i; END LOOP; END $$});
is($node->safe_psql('postgres', q{SELECT calls FROM optimize.slow_queries WHERE query = 'SELECT v FROM items WHERE id = i'}),
	'5', 'track = top: statements inside a function are not timed');

# an N+1 loop from a client: one parent query, then one query per row, in one session, as alice
my $loop = "SELECT id FROM items WHERE id <= 40;\n" . join("\n", map { "SELECT v FROM items WHERE id = $_;" } 1 .. 40);
$node->safe_psql('postgres', $loop, extra_params => [ '-U', 'alice' ]);
is( $node->safe_psql('postgres', q{
		SELECT role || ' ' || events || ' ' || largest_run || ' ' || average_run FROM optimize.n_plus_one}),
	'alice 1 40 40', 'N+1: 40 executions in a row by alice are one event with a run of 40');
is($node->safe_psql('postgres', q{SELECT count(*) FROM optimize.alerts WHERE kind = 'n_plus_one'}),
	'1', 'N+1: optimize.alerts reports it');

# texts: bob sees his own, not alice's; carol (pg_read_all_stats) sees both
$node->safe_psql('postgres', 'SELECT v + 1 FROM items WHERE id = 7', extra_params => [ '-U', 'bob' ]);
my $ids = $node->safe_psql('postgres', q{
	SELECT string_agg(queryid::text, ',') FROM optimize.slow_queries
	WHERE (role = 'alice' AND calls = 40) OR (role = 'bob' AND query LIKE 'SELECT v + 1 %')});
my $texts = "SELECT string_agg(role || ':' || query, ' | ' ORDER BY role) FROM optimize.slow_queries
             WHERE queryid IN ($ids) AND role IN ('alice', 'bob')";
is($node->safe_psql('postgres', $texts, extra_params => [ '-U', 'bob' ]),
	'alice:<insufficient privilege> | bob:SELECT v + 1 FROM items WHERE id = 7',
	'texts: an unprivileged role sees only the texts of its own statements');
like($node->safe_psql('postgres', $texts, extra_params => [ '-U', 'carol' ]),
	qr/^alice:SELECT v FROM items WHERE id = \d+ \| bob:SELECT v \+ 1 FROM items WHERE id = 7$/,
	'texts: a member of pg_read_all_stats sees every text');
is($node->safe_psql('postgres', 'SELECT query FROM optimize.n_plus_one', extra_params => [ '-U', 'bob' ]),
	'<insufficient privilege>', 'texts: optimize.n_plus_one follows the same rule');

# reset: refused to bob until granted
my ($rc, $out, $err) = $node->psql('postgres', 'SELECT optimize.reset_latency()', extra_params => [ '-U', 'bob' ]);
like($err, qr/permission denied for function reset_latency/, 'reset: refused to a role not granted it');
$node->safe_psql('postgres', 'GRANT EXECUTE ON FUNCTION optimize.reset_latency() TO bob');
$node->safe_psql('postgres', 'SELECT optimize.reset_latency()', extra_params => [ '-U', 'bob' ]);
is($node->safe_psql('postgres', q{SELECT count(*) FROM optimize.n_plus_one}), '0', 'reset: allowed once granted');

# eviction: 300 distinct shapes in a table of 100 (plus what live sessions still hold in their slots)
my $shapes = join("\n", map { "SELECT " . join(', ', ('1') x $_) . ";" } 1 .. 300);
$node->safe_psql('postgres', $shapes);
my $tracked = $node->safe_psql('postgres', 'SELECT count(*) FROM optimize.slow_queries');
ok($tracked >= 50 && $tracked <= 100 + 16, "eviction: $tracked shapes kept of 300 (at most 100 + 16)");
is($node->safe_psql('postgres', q{SELECT calls >= 300 FROM optimize.latency WHERE database = 'postgres'}),
	't', 'eviction: the database histogram still counts every statement');

# savepoints: each failing statement rolled back to a savepoint leaves an execution cut short by an ERROR; only the
# top-level abort used to forget them, and after 32 the session timed nothing more
$node->safe_psql('postgres', 'SELECT optimize.reset_latency()');
my $savepoints = "BEGIN;\n"
  . join('', map { "SAVEPOINT s; SELECT 1 / (v - v) FROM items WHERE id = $_; ROLLBACK TO s;\n" } 1 .. 100)
  . "COMMIT;\n"
  . join('', map { "SELECT v, id FROM items WHERE id = $_;\n" } 1 .. 10);
my ($sp_rc, $sp_out, $sp_err) = $node->psql('postgres', $savepoints, on_error_stop => 0);
is(() = $sp_err =~ /division by zero/g, 100, 'savepoints: 100 statements failed inside savepoints');
is($node->safe_psql('postgres', q{SELECT calls FROM optimize.slow_queries WHERE query LIKE 'SELECT v, id FROM items%'}),
	'10', 'savepoints: after 100 errors rolled back to a savepoint the session still times its statements');
# psql's ON_ERROR_ROLLBACK wraps every statement of a transaction block in a savepoint of its own
my $on_error_rollback = "\\set ON_ERROR_ROLLBACK on\nBEGIN;\n"
  . join('', map { "SELECT 1 / (v - v) FROM items WHERE id = $_;\nSELECT id, v FROM items WHERE id = $_;\n" } 1 .. 100)
  . "COMMIT;\n";
$node->psql('postgres', $on_error_rollback, on_error_stop => 0);
is($node->safe_psql('postgres', q{SELECT calls FROM optimize.slow_queries WHERE query LIKE 'SELECT id, v FROM items%'}),
	'100', 'savepoints: with ON_ERROR_ROLLBACK every statement after a failed one is timed');
# with track = all the statements inside a function are timed: 100 of them cut short inside exception blocks
$node->safe_psql('postgres', q{
	SET pg_optimize.track = 'all';
	DO $$ BEGIN FOR i IN 1..100 LOOP
	  BEGIN PERFORM 1 / (v - v) FROM items WHERE id = i; EXCEPTION WHEN division_by_zero THEN NULL; END;
	END LOOP; END $$;
	SELECT v, v FROM items WHERE id = 1;});
is($node->safe_psql('postgres', q{SELECT calls FROM optimize.slow_queries WHERE query LIKE 'SELECT v, v FROM items%'}),
	'1', 'savepoints: after 100 errors caught by PL/pgSQL exception blocks (track = all) the session is timed');

# dropped databases: each database whose sessions have ended holds one of 64 per-database accumulators; a dropped
# database gives its accumulator back (it used to keep it, and after 64 the totals of other databases were lost)
for my $i (1 .. 70)
{
	$node->safe_psql('postgres', "CREATE DATABASE gone_$i");
	$node->safe_psql("gone_$i", 'SELECT 1');
	$node->safe_psql('postgres', "DROP DATABASE gone_$i");
}
$node->safe_psql('postgres', 'CREATE DATABASE survivor');
$node->safe_psql('survivor', 'SELECT 1') for 1 .. 3;
is($node->safe_psql('postgres', q{SELECT calls FROM optimize.latency WHERE database = 'survivor'}),
	'3', 'dropped databases: after 70 dropped databases the statements of ended sessions of a new one are counted');
is($node->safe_psql('postgres', q{SELECT count(*) FROM optimize.latency WHERE database LIKE 'gone%'}),
	'0', 'dropped databases: none of them is shown');

$node->stop;
my $log = slurp_file($node->logfile);
like($log, qr/pg_optimize: latency tracking uses \d+ kB of shared memory/, 'shared memory size is logged at start');
unlike($log, qr/server process .* was terminated by signal/, 'no backend crash');

# track_activity_query_size = 1MB: shared memory is sized by pg_optimize.max_query_text (1kB by default), not by
# track_activity_query_size (at 1MB it used to reserve about 7 GB: 1MB per backend slot entry and per shape)
my $big = PostgreSQL::Test::Cluster->new('latency_big_texts');
$big->init;
$big->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
track_activity_query_size = '1MB'
});
$big->start;
$big->safe_psql('postgres', 'CREATE EXTENSION pg_optimize');
my $long = 'SELECT ' . join(' + ', (1) x 2000) . ' AS long_sum';
$big->safe_psql('postgres', $long);
is($big->safe_psql('postgres', q{SELECT length(query) FROM optimize.slow_queries WHERE query LIKE 'SELECT 1 + 1%'}),
	'1023', 'track_activity_query_size = 1MB: a text is cut to pg_optimize.max_query_text');
$big->stop;
my ($kb, $text_bytes) = slurp_file($big->logfile) =~
  /pg_optimize: latency tracking uses (\d+) kB of shared memory \(.*query texts of up to (\d+) bytes\)/;
ok(defined $kb && $kb < 32 * 1024, "track_activity_query_size = 1MB: latency tracking uses @{[$kb // '?']} kB (under 32 MB)");
is($text_bytes, '1024', 'track_activity_query_size = 1MB: texts of up to 1024 bytes, as logged');

done_testing();
