// pg_optimize's front door: the module magic block and _PG_init.
#include "advisor/hypothetical.hpp"
#include "latency/latency.hpp"
#include "pg/barrier.hpp"
#include "pg/guard.hpp"
#include "scheduler/scheduler.hpp"
#include "settings.hpp"

extern "C" {
#include "utils/guc.h"

PGO_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

namespace pgo {
namespace {

void initialize() {
  settings::define();
  scheduler::initialize();
  latency::initialize();
  advisor::install_hypothetical_hooks();
  // Reserving the prefix makes a misspelt pg_optimize.* setting a WARNING instead of a silently ignored placeholder.
  pg::guard([] { MarkGUCPrefixReserved("pg_optimize"); });
}

} // namespace
} // namespace pgo

void _PG_init(void) {
  pgo::pg::barrier([] { pgo::initialize(); });
}
