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

namespace {
volatile sig_atomic_t cancel_on_sigterm = false;
}

void handle_sigterm(SIGNAL_ARGS) {
  const int saved = errno;
  terminate_requested = true;
  // Ends whatever the process waits for (a lock, above all) at its next CHECK_FOR_INTERRUPTS, as die() would, but
  // as an ERROR that aborts the unit of work: the loop then ends the process normally.
  if (cancel_on_sigterm) {
    QueryCancelPending = true;
    InterruptPending = true;
  }
  SetLatch(MyLatch);
  errno = saved;
}

void prepare_worker_process(bool cancel_waits) {
  cancel_on_sigterm = cancel_waits;
  pqsignal(SIGTERM, handle_sigterm);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  if (shared() == nullptr)
    proc_exit(0);
}

bool keep_running() {
  if (terminate_requested) {
    QueryCancelPending = false; // the SIGTERM's cancel, if nothing consumed it: the process ends here anyway
    return false;
  }
  CHECK_FOR_INTERRUPTS();
  if (ConfigReloadPending) {
    ConfigReloadPending = false;
    ProcessConfigFile(PGC_SIGHUP);
  }
  return !terminate_requested;
}

} // namespace pgo::scheduler
