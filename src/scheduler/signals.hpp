// Signals of the launcher and the schedulers. SIGTERM: a flag their loops test, and their latch set so that they notice
// now; for a scheduler also a cancel, which ends any wait at once.
#pragma once

#include <csignal>

#include "pg/postgres.hpp"

namespace pgo::scheduler {

extern volatile sig_atomic_t terminate_requested;
void handle_sigterm(SIGNAL_ARGS);

// The start of the launcher and of a scheduler: SIGTERM as above, SIGHUP reloads the configuration, signals
// unblocked; exits at once (quietly) when pg_optimize has no shared memory. cancel_waits (a scheduler, which runs
// SQL): a SIGTERM also cancels what the process is waiting for, as die() would end it, so that a lock a user holds
// can never keep it (nor DROP DATABASE ... WITH (FORCE)) waiting; the aborted unit of work is followed by a normal
// exit.
void prepare_worker_process(bool cancel_waits);

// The top of a worker loop: handles pending interrupts and a configuration reload; false once SIGTERM came.
bool keep_running();

} // namespace pgo::scheduler
