#include "common/termination_signals.h"

#include <pthread.h>

namespace payvox {

TerminationSignals::TerminationSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

int TerminationSignals::Wait() {
  int received = 0;
  while (sigwait(&signals_, &received) != 0) {
  }
  return received;
}

}  // namespace payvox
