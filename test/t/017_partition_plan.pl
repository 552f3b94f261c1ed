# optimize.partition_plan() run for real: a table with rows, an identity column, foreign keys out and in, a grant,
# owned by an unprivileged role, turned into a RANGE-partitioned table with psql's \gexec while another session keeps
# inserting (each insert its own transaction, through a plpgsql plan cached before the switch). No row is lost or
# duplicated, the identity goes on from where it was, the foreign keys hold, and the objects a non-superuser database
# owner planted in public (with the database's search_path pointing there first) never run.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('partition_plan');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
});
$node->start;

$node->safe_psql('postgres', q{
CREATE ROLE mallory LOGIN;
CREATE ROLE alice LOGIN;
CREATE ROLE reader;
CREATE DATABASE app OWNER mallory;
});
$node->safe_psql('app', 'CREATE EXTENSION pg_optimize');
$node->safe_psql('app', 'GRANT CREATE ON SCHEMA public TO alice', extra_params => [ '-U', 'mallory' ]);

# alice's tables: 20 days of events with an identity, a foreign key out (customers) and one in (notes).
$node->safe_psql('app', q{
CREATE TABLE customers (id int PRIMARY KEY);
INSERT INTO customers SELECT generate_series(1, 10);
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY,
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  customer_id int NOT NULL REFERENCES customers,
  payload text,
  PRIMARY KEY (id, created_at));
CREATE INDEX events_customer ON events (customer_id);
GRANT SELECT ON events TO reader;
INSERT INTO events (created_at, customer_id, payload)
  SELECT pg_catalog.now() - g * interval '1 minute', 1 + g % 10, 'initial' FROM generate_series(1, 28000) g;
CREATE TABLE notes (id serial PRIMARY KEY, event_id bigint, event_at timestamptz,
                    FOREIGN KEY (event_id, event_at) REFERENCES events (id, created_at));
INSERT INTO notes (event_id, event_at) SELECT id, created_at FROM events WHERE id % 1000 = 0;
}, extra_params => [ '-U', 'alice' ]);

# mallory plants look-alikes of what the plan calls, and puts public first for everyone in the database.
$node->safe_psql('app', q{
CREATE TABLE public.canary (what text);
GRANT INSERT ON public.canary TO PUBLIC;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.canary VALUES ('now'); RETURN pg_catalog.now(); END$$;
CREATE FUNCTION public.setval(regclass, bigint, boolean) RETURNS bigint LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.canary VALUES ('setval'); RETURN 1; END$$;
CREATE FUNCTION public.lt(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.canary VALUES ('<'); RETURN true; END$$;
CREATE OPERATOR public.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.lt);
ALTER DATABASE app SET search_path = public, pg_catalog;
}, extra_params => [ '-U', 'mallory' ]);

my $initial = $node->safe_psql('app', 'SELECT count(*) FROM events');
my $max_before = $node->safe_psql('app', 'SELECT max(id) FROM events');

# The writer: one insert a transaction until told to stop, through a plan plpgsql cached before the switch.
$node->safe_psql('app', 'CREATE TABLE public.writer_stop (stop boolean)');
my ($writer_out, $writer_err) = ('', '');
my $writer = IPC::Run::start(
	[
		'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('app'), '-c', q{
DO $$
DECLARE n int := 0;
BEGIN
  LOOP
    INSERT INTO public.events (customer_id, payload) VALUES (1 + n % 10, 'writer');
    n := n + 1;
    COMMIT;
    EXIT WHEN EXISTS (SELECT FROM public.writer_stop);
    PERFORM pg_catalog.pg_sleep(0.002);
  END LOOP;
  RAISE NOTICE 'inserted %', n;
END
$$}
	],
	'>', \$writer_out, '2>', \$writer_err);

sub writer_rows { return $node->safe_psql('app', q{SELECT count(*) FROM events WHERE payload = 'writer'}); }
ok($node->poll_query_until('app', q{SELECT count(*) >= 20 FROM events WHERE payload = 'writer'}),
	'the writer is inserting');

