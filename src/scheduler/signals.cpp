#include "scheduler/signals.hpp"

#include <cerrno>

#include "scheduler/shared_state.hpp"

extern "C" {
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
}

namespace pgo::scheduler {

volatile sig_atomic_t terminate_requested = false;

void handle_sigterm(SIGNAL_ARGS) {
  const int saved = errno;
  terminate_requested = true;
  SetLatch(MyLatch);
  errno = saved;
}

void prepare_worker_process() {
  pqsignal(SIGTERM, handle_sigterm);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  if (shared() == nullptr)
    proc_exit(0);
}

bool keep_running() {
  CHECK_FOR_INTERRUPTS();
  if (ConfigReloadPending) {
    ConfigReloadPending = false;
    ProcessConfigFile(PGC_SIGHUP);
  }
  return !terminate_requested;
}

} // namespace pgo::scheduler
