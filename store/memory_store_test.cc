#include "store/memory_store.h"

#include <thread>
#include <vector>

#include "common/testing/fake_clock.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace payvox {
namespace {

using ::payvox::testing::StatusIs;

const VerificationKey kJenny{"acme", "call-1", "cus_1"};

TEST(MemoryStoreTest, AttemptsAreCountedPerCallAndCustomer) {
  testing::FakeClock clock;
  MemoryStore store(clock);
  for (int i = 1; i <= 3; ++i) {
    absl::StatusOr<VerificationState> state = store.ReserveVerificationAttempt(kJenny, 3);
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->attempts_used, i);
  }
  EXPECT_THAT(store.ReserveVerificationAttempt(kJenny, 3),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // Another call, or another customer, starts afresh.
  EXPECT_TRUE(store.ReserveVerificationAttempt({"acme", "call-2", "cus_1"}, 3).ok());
  EXPECT_TRUE(store.ReserveVerificationAttempt({"acme", "call-1", "cus_2"}, 3).ok());
  EXPECT_TRUE(store.ReserveVerificationAttempt({"other", "call-1", "cus_1"}, 3).ok());
}

TEST(MemoryStoreTest, ReleasedAttemptsCanBeTakenAgain) {
  testing::FakeClock clock;
  MemoryStore store(clock);
  ASSERT_TRUE(store.ReserveVerificationAttempt(kJenny, 1).ok());
  ASSERT_TRUE(store.ReleaseVerificationAttempt(kJenny).ok());
  EXPECT_TRUE(store.ReserveVerificationAttempt(kJenny, 1).ok());
}

TEST(MemoryStoreTest, ConcurrentGuessesNeverExceedTheLimit) {
  testing::FakeClock clock;
  MemoryStore store(clock);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        if (store.ReserveVerificationAttempt(kJenny, 3).ok()) ++granted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 3);
}

TEST(MemoryStoreTest, VerificationIsRemembered) {
  testing::FakeClock clock;
  MemoryStore store(clock);
  EXPECT_EQ(store.GetVerification(kJenny)->verified_until, absl::InfinitePast());
  const absl::Time until = clock.Now() + absl::Minutes(30);
  ASSERT_TRUE(store.MarkVerified(kJenny, until).ok());
  EXPECT_EQ(store.GetVerification(kJenny)->verified_until, until);
}

TEST(MemoryStoreTest, BoundedAndEvictsIdleEntries) {
  testing::FakeClock clock;
  MemoryStore store(clock, /*max_entries=*/2);
  ASSERT_TRUE(store.ReserveVerificationAttempt({"t", "c1", "cus_1"}, 3).ok());
  ASSERT_TRUE(store.ReserveVerificationAttempt({"t", "c2", "cus_1"}, 3).ok());
  EXPECT_THAT(store.ReserveVerificationAttempt({"t", "c3", "cus_1"}, 3),
              StatusIs(absl::StatusCode::kResourceExhausted));
  clock.Advance(absl::Hours(25));
  EXPECT_TRUE(store.ReserveVerificationAttempt({"t", "c3", "cus_1"}, 3).ok());
}

}  // namespace
}  // namespace payvox