# The plan, run by alice as psql's \gexec: up to the switch in one session, the rest in another.
sub run_plan
{
	my ($phases) = @_;
	my ($out, $err) = ('', '');
	my $script = "SET client_min_messages = debug1;\n"
	  . "SELECT statement FROM public.migration WHERE step_no = 1 OR phase IN ($phases) ORDER BY step_no \\gexec\n";
	my $ok = IPC::Run::run(
		[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-U', 'alice', '-d', $node->connstr('app') ],
		'<', \$script, '>', \$out, '2>', \$err);
	ok($ok, "plan phases $phases ran") or diag("$out\n$err");
	return $err;
}
# The plan is kept in a table: asked for again once its build phase ran, it would answer that the names it needs are
# taken.
$node->safe_psql('app',
	q{CREATE TABLE public.migration AS SELECT * FROM optimize.partition_plan('public.events', 'created_at', '1 day')},
	extra_params => [ '-U', 'alice' ]);
my $plan_text = $node->safe_psql('app',
	q{SELECT string_agg(step_no || ' ' || phase || ' ' || statement, E'\n' ORDER BY step_no) FROM public.migration});
unlike($plan_text, qr/blocked/, 'the table can be partitioned safely');
like($plan_text, qr/notes DROP CONSTRAINT/, 'the foreign key in is moved');

run_plan(q{'prepare', 'build'});
my $before_switch = writer_rows();
my $switch_log = run_plan(q{'switch', 'finish'});
like($switch_log, qr/partition constraint for table "events_legacy" is implied by existing constraints/,
	'ATTACH PARTITION did not scan the table: the validated CHECK proved the bound');
my $after_switch = writer_rows();
ok($node->poll_query_until('app', "SELECT count(*) >= $after_switch + 20 FROM events WHERE payload = 'writer'"),
	'the writer goes on inserting after the switch');
$node->safe_psql('app', 'INSERT INTO public.writer_stop VALUES (true)');
ok($writer->finish, 'no insert of the writer failed') or diag($writer_err);
my ($inserted) = $writer_err =~ /inserted (\d+)/;
ok(defined $inserted && $before_switch > 0, "the writer inserted before the switch ($before_switch rows) and after")
  or diag($writer_err);

# Every row once, the identity continuing, the structure moved.
is($node->safe_psql('app', 'SELECT relkind FROM pg_class WHERE oid = \'public.events\'::regclass'),
	'p', 'events is partitioned now');
is(writer_rows(), $inserted, "the writer's $inserted rows are there, each once");
is($node->safe_psql('app', q{SELECT count(*) FROM events WHERE payload = 'initial'}), $initial,
	'the initial rows are there');
is($node->safe_psql('app', 'SELECT count(*) = count(DISTINCT id) FROM events'), 't', 'no identity value twice');
my $new_id = $node->safe_psql('app',
	q{INSERT INTO events (customer_id, payload) VALUES (3, 'after') RETURNING id}, extra_params => [ '-U', 'alice' ]);
my $max_writer = $node->safe_psql('app', q{SELECT max(id) FROM events WHERE payload <> 'after'});
ok($new_id > $max_writer && $max_writer > $max_before, "the identity continues ($new_id after $max_writer)");
is($node->safe_psql('app', q{SELECT pg_get_serial_sequence('public.events', 'id')}),
	'public.events_id_seq', 'the identity sequence has the old name');
like($node->safe_psql('app', q{SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
                               JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.events'::regclass}),
	qr/^events_legacy(,events_p\d{8}){4}$/, 'the old table and four partitions ahead');
is($node->safe_psql('app', q{SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.events'::regclass}),
	'alice', 'alice owns the partitioned table');
is($node->safe_psql('app', q{SELECT has_table_privilege('reader', 'public.events', 'SELECT')}), 't',
	'the grant is on the partitioned table');
is($node->safe_psql('app', q{SELECT string_agg(conrelid::regclass || '->' || confrelid::regclass || ':' || convalidated,
                             ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'f' AND conparentid = 0
                             AND connamespace = 'public'::regnamespace}),
	'events->customers:true,notes->events:true', 'foreign keys out and in, validated');
my ($rc, $out, $err) = $node->psql('app', q{INSERT INTO notes (event_id, event_at) VALUES (-1, pg_catalog.now())});
like($err, qr/violates foreign key constraint/, 'the foreign key in is enforced');
($rc, $out, $err) = $node->psql('app', q{INSERT INTO events (customer_id) VALUES (99)});
like($err, qr/violates foreign key constraint/, 'the foreign key out is enforced');
is($node->safe_psql('app', q{SELECT count(*) FROM events e JOIN notes n ON (n.event_id, n.event_at) = (e.id, e.created_at)}),
	'28', 'the notes still find their events');
is($node->safe_psql('app', 'SELECT count(*) FROM public.canary'), '0', 'nothing mallory planted ran');

# A second plan for the partitioned table answers why not, and writes nothing.
like($node->safe_psql('app', q{SELECT string_agg(phase || ': ' || note, E'\n')
                             FROM optimize.partition_plan('public.events', 'created_at', '1 day')}),
	qr/^blocked: cannot partition safely: the table is partitioned already$/m, 'a partitioned table is refused');

$node->stop;
done_testing();
