#include "scheduler/scheduler.hpp"

#include "scheduler/scheduler_settings.hpp"
#include "scheduler/shared_state.hpp"
#include "scheduler/workers.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace pgo::scheduler {

void initialize() {
  settings::define();
  install_ddl_guard();
  // Only a preloaded library can have shared memory and a launcher; pg_upgrade's server must start nothing.
  if (!process_shared_preload_libraries_in_progress || IsBinaryUpgrade)
    return;
  install_shared_memory_hooks();
  register_launcher();
}

} // namespace pgo::scheduler
