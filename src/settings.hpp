// pg_optimize's settings (GUCs), defined in _PG_init. Thresholds come in pairs: a warning level and a critical level
// above it; alerts use the higher severity whose threshold is reached.
#pragma once

namespace pgo::settings {

extern int slow_query_ms;
extern int slow_query_critical_ms;
extern int alert_connection_pct;
extern int alert_connection_critical_pct;
extern int alert_dead_tuple_pct;
extern int alert_dead_tuple_critical_pct;
extern int alert_dead_tuple_min_rows;
extern double alert_xid_age_pct;
extern double alert_xid_age_critical_pct;
extern int alert_sequence_pct;
extern int alert_sequence_critical_pct;
extern int alert_idle_in_transaction_s;
extern int alert_idle_in_transaction_critical_s;
extern int alert_lock_wait_ms;
extern int alert_lock_wait_critical_ms;
extern int alert_slot_retained_mb;
extern int alert_slot_retained_critical_mb;
extern int openmetrics_max_tables;
extern int report_max_rows;
extern int advisor_min_calls;
extern int advisor_min_saving_pct;
extern int advisor_max_columns;
extern int partition_advice_min_kb; // pg_optimize.partition_advice_min_bytes, kept in kB
extern int measure_threads;
// pg_optimize.measure_threads as the thread count the sizing calls take.
inline unsigned measure_thread_count() { return static_cast<unsigned>(measure_threads); }

void define();

} // namespace pgo::settings
