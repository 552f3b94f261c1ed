#include "settings.hpp"

#include <climits>

#include "pg/guard.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace pgo::settings {

int slow_query_ms = 50;
int slow_query_critical_ms = 5000;
int alert_connection_pct = 80;
int alert_connection_critical_pct = 95;
int alert_dead_tuple_pct = 20;
int alert_dead_tuple_critical_pct = 50;
int alert_dead_tuple_min_rows = 1000;
double alert_xid_age_pct = 50;
double alert_xid_age_critical_pct = 80;
int alert_sequence_pct = 75;
int alert_sequence_critical_pct = 90;
int alert_idle_in_transaction_s = 60;
int alert_idle_in_transaction_critical_s = 600;
int alert_lock_wait_ms = 1000;
int alert_lock_wait_critical_ms = 30000;
int alert_slot_retained_mb = 0;
int alert_slot_retained_critical_mb = 10240;
int openmetrics_max_tables = 20;
int report_max_rows = 50;
int advisor_min_calls = 10;
int advisor_min_saving_pct = 20;
int advisor_max_columns = 3;
int partition_advice_min_kb = 10 * 1024 * 1024;
int measure_threads = 2;

namespace {

struct IntSetting {
  const char *name;
  const char *description;
  int *variable;
  int min, max, flags;
};

} // namespace

void define() {
  const IntSetting all[] = {
      {"pg_optimize.slow_query_ms", "A statement running longer than this is slow (the latency target).",
       &slow_query_ms, 1, INT_MAX, GUC_UNIT_MS},
      {"pg_optimize.slow_query_critical_ms", "A statement running longer than this raises a critical alert.",
       &slow_query_critical_ms, 1, INT_MAX, GUC_UNIT_MS},
      {"pg_optimize.alert_connection_pct", "Share of usable connection slots in use that raises a warning.",
       &alert_connection_pct, 1, 100, 0},
      {"pg_optimize.alert_connection_critical_pct", "Share of usable connection slots in use that is critical.",
       &alert_connection_critical_pct, 1, 100, 0},
      {"pg_optimize.alert_dead_tuple_pct", "Share of dead tuples in a table that raises a warning.",
       &alert_dead_tuple_pct, 1, 100, 0},
      {"pg_optimize.alert_dead_tuple_critical_pct", "Share of dead tuples in a table that is critical.",
       &alert_dead_tuple_critical_pct, 1, 100, 0},
      {"pg_optimize.alert_dead_tuple_min_rows", "Tables with fewer dead tuples than this raise no dead-tuple alert.",
       &alert_dead_tuple_min_rows, 0, INT_MAX, 0},
      {"pg_optimize.alert_sequence_pct", "Share of a sequence's range used that raises a warning.", &alert_sequence_pct,
       1, 100, 0},
      {"pg_optimize.alert_sequence_critical_pct", "Share of a sequence's range used that is critical.",
       &alert_sequence_critical_pct, 1, 100, 0},
      {"pg_optimize.alert_idle_in_transaction_s", "A session idle in transaction this long raises a warning.",
       &alert_idle_in_transaction_s, 1, INT_MAX, GUC_UNIT_S},
      {"pg_optimize.alert_idle_in_transaction_critical_s", "A session idle in transaction this long is critical.",
       &alert_idle_in_transaction_critical_s, 1, INT_MAX, GUC_UNIT_S},
      {"pg_optimize.alert_lock_wait_ms", "A query waiting this long for a lock raises a warning.", &alert_lock_wait_ms,
       0, INT_MAX, GUC_UNIT_MS},
      {"pg_optimize.alert_lock_wait_critical_ms", "A query waiting this long for a lock is critical.",
       &alert_lock_wait_critical_ms, 0, INT_MAX, GUC_UNIT_MS},
      {"pg_optimize.alert_slot_retained_mb",
       "WAL retained by an inactive replication slot that raises a warning "
       "(0: every inactive slot).",
       &alert_slot_retained_mb, 0, INT_MAX, GUC_UNIT_MB},
      {"pg_optimize.alert_slot_retained_critical_mb", "WAL retained by an inactive replication slot that is critical.",
       &alert_slot_retained_critical_mb, 0, INT_MAX, GUC_UNIT_MB},
      {"pg_optimize.openmetrics_max_tables",
       "Tables per metric in optimize.openmetrics() (the worst ones): keeps the number of series bounded.",
       &openmetrics_max_tables, 0, 10000, 0},
      {"pg_optimize.report_max_rows",
       "Rows of each long list in optimize.report() (the most important ones); a note gives the count and the query "
       "for all.",
       &report_max_rows, 1, 1000000, 0},
      {"pg_optimize.advisor_min_calls", "Statement shapes called fewer times than this get no index advice.",
       &advisor_min_calls, 1, INT_MAX, 0},
      {"pg_optimize.advisor_min_saving_pct",
       "An advised index must lower a statement's planner cost by at least this share.", &advisor_min_saving_pct, 1,
       100, 0},
      {"pg_optimize.advisor_max_columns", "Most key columns in an advised index.", &advisor_max_columns, 1, 32, 0},
      {"pg_optimize.partition_advice_min_bytes",
       "Tables smaller than this (with their indexes and TOAST) get no partitioning advice.", &partition_advice_min_kb,
       0, INT_MAX, GUC_UNIT_KB},
      {"pg_optimize.measure_threads",
       "Threads (the backend's own included) that measure relation files when a call sizes thousands of relations; 1 "
       "measures on the backend alone.",
       &measure_threads, 1, 16, 0},
  };
  // Wraparound shares are fractional: 0.5% of the XID space is still ten million transactions.
  pg::guard([] {
    DefineCustomRealVariable("pg_optimize.alert_xid_age_pct",
                             "Share of the transaction ID space used by the oldest unfrozen XID that raises a warning.",
                             nullptr, &alert_xid_age_pct, alert_xid_age_pct, 0.0, 100.0, PGC_USERSET, 0, nullptr,
                             nullptr, nullptr);
    DefineCustomRealVariable(
        "pg_optimize.alert_xid_age_critical_pct", "Share of the transaction ID space used that is critical.", nullptr,
        &alert_xid_age_critical_pct, alert_xid_age_critical_pct, 0.0, 100.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  });
  for (const IntSetting &s : all) {
    pg::guard([&] {
      DefineCustomIntVariable(s.name, s.description, nullptr, s.variable, *s.variable, s.min, s.max, PGC_USERSET,
                              s.flags, nullptr, nullptr, nullptr);
    });
  }
}

} // namespace pgo::settings
