// termination_signals.h: SIGINT/SIGTERM handling for payvox's daemons.
//
//   TerminationSignals signals;   // first thing in main(), before any thread
//   ... start servers ...
//   const int received = signals.Wait();
//
// The constructor blocks SIGINT and SIGTERM in the calling thread, so every
// thread started afterwards inherits the mask and only Wait() receives them.
#ifndef PAYVOX_COMMON_TERMINATION_SIGNALS_H_
#define PAYVOX_COMMON_TERMINATION_SIGNALS_H_

#include <csignal>

namespace payvox {

class TerminationSignals {
 public:
  TerminationSignals();
  // Wait blocks until SIGINT or SIGTERM arrives and returns which.
  int Wait();

 private:
  sigset_t signals_;
};

}  // namespace payvox

#endif  // PAYVOX_COMMON_TERMINATION_SIGNALS_H_
