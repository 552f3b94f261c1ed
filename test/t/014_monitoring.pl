# Monitoring with the real components from Debian, on loopback only:
#   - optimize.openmetrics() read by a pg_monitor role and checked with `promtool check metrics`
#   - the alerting rules checked with `promtool check rules`
#   - prometheus-postgres-exporter started with monitoring/postgres_exporter/queries.yaml, /metrics scraped over HTTP
#     and compared with the SQL answers
#   - a prometheus server scraping the exporter with the rules loaded: the dead-tuples alert fires for a staged table
#     and is read back through Prometheus' HTTP API; every query of the Grafana dashboard runs there without error
#   - optimize.report('html') rendered to a PNG by headless Chromium
# The test installs nothing: it needs the Debian packages prometheus, prometheus-postgres-exporter and chromium
# (test/lib/common.sh installs them), and skips a part only when its program is missing.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path);
use HTTP::Tiny;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

# The repository (for the files under monitoring/): test/run runs a copy of test/t from its own work folder, from a
# subshell that changed into it, so OLDPWD is where test/run was started; PGO_ROOT overrides.
sub repository
{
	my @candidates = grep { defined && $_ ne '' } ($ENV{PGO_ROOT}, $ENV{OLDPWD}, dirname(dirname(abs_path($0))));
	for my $pid_dir (glob '/proc/[0-9]*')
	{
		open(my $fh, '<', "$pid_dir/cmdline") or next;
		local $/;
		my @args = split /\0/, (<$fh> // '');
		push @candidates, map { dirname(dirname($_)) } grep { m{^/.*/test/run$} } @args;
	}
	for my $c (@candidates)
	{
		return abs_path($c) if -f "$c/monitoring/prometheus/pg_optimize.rules.yml";
	}
	return undef;
}

sub program
{
	my ($name) = @_;
	for my $dir ((split /:/, $ENV{PATH} // ''), '/usr/bin', '/usr/sbin', '/bin')
	{
		return "$dir/$name" if -x "$dir/$name";
	}
	return undef;
}

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or die "cannot read $path: $!";
	local $/;
	return <$fh>;
}

sub spew
{
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "cannot write $path: $!";
	print $fh $text;
	close($fh);
}

# Prometheus text format to { 'name{label="v",...}' => value } with labels sorted by name (one key per series).
sub parse_metrics
{
	my ($text) = @_;
	my %series;
	for my $line (split /\n/, $text)
	{
		next if $line =~ /^#/ || $line !~ /\S/;
		my ($name, $labels, $value) = $line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/ or next;
		my @pairs;
		while (($labels // '') =~ /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)
		{
			push @pairs, [ $1, $2 ];
		}
		my $key = $name . '{' . join(',', map { "$_->[0]=\"$_->[1]\"" } sort { $a->[0] cmp $b->[0] } @pairs) . '}';
		$series{$key} = $value;
	}
	return \%series;
}

# The value of the one series named $name whose labels include every pair of %want.
sub value_of
{
	my ($series, $name, %want) = @_;
	my @found;
	for my $key (keys %$series)
	{
		next unless $key =~ /^\Q$name\E\{/;
		next if grep { index($key, "$_=\"$want{$_}\"") < 0 } keys %want;
		push @found, $series->{$key};
	}
	return @found == 1 ? $found[0] : undef;
}

sub http_get
{
	my ($url) = @_;
	my $response = HTTP::Tiny->new(timeout => 10)->get($url);
	return $response->{success} ? $response->{content} : undef;
}

# Polls $code until it returns true, for at most $seconds (slow machines: generous; never a fixed sleep to pass).
sub wait_for
{
	my ($seconds, $code) = @_;
	my $until = time + $seconds;
	while (time < $until)
	{
		my $result = $code->();
		return $result if $result;
		sleep(0.5);
	}
	return undef;
}

my $root = repository();
my $tmp = PostgreSQL::Test::Utils::tempdir();

my $node = PostgreSQL::Test::Cluster->new('monitoring');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_optimize'
pg_optimize.databases = 'none'
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION pg_optimize;
CREATE ROLE watcher LOGIN IN ROLE pg_monitor;
-- a staged condition: 80% dead tuples, autovacuum kept away
CREATE TABLE bookings (id int PRIMARY KEY, note text) WITH (autovacuum_enabled = off);
INSERT INTO bookings SELECT g, 'booking ' || g FROM generate_series(1, 5000) g;
DELETE FROM bookings WHERE id > 1000;
CREATE TABLE "we""ird\name" (id int) WITH (autovacuum_enabled = off);
INSERT INTO "we""ird\name" SELECT generate_series(1, 3000);
DELETE FROM "we""ird\name";
SELECT optimize.run_job('snapshot_hourly');
SELECT optimize.run_job('snapshot_hourly');
});
$node->poll_query_until('postgres',
	q{SELECT dead_tuples FROM optimize.table_health WHERE "table" = 'bookings'::regclass}, '4000')
  or die 'the dead tuples of bookings never showed';

# --- optimize.openmetrics() and promtool ------------------------------------------------------------------------------
my $openmetrics = $node->safe_psql('postgres', 'SELECT optimize.openmetrics()', extra_params => [ '-U', 'watcher' ]);
my $om = parse_metrics($openmetrics);
is(value_of($om, 'pg_optimize_table_dead_tuples', table => 'public.bookings'), 4000,
	'openmetrics: dead tuples of the staged table, read by a pg_monitor role');
is(value_of($om, 'pg_optimize_table_dead_tuples', table => 'public.\"we\"\"ird\\\\name\"'), 3000,
	'openmetrics: a table name with quotes and a backslash is one escaped label value');
is(value_of($om, 'pg_optimize_job_runs_total', job => 'snapshot_hourly', status => 'succeeded'), 2,
	'openmetrics: job runs counted by outcome');
is(value_of($om, 'pg_optimize_statement_duration_seconds_bucket', database => 'postgres', le => '+Inf'),
	value_of($om, 'pg_optimize_statement_duration_seconds_count', database => 'postgres'),
	'openmetrics: the +Inf bucket is the count');

SKIP:
{
	my $promtool = program('promtool');
	skip 'promtool is not installed (Debian package prometheus)', 2 unless $promtool;
	spew("$tmp/openmetrics.txt", "$openmetrics\n");
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ $promtool, 'check', 'metrics' ], '<', "$tmp/openmetrics.txt", '>', \$out, '2>', \$err);
	ok($ok && $out eq '' && $err eq '', 'promtool check metrics: optimize.openmetrics() passes, no lint finding')
	  or diag("stdout: $out\nstderr: $err");
	skip 'repository not found (set PGO_ROOT)', 1 unless $root;
	$ok = IPC::Run::run([ $promtool, 'check', 'rules', "$root/monitoring/prometheus/pg_optimize.rules.yml" ],
		'>', \$out, '2>', \$err);
	ok($ok && $out =~ /SUCCESS: \d+ rules found/, 'promtool check rules: the alerting rules are valid')
	  or diag("stdout: $out\nstderr: $err");
}

# --- prometheus-postgres-exporter with the queries file -----------------------------------------------------------
my ($exporter, $exporter_port);
SKIP:
{
	my $binary = program('prometheus-postgres-exporter');
	skip 'prometheus-postgres-exporter is not installed', 8 unless $binary;
	skip 'repository not found (set PGO_ROOT)', 8 unless $root;
	$exporter_port = PostgreSQL::Test::Cluster::get_free_port();
	local $ENV{DATA_SOURCE_NAME} = sprintf('host=%s port=%d user=watcher dbname=postgres sslmode=disable',
		$node->host, $node->port);
	$exporter = IPC::Run::start(
		[
			$binary, "--web.listen-address=127.0.0.1:$exporter_port",
			"--extend.query-path=$root/monitoring/postgres_exporter/queries.yaml",
			'--disable-default-metrics', '--disable-settings-metrics'
		],
		'>', "$tmp/exporter.log", '2>&1');
	my $scraped = wait_for(90, sub {
		my $body = http_get("http://127.0.0.1:$exporter_port/metrics");
		return $body && $body =~ /^pg_optimize_table_dead_tuples\{/m ? $body : undef;
	});
	ok($scraped, 'exporter: /metrics over HTTP on 127.0.0.1 has pg_optimize series')
	  or diag(slurp("$tmp/exporter.log"));
	my $ex = parse_metrics($scraped // '');
	is(value_of($ex, 'pg_optimize_table_dead_tuples', table => 'public.bookings'),
		$node->safe_psql('postgres', q{SELECT dead_tuples FROM optimize.table_health WHERE "table" = 'bookings'::regclass}),
		'exporter: dead tuples as optimize.table_health says');
	is(value_of($ex, 'pg_optimize_table_dead_tuples_ratio', table => 'public.bookings'), 0.8,
		'exporter: dead-tuple ratio');
	is(value_of($ex, 'pg_optimize_connection_slots'),
		$node->safe_psql('postgres', q{SELECT value FROM optimize.metrics() WHERE metric = 'connections_max'}),
		'exporter: usable connection slots as optimize.metrics() says');
	is(value_of($ex, 'pg_optimize_alert_active', kind => 'dead_tuples', object => 'public.bookings'), 1,
		'exporter: the dead-tuples alert of optimize.alerts');
	is(value_of($ex, 'pg_optimize_job_runs_total', job => 'snapshot_hourly', status => 'succeeded'), 2,
		'exporter: job runs by outcome as optimize.job_runs has them');
	is(value_of($ex, 'pg_optimize_statement_duration_target_seconds'),
		value_of($om, 'pg_optimize_statement_duration_target_seconds'),
		'exporter and openmetrics: the same latency target');
	# the metric names the exporter produces are those of optimize.openmetrics() (the rules and dashboard use both)
	my %om_names = map { /^([a-z_]+)/ ? ($1 => 1) : () } keys %$om;
	my @unknown = grep { !$om_names{$_} }
	  sort keys %{ { map { /^(pg_optimize_[a-z_]+)/ ? ($1 => 1) : () } keys %$ex } };
	is("@unknown", '', 'exporter: every pg_optimize metric name is also one of optimize.openmetrics()');
}

# --- prometheus scraping the exporter, with the rules -------------------------------------------------------------
SKIP:
{
	my $binary = program('prometheus');
	skip 'prometheus is not installed', 3 unless $binary;
	skip 'the exporter did not run', 3 unless $exporter && $root;
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	# The shipped rules with their `for:` durations removed, so that a staged condition fires within seconds.
	my $rules = slurp("$root/monitoring/prometheus/pg_optimize.rules.yml");
	$rules =~ s/^\s+for: .*\n//mg;
	spew("$tmp/rules.yml", $rules);
	spew("$tmp/prometheus.yml", qq{global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $tmp/rules.yml
scrape_configs:
  - job_name: postgres
    static_configs:
      - targets: ['127.0.0.1:$exporter_port']
});
	make_path("$tmp/tsdb");
	my $prometheus = IPC::Run::start(
		[
			$binary, "--config.file=$tmp/prometheus.yml", "--storage.tsdb.path=$tmp/tsdb",
			"--web.listen-address=127.0.0.1:$port"
		],
		'>', "$tmp/prometheus.log", '2>&1');
	my $api = "http://127.0.0.1:$port/api/v1";
	my $firing = wait_for(120, sub {
		my $body = http_get("$api/query?query=ALERTS%7Balertname%3D%22PgOptimizeDeadTuplesHigh%22%2Calertstate%3D%22firing%22%7D");
		return $body && $body =~ /"table":"public.bookings"/ ? $body : undef;
	});
	ok($firing, 'prometheus: PgOptimizeDeadTuplesHigh fires for public.bookings (HTTP API)')
	  or diag(slurp("$tmp/prometheus.log"));
	my $rules_api = http_get("$api/rules") // '';
	unlike($rules_api, qr/"health":"err"/, 'prometheus: every rule evaluates without error');

	# every query of the Grafana dashboard runs against this Prometheus
	my $dashboard = slurp("$root/monitoring/grafana/pg_optimize.json");
	my @exprs = $dashboard =~ /"expr": "((?:[^"\\]|\\.)*)"/g;
	my @failed;
	for my $expr (@exprs)
	{
		$expr =~ s/\\"/"/g;
		$expr =~ s/\$instance/.*/g;
		$expr =~ s/\$__rate_interval/1m/g;
		(my $encoded = $expr) =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord($1))/ge;
		my $body = http_get("$api/query?query=$encoded") // '';
		push @failed, $expr unless $body =~ /"status":"success"/;
	}
	ok(@exprs >= 8 && !@failed, 'grafana dashboard: all ' . scalar(@exprs) . ' queries run in Prometheus')
	  or diag("failed: @failed");
	$prometheus->kill_kill;
}
$exporter->kill_kill if $exporter;

