# The threads of a call that sizes many relations (src/core/threads.hpp): the directory listing that runs while the
# catalogs are read, and the stat()s shared by pg_optimize.measure_threads threads. A backend ended by
# pg_terminate_backend (a FATAL error: proc_exit() without unwinding, which closes every directory the backend opened)
# or cancelled by pg_cancel_backend (an ERROR) at any moment of such a call must end cleanly: no crash, so no restart
# of the cluster's processes, and the other sessions go on. The victims are timed to land at every phase of the call,
# the listing's included (a catalog of 4,000 tables: some 16,000 files to list), and the measuring that runs while
# missing_fk_indexes() reads pg_attribute (each table has an unindexed foreign key to the one before).
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('threads');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_optimize'
pg_optimize.databases = 'none'
max_locks_per_transaction = 256
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION pg_optimize;
DO $$
BEGIN
  FOR i IN 1..4000 LOOP
    EXECUTE format('CREATE TABLE public.t_%s (id int PRIMARY KEY, note text, parent int%s)', i,
                   CASE WHEN i > 1 THEN format(' REFERENCES public.t_%s', i - 1) ELSE '' END);
  END LOOP;
END $$;
});

my $calls = {
	table_health => 'SELECT count(*) FROM optimize.table_health',
	index_usage => 'SELECT count(*) FROM optimize.index_usage',
	# its files are measured on a thread of their own while pg_attribute is read
	missing_fk_indexes => 'SELECT count(*) FROM optimize.missing_fk_indexes()',
	metrics => 'SELECT count(*) FROM optimize.metrics()',
	recommendations => 'SELECT count(*) FROM optimize.recommendations',
};

# How long each call takes here (server side), so that the interruptions can be spread over the whole of it.
my %took_ms;
for my $name (sort keys %$calls)
{
	my $ms = $node->safe_psql('postgres',
		"BEGIN; $calls->{$name}; SELECT round(1000 * extract(epoch FROM clock_timestamp() - now())); COMMIT;");
	($took_ms{$name}) = $ms =~ /(\d+)\s*$/;
	note("$name takes $took_ms{$name} ms");
}

my $log_offset = -s $node->logfile;
my $postmaster_start = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
my %ended = (FATAL => 0, ERROR => 0, finished => 0);
for my $round (0 .. 23)
{
	for my $name (sort keys %$calls)
	{
		my $how = $round % 2 ? 'pg_cancel_backend' : 'pg_terminate_backend';
		# Somewhere in the call's first three quarters, the listing's first milliseconds included.
		my $delay = sprintf('%.4f', $took_ms{$name} * 0.75 * ($round % 12) / 12 / 1000);
		my ($out, $err) = ('', '');
		my $victim;
		{
			local $ENV{PGAPPNAME} = 'victim';
			$victim = IPC::Run::start(
				[ 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), '-c', $calls->{$name} ],
				'>', \$out, '2>', \$err);
		}
		# The interrupter waits in the server for the call to start (no client round trip in between), then for the
		# delay, and sends the signal.
		$node->safe_psql('postgres', qq{
DO \$\$
DECLARE
  victim int;
BEGIN
  FOR i IN 1..10000 LOOP
    PERFORM pg_catalog.pg_stat_clear_snapshot();
    SELECT pid INTO victim FROM pg_catalog.pg_stat_activity WHERE application_name = 'victim' AND state = 'active';
    EXIT WHEN victim IS NOT NULL;
    PERFORM pg_catalog.pg_sleep(0.0005);
  END LOOP;
  IF victim IS NOT NULL THEN
    PERFORM pg_catalog.pg_sleep($delay);
    PERFORM pg_catalog.$how(victim);
  END IF;
END \$\$});
		$victim->finish;
		if ($err =~ /FATAL:  terminating connection due to administrator command/) { $ended{FATAL}++ }
		elsif ($err =~ /ERROR:  canceling statement due to user request/) { $ended{ERROR}++ }
		elsif ($out =~ /^\d+$/m && $err eq '') { $ended{finished}++ }
		else { fail("$name, $how: unexpected end: $out $err") }
	}
}
note(sprintf('%d terminated, %d cancelled, %d finished first', $ended{FATAL}, $ended{ERROR}, $ended{finished}));
cmp_ok($ended{FATAL}, '>', 0, 'some calls were terminated while running');
cmp_ok($ended{ERROR}, '>', 0, 'some calls were cancelled while running');

my $log = slurp_file($node->logfile, $log_offset);
unlike($log, qr/terminated by signal|was terminated|server process .* exited with exit code [^01]/,
	'no backend crashed');
unlike($log, qr/terminating any other active server processes|all server processes terminated; reinitializing/,
	'the cluster did not restart its processes');
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $postmaster_start, 'the same postmaster');
is($node->safe_psql('postgres', "SELECT count(*) FROM optimize.table_health WHERE \"table\"::text LIKE 't\\_%'"),
	'4000', 'and the views still answer');
is( $node->safe_psql('postgres', q{
SELECT count(*), bool_and(table_bytes = pg_total_relation_size(table_name))
FROM optimize.missing_fk_indexes() WHERE table_name::text LIKE 't\\_%'}),
	'3999|t', 'missing_fk_indexes() sizes every referencing table as pg_total_relation_size() does');

# Segments: a table whose main fork is a full 1 GB segment (sparse: no disk used) and a second segment. The listing
# holds both, and a fork whose last listed segment is full is followed into the segments the listing does not hold:
# nothing is counted twice, with the segments in place and with the second one full as well.
$node->safe_psql('postgres', 'CREATE TABLE segmented (id int)');
my $file = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('segmented')");
my $segment_bytes = 1024 * 1024 * 1024;
sub set_size
{
	my ($path, $bytes) = @_;
	open(my $fh, '>>', $path) or die "could not open $path: $!";
	truncate($fh, $bytes) or die "could not size $path: $!";
	close($fh);
}
set_size($file, $segment_bytes);
set_size("$file.1", 3 * 8192);
for my $threads (1, 2)
{
	is( $node->safe_psql('postgres', qq{
SET pg_optimize.measure_threads = $threads;
SELECT bytes = pg_total_relation_size('segmented') AND bytes = $segment_bytes + 3 * 8192
FROM optimize.table_health WHERE "table" = 'segmented'::regclass}),
		't', "two segments, $threads thread(s): counted once each");
}
set_size("$file.1", $segment_bytes);
is( $node->safe_psql('postgres', q{
SELECT bytes = pg_total_relation_size('segmented') FROM optimize.table_health WHERE "table" = 'segmented'::regclass}),
	't', 'a full last segment, none after it');
set_size("$file.1", 0);
unlink("$file.1");
$node->safe_psql('postgres', 'DROP TABLE segmented');

$node->stop;
done_testing();
