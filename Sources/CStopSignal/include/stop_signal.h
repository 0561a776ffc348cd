// SIGINT/SIGTERM as a request that a training loop polls between steps (async-signal-safe: the
// handler only stores the signal number). The handler resets itself, so a second signal ends the
// process the usual way.
#pragma once

// Installs the handler for SIGINT and SIGTERM.
void stop_signal_install(void);
// The first signal received since install (0: none).
int stop_signal_received(void);