# --- optimize.report('html') in headless Chromium -----------------------------------------------------------------
my $html = $node->safe_psql('postgres', q{SELECT optimize.report('html')}, extra_params => [ '-U', 'watcher' ]);
spew("$tmp/report.html", "$html\n");
unlike($html, qr/<script/i, 'html report: no script');
SKIP:
{
	my $chromium = program('chromium');
	skip 'chromium is not installed', 3 unless $chromium;
	my @flags = (
		'--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
		'--disable-component-update', '--disable-sync', "--user-data-dir=$tmp/chromium");
	local $ENV{HOME} = $tmp;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ $chromium, @flags, '--window-size=1200,2400', "--screenshot=$tmp/report.png",
			"file://$tmp/report.html" ], '>', \$out, '2>', \$err, IPC::Run::timeout(180));
	my $png = -f "$tmp/report.png" ? slurp("$tmp/report.png") : '';
	ok($ok && substr($png, 0, 8) eq "\x89PNG\r\n\x1a\n" && length($png) > 30000,
		'chromium: the report renders to a PNG of ' . length($png) . ' bytes')
	  or diag("stdout: $out\nstderr: $err");
	# the DOM Chromium built: every section and chart parsed, nothing fetched (the page's CSP allows nothing)
	($out, $err) = ('', '');
	IPC::Run::run([ $chromium, @flags, '--enable-logging=stderr', '--dump-dom', "file://$tmp/report.html" ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(180));
	my $sections = () = $out =~ /<section /g;
	my $charts = () = $out =~ /<svg /g;
	ok($sections >= 12 && $charts >= 5, "chromium: the DOM has $sections sections and $charts charts");
	# with --enable-logging Chromium logs every console message of the page: a blocked fetch, a CSP violation, an
	# error would show here as a CONSOLE line
	unlike($err, qr/:CONSOLE/, 'chromium: the page logs nothing to its console (no blocked fetch, no error)');
}

done_testing();
