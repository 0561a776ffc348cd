#include <signal.h>
#include <string.h>
#include "stop_signal.h"

static volatile sig_atomic_t received = 0;

static void on_signal(int signo) {
    if (received == 0) received = signo;
}

void stop_signal_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESETHAND;  // the second signal takes the default action (ends the process)
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, 0);
    sigaction(SIGTERM, &action, 0);
}

int stop_signal_received(void) { return received; }
