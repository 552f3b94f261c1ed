# The index advisor over a real client workload: pgbench sends its statements with the extended protocol
# (-M prepared), so the shapes' texts carry $1 parameters and are planned generically. The advice must find the
# index both shapes need, its SQL must run as it is, and once it exists the advice is gone and the statements use it.
# Counts and plan shapes only, never timings.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('index_advisor');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_optimize'
pg_optimize.databases = ''
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION pg_optimize;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL,
                     created_at timestamptz NOT NULL, note text);
INSERT INTO orders
SELECT g, g % 2000, CASE WHEN g % 25 = 0 THEN 'open' ELSE 'closed' END,
       timestamptz '2026-01-01' - g * interval '1 minute', 'note ' || g
FROM generate_series(1, 50000) g;
ANALYZE orders;
SELECT pg_stat_force_next_flush();
});
$node->safe_psql('postgres', 'SELECT pg_stat_reset(); SELECT optimize.reset_latency()');

my $workload = {
	'010_orders_of_customer' => q{
\set c random(1, 2000)
SELECT count(*) FROM orders WHERE customer_id = :c;
SELECT id, created_at FROM orders WHERE customer_id = :c ORDER BY created_at DESC LIMIT 5;
}
};
$node->pgbench('-n -M prepared -c 2 -t 30', 0, [qr/processed: 60\/60/], [qr/^$/],
	'pgbench runs the workload with prepared statements', $workload);

# The shapes were kept with their parameters.
is( $node->safe_psql('postgres', q{
SELECT string_agg(calls || ' ' || query, E'\n' ORDER BY query) FROM optimize.slow_queries
WHERE query LIKE '%FROM orders WHERE customer_id = $1%'}),
	qq{60 SELECT count(*) FROM orders WHERE customer_id = \$1\n} .
	  qq{60 SELECT id, created_at FROM orders WHERE customer_id = \$1 ORDER BY created_at DESC LIMIT 5},
	'both shapes are kept with their $1 parameter');

# explain_hypothetical plans such a text generically.
is( $node->safe_psql('postgres', q{
SELECT generic_plan, hypothetical_indexes, cost_after < cost_before
FROM optimize.explain_hypothetical('SELECT count(*) FROM orders WHERE customer_id = $1')}),
	't|{"CREATE INDEX ON public.orders USING btree (customer_id)"}|t',
	'a statement with a parameter gets a generic plan and its index');

# One index for both shapes: equality column, then the ORDER BY column.
my $advice = $node->safe_psql('postgres', q{
SELECT kind, cardinality(queryids), cost_after < cost_before / 10, sql FROM optimize.index_advice});
is( $advice,
	'btree|2|t|CREATE INDEX CONCURRENTLY ON public.orders USING btree (customer_id, created_at DESC);',
	'one composite index is advised for both shapes');
is( $node->safe_psql('postgres', q{
SELECT count(*) FROM optimize.index_advice a, unnest(a.queryids) q JOIN optimize.slow_queries s ON s.queryid = q}),
	'2', 'the statements helped are the shapes pgbench ran');
is( $node->safe_psql('postgres', q{SELECT count(*) FROM pg_indexes WHERE tablename = 'orders'}),
	'1', 'advising created nothing');

# The advice as it is: CREATE INDEX CONCURRENTLY runs outside a transaction block.
my ($sql) = $advice =~ /\|(CREATE INDEX CONCURRENTLY .*)$/;
$node->safe_psql('postgres', $sql);
is( $node->safe_psql('postgres', q{SELECT indexdef FROM pg_indexes WHERE tablename = 'orders' AND indexname <> 'orders_pkey'}),
	'CREATE INDEX orders_customer_id_created_at_idx ON public.orders USING btree (customer_id, created_at DESC)',
	'the advised SQL creates the index');
is($node->safe_psql('postgres', 'SELECT count(*) FROM optimize.index_advice'), '0', 'no advice once the index exists');
like( $node->safe_psql('postgres', q{
PREPARE q(int) AS SELECT id, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 5;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE q(7)}),
	qr/Index Scan using orders_customer_id_created_at_idx on orders/, 'the statement uses the index');

$node->stop;
unlike(slurp_file($node->logfile), qr/server process .* was terminated by signal/, 'no crash');
done_testing();
