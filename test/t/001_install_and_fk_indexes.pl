# pg_optimize on real clusters: loads with and without shared_preload_libraries, works in several databases and for
# an unprivileged role, and every suggested statement, run on its own connection as a DBA would, fixes what it
# reports. The server log must show no backend crash.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $schema = <<'SQL';
CREATE TABLE users (id bigint PRIMARY KEY, referred_by bigint REFERENCES users);
CREATE TABLE stories (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users, body text);
CREATE TABLE bookings (id bigint, user_id bigint REFERENCES users, story_id bigint REFERENCES stories,
                       service_date date NOT NULL) PARTITION BY RANGE (service_date);
CREATE TABLE bookings_2025 PARTITION OF bookings FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE bookings_2026 PARTITION OF bookings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO users SELECT g, NULLIF(g % 50, 0) FROM generate_series(1, 2000) g;
INSERT INTO stories SELECT g, g % 2000 + 1, repeat('x', 200) FROM generate_series(1, 5000) g;
INSERT INTO bookings SELECT g, g % 2000 + 1, g % 5000 + 1, date '2025-03-01' + g % 600 FROM generate_series(1, 5000) g;
SQL

sub missing {
	my ($node, $db) = @_;
	return $node->safe_psql($db,
		q{SELECT string_agg(format('%s(%s)', table_name, array_to_string(columns, ',')), ' '
	            ORDER BY table_name::text, columns::text) FROM optimize.missing_fk_indexes()});
}

# --- preloaded ------------------------------------------------------------------------------------------------------
my $node = PostgreSQL::Test::Cluster->new('preloaded');
$node->init;
# No schedulers here (004_scheduler.pl tests them): a default job firing mid-test would change what is checked.
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_optimize'\npg_optimize.databases = 'none'");
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), 'pg_optimize', 'library is preloaded');
if ($node->safe_psql('postgres', 'SHOW server_version_num') >= 180000)
{
	is($node->safe_psql('postgres',
			q{SELECT module_name || ' ' || version FROM pg_get_loaded_modules() WHERE file_name = 'pg_optimize.so'}),
		'pg_optimize 0.2', 'PostgreSQL 18 knows the module by name and version');
}
else
{
	pass('module name and version are reported from PostgreSQL 18 on');
}

for my $db ('app_one', 'app_two') {
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION pg_optimize');
	$node->safe_psql($db, $schema);
	is(missing($node, $db), 'bookings(story_id) bookings(user_id) stories(user_id) users(referred_by)',
		"$db: the four unindexed foreign keys are reported");
}

# an unprivileged role can call it (it only reads catalogs and sizes)
$node->safe_psql('app_one', 'CREATE ROLE watcher LOGIN');
is($node->safe_psql('app_one', 'SET ROLE watcher; SELECT count(*) FROM optimize.missing_fk_indexes()'),
	'4', 'an unprivileged role sees the same four');

# run each suggested statement on its own connection, in the order given, as psql \gexec would
my @statements = split /\n/, $node->safe_psql('app_one',
	q{SELECT string_agg(suggested_index, E'\n' ORDER BY table_bytes DESC, table_name::text, constraint_name)
	  FROM optimize.missing_fk_indexes()});
ok(scalar(@statements) >= 4, 'there are statements to run (' . scalar(@statements) . ')');
my $failures = 0;
for my $statement (@statements) {
	my ($rc, $out, $err) = $node->psql('app_one', $statement);
	if ($rc != 0) { $failures++; diag("failed: $statement\n$err"); }
}
is($failures, 0, 'every suggested statement runs as is');
is(missing($node, 'app_one'), '', 'after running them nothing is missing in app_one');
is($node->safe_psql('app_one', q{SELECT count(*) FROM pg_index WHERE NOT indisvalid}), '0',
	'every index built is valid, the partitioned one included');
isnt(missing($node, 'app_two'), '', 'app_two was not touched');

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/, 'no backend crashed');

# --- not preloaded --------------------------------------------------------------------------------------------------
my $plain = PostgreSQL::Test::Cluster->new('not_preloaded');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION pg_optimize');
$plain->safe_psql('postgres', $schema);
is(missing($plain, 'postgres'), 'bookings(story_id) bookings(user_id) stories(user_id) users(referred_by)',
	'without shared_preload_libraries the SQL functions work the same');
$plain->safe_psql('postgres', 'DROP EXTENSION pg_optimize');
is($plain->safe_psql('postgres', q{SELECT count(*) FROM pg_namespace WHERE nspname = 'optimize'}), '0',
	'DROP EXTENSION removes the optimize schema');
$plain->stop;

done_testing();
