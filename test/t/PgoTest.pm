# test/t/PgoTest.pm: small helpers shared by the TAP suites (prove runs with -I test/t).
package PgoTest;

use strict;
use warnings;
use Exporter 'import';
use Test::More;

our @EXPORT = qw(poll fails scheduler_pid);

# poll(NODE, DB, QUERY, EXPECTED, NAME): one test that passes once QUERY returns EXPECTED; shows the last answer if
# it never does.
sub poll
{
	my ($node, $db, $query, $expected, $name) = @_;
	return ok($node->poll_query_until($db, $query, $expected), $name)
	  || diag($node->safe_psql($db, $query));
}

# fails(NODE, DB, SQL, psql params...): the error text of SQL, or "(succeeded: output)" when it did not fail, for
# like()/is() against an expected error.
sub fails
{
	my ($node, $db, $sql, %params) = @_;
	my ($rc, $out, $err) = $node->psql($db, $sql, %params);
	return $rc != 0 ? $err : "(succeeded: $out)";
}

# scheduler_pid(NODE, DB): the process id of the pg_optimize scheduler attached to DB, or '' when there is none.
sub scheduler_pid
{
	my ($node, $db) = @_;
	return $node->safe_psql('postgres',
		qq{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_optimize scheduler' AND datname = '$db'});
}

1;
