# The README's tour is real psql output of the demo database: every statement in it runs here against the demo's
# sample schema (demo/sample_schema.sql, loaded as demo/run loads it), and must still return the columns the README
# shows, as many rows, and the same first column (table, index, check or setting names). Sizes, timings and
# percentages depend on the machine and are not compared. A statement renamed, a column dropped or a row more in the
# code makes this fail until the README shows the new output.
use strict;
use warnings;
use File::Spec;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $source = $ENV{PGO_SOURCE_DIR} // File::Spec->rel2abs('..', $ENV{TESTDIR} // '.');
my $readme = slurp_file("$source/README.md");

# The examples: in each code block, "db=# statement" (continued by "db-# " lines), then the output up to the next
# prompt or the end of the block.
my @examples;
while ($readme =~ /^```[^\n]*\n(.*?)^```/msg)
{
	my $block = $1;
	next unless $block =~ /^\w+=# /m;
	for my $part (split /^(?=\w+=# )/m, $block)
	{
		next unless $part =~ /^\w+=# /;
		my (@sql, @out);
		for my $line (split /\n/, $part)
		{
			if (!@out && $line =~ /^\w+[=-]# (.*)$/) { push @sql, $1; }
			else { push @out, $line; }
		}
		pop @out while @out && $out[-1] =~ /^\s*$/;
		push @examples, { sql => join("\n", @sql), out => \@out };
	}
}
cmp_ok(scalar(@examples), '>=', 3, 'the README tour has psql examples (' . scalar(@examples) . ')');

my $node = PostgreSQL::Test::Cluster->new('tour');
$node->init;
# As demo/run's cluster, without autovacuum: the sample schema's dead tuples stay where the README shows them.
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_optimize'\npg_optimize.databases = 'postgres'\nautovacuum = off");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE roadtrip');
my ($rc, $out, $err) = $node->psql('roadtrip', undef, extra_params => [ '-v', 'ON_ERROR_STOP=1', '-f', "$source/demo/sample_schema.sql" ]);
is($rc, 0, 'the demo schema loads') or diag($err);
$node->safe_psql('roadtrip', 'CREATE EXTENSION pg_optimize');

# The parts of aligned psql output that do not depend on the machine: column names, the row count, first columns.
sub shape
{
	my @lines = @_;
	my @cells = sub { map { s/^\s+|\s+$//gr } split /\|/, $_[0], -1 }->($lines[0] // '');
	my @first = map { (split /\|/, $_)[0] =~ s/^\s+|\s+$//gr } grep { !/^-+(\+-+)*$/ && !/^\(\d+ rows?\)$/ } @lines[ 1 .. $#lines ];
	my ($count) = map { /^\((\d+) rows?\)$/ ? $1 : () } @lines;
	return join("\n", 'columns: ' . join(', ', @cells), 'rows: ' . ($count // '?'), 'first: ' . join(', ', @first));
}

for my $example (@examples)
{
	my ($rc, $got, $stderr) = $node->psql('roadtrip', $example->{sql},
		extra_params => [ '-X', '-P', 'pager=off', '-P', 'tuples_only=off', '-P', 'format=aligned', '-v', 'ON_ERROR_STOP=1' ]);
	my $name = (split /\n/, $example->{sql})[0];
	$name = substr($name, 0, 60) . '...' if length($name) > 60;
	is($rc, 0, "runs: $name") or diag($stderr);
	is(shape(split /\n/, $got), shape(@{ $example->{out} }), "the README shows its columns, rows and names: $name");
}
$node->stop;
done_testing();
