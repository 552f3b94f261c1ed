# Partition maintenance on a real cluster: the scheduler runs the partition_maintenance job of a table registered by
# its (unprivileged) owner at a short interval; premade partitions appear, old ones go, rows in retained partitions
# stay, a partition another session holds is skipped and taken at a later run, rows in the default partition raise an
# alert, and pg_dump carries the registration. Everything that takes time is polled for, never slept on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('partitioning');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
pg_optimize.launcher_naptime = 1
autovacuum = off
});
$node->start;
my $version = $node->safe_psql('postgres', 'SHOW server_version_num');

sub poll
{
	my ($query, $expected, $name) = @_;
	ok($node->poll_query_until('app', $query, $expected), $name)
	  or diag($node->safe_psql('app', $query));
}

# A partition name of a day relative to today (UTC), and its bounds.
sub day_sql { my ($n) = @_; return qq{to_char((now() AT TIME ZONE 'UTC')::date + $n, 'YYYYMMDD')}; }
sub day_literal
{
	my ($n) = @_;
	return $node->safe_psql('app',
		qq{SELECT quote_literal(to_char((now() AT TIME ZONE 'UTC')::date + $n, 'YYYY-MM-DD') || ' 00:00:00+00')});
}
sub partitions
{
	return $node->safe_psql('app', q{SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
	                                  JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass});
}

$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION pg_optimize');
$node->safe_psql('app', 'CREATE ROLE alice LOGIN; GRANT CREATE ON SCHEMA public TO alice');
my ($m40, $m39, $m10, $m9) = map { day_literal($_) } (-40, -39, -10, -9);
$node->safe_psql('app', qq{
SET ROLE alice;
CREATE TABLE events (id bigserial, at timestamptz NOT NULL, payload text) PARTITION BY RANGE (at);
CREATE TABLE events_recent PARTITION OF events FOR VALUES FROM ($m10) TO ($m9);
INSERT INTO events (at, payload) VALUES (${m10}::timestamptz + interval '1 hour', 'kept');
SELECT count(*) FROM optimize.manage_partitions('events', '1 day', premake => 4, retention => '30 days');
});
my $today = $node->safe_psql('app', 'SELECT ' . day_sql(0));
like(partitions(), qr/events_p$today/, 'the first pass made today\'s partition');
is($node->safe_psql('app', q{SELECT name || ' ' || kind || ' ' || schedule || ' ' || owner FROM optimize.jobs
                              WHERE kind = 'partition_maintenance'}),
	'partition_maintenance public.events partition_maintenance 1 hour alice', 'an hourly job owned by alice');

# The job at a short interval: a partition of the window dropped by hand comes back, an old one goes.
my $plus3 = $node->safe_psql('app', 'SELECT ' . day_sql(3));
$node->safe_psql('app', qq{
SET ROLE alice;
DROP TABLE events_p$plus3;
CREATE TABLE events_old PARTITION OF events FOR VALUES FROM ($m40) TO ($m39);
INSERT INTO events (at, payload) VALUES (${m40}::timestamptz + interval '1 hour', 'expired');
SELECT optimize.alter_job('partition_maintenance public.events', schedule => '1 second', lock_timeout => '200ms');
});
poll(qq{SELECT count(*) FROM pg_class WHERE relname = 'events_p$plus3'}, '1', 'the scheduler made the missing partition again');
poll(q{SELECT count(*) FROM pg_class WHERE relname = 'events_old'}, '0', 'and dropped the partition past retention');
is($node->safe_psql('app', q{SELECT string_agg(payload || '@' || tableoid::regclass, ',') FROM events}),
	'kept@events_recent', 'the row of the retained partition is untouched, the expired one gone with its partition');
is($node->safe_psql('app', q{SELECT count(*) > 0 FROM optimize.job_runs WHERE job = 'partition_maintenance public.events'
                              AND status = 'succeeded' AND owner = 'alice'::regrole}),
	't', 'the runs are recorded, as alice');

# A partition another session holds is skipped (lock_timeout), the holder undisturbed, and dropped once free.
my ($m50, $m49) = map { day_literal($_) } (-50, -49);
$node->safe_psql('app', qq{SET ROLE alice; CREATE TABLE events_held PARTITION OF events FOR VALUES FROM ($m50) TO ($m49)});
my $holder = $node->background_psql('app');
$holder->query_safe('BEGIN');
$holder->query_safe('LOCK TABLE events_held IN ACCESS SHARE MODE');
poll(q{SELECT last_result LIKE '%1 skipped%events_held%lock timeout%' FROM optimize.partition_config
        WHERE parent = 'events'::regclass}, 't', 'a held partition is skipped and reported');
is($node->safe_psql('app', q{SELECT count(*) FROM pg_class WHERE relname = 'events_held'}), '1', 'it is still there');
is($holder->query_safe('SELECT 42'), '42', 'the session holding it goes on undisturbed');
$holder->query_safe('COMMIT');
$holder->quit;
poll(q{SELECT count(*) FROM pg_class WHERE relname = 'events_held'}, '0', 'a later run drops it');

# Rows in the default partition raise an alert.
$node->safe_psql('app', q{
SET ROLE alice;
CREATE TABLE events_default PARTITION OF events DEFAULT;
INSERT INTO events (at, payload) VALUES (now() + interval '400 days', 'far');
ANALYZE events_default;
});
poll(q{SELECT count(*) FROM optimize.alerts WHERE kind = 'rows_in_default_partition' AND object = 'public.events_default'},
	'1', 'rows in the default partition are an alert');
my $log = slurp_file($node->logfile);
unlike($log, qr/server process .* was terminated|TRAP:/, 'no backend crashed');

# pg_dump carries the registration.
SKIP:
{
	# The test clients are PostgreSQL 15's: pg_dump 15 refuses newer servers.
	skip 'pg_dump 15 cannot dump a newer server', 3 if $version >= 160000;
	$node->safe_psql('app', q{SELECT optimize.alter_job('partition_maintenance public.events', schedule => '1 hour')});
	my $dump = $node->basedir . '/app.dump';
	$node->command_ok(['pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('app')], 'pg_dump');
	$node->safe_psql('postgres', 'CREATE DATABASE restored');
	$node->command_ok(['pg_restore', '-d', $node->connstr('restored'), $dump], 'pg_restore');
	is($node->safe_psql('restored', q{SELECT parent || ' ' || part_interval || ' ' || premake || ' ' || retention || ' '
	                                          || owner FROM optimize.partition_config}),
		'events 1 day 4 30 days alice', 'the restored database keeps the registration');
}

done_testing();
