// The automation's entry point from _PG_init: settings, the DDL guard, and (when preloaded) shared memory and the
// launcher. The workers themselves: launcher.cpp, scheduler.cpp, job_worker.cpp.
#pragma once

namespace pgo::scheduler {

void initialize();
void install_ddl_guard();

} // namespace pgo::scheduler
