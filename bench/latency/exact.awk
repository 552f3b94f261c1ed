# Exact p95 (nearest rank) and share within a target from pgbench --log files: field 3 is the transaction's latency
# in microseconds. Input: the sorted latencies, one a line. Prints "p95_ms pct_within".
{ v[NR] = $1; if ($1 <= target_us) within++ }
END {
  rank = int(0.95 * NR); if (rank < 0.95 * NR) rank++
  printf "%.3f %.3f\n", v[rank] / 1000.0, 100.0 * within / NR
}
