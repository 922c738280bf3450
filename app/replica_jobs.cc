#include "app/replica_jobs.h"

#include <unistd.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/secure_random.h"

namespace payvox {

std::string ReplicaName() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(host, "-", getpid(), "-",
                      absl::BytesToHexString(SecureRandomBytes(4).value_or("")));
}

boost::asio::awaitable<void> WatchStore(StoreExecutor& store, std::vector<grpc::Server*> servers,
                                        const std::atomic<bool>& serving,
                                        std::atomic<bool>& store_reachable, Logger& log,
                                        absl::Duration every, const Clock& clock, Sleeper& sleeper,
                                        const CancelSignal& stop) {
  for (;;) {
    const bool slept = co_await sleeper.SleepUntil(clock.Now() + every, &stop);
    if (!slept) co_return;
    const absl::Status reached = co_await store.Run([](Store& s) { return s.Ping(); });
    if (reached.ok() == store_reachable.load() || !serving.load()) continue;
    store_reachable = reached.ok();
    for (grpc::Server* server : servers) {
      if (server == nullptr) continue;
      server->GetHealthCheckService()->SetServingStatus(reached.ok());
    }
    if (reached.ok()) {
      log.Info("the store answers again: serving", {});
    } else {
      log.Error("the store cannot be reached: health NOT_SERVING", {{"error", reached.ToString()}});
    }
  }
}

boost::asio::awaitable<void> ShareStripeBudget(StoreExecutor& store, std::string replica,
                                               stripe::StripeClients& clients,
                                               std::atomic<int>& alive, Logger& log,
                                               absl::Duration every, const Clock& clock,
                                               Sleeper& sleeper, const CancelSignal& stop) {
  for (;;) {
    const absl::Time now = clock.Now();
    const absl::StatusOr<int> live =
        co_await store.Run([&](Store& s) { return s.Heartbeat(replica, now, now + 3 * every); });
    if (live.ok() && *live >= 1 && *live != alive.load()) {
      log.Info("replicas alive changed: Stripe's limits split again",
               {{"replicas", absl::StrCat(*live)}, {"was", absl::StrCat(alive.load())}});
      alive = *live;
      clients.SetBudgetShare(1.0 / *live);
    }
    const bool slept = co_await sleeper.SleepUntil(clock.Now() + every, &stop);
    if (!slept) co_return;
  }
}

}  // namespace payvox
