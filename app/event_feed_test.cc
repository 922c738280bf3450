#include "app/event_feed.h"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace payvox {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// ManualWatch wakes when the test says another replica appended.
class ManualWatch final : public EventWatch {
 public:
  bool Wait(absl::Duration timeout) override {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] { return told_ || stopped_; });
    const bool told = told_;
    told_ = false;
    return told && !stopped_;
  }
  void Stop() override {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    wake_.notify_all();
  }
  void Tell() {
    std::lock_guard<std::mutex> lock(mu_);
    told_ = true;
    wake_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  bool told_ = false;
  bool stopped_ = false;
};

class EventFeedTest : public ::testing::Test {
 protected:
  void Append(const std::string& tenant, const std::string& id) {
    StoredEvent stored{.tenant_id = tenant};
    stored.event.set_stripe_event_id(id);
    stored.event.set_type("charge.refunded");
    ASSERT_TRUE(store_->AppendEvent(stored).ok());
  }
  // What the feed delivered: (tenant, sequence) in order.
  std::vector<std::pair<std::string, int64_t>> Delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }
  EventFeed::Deliver Recorder() {
    return [this](const std::string& tenant, const v1::PaymentEvent& event) {
      std::lock_guard<std::mutex> lock(mu_);
      delivered_.emplace_back(tenant, event.sequence());
      arrived_.notify_all();
    };
  }
  bool WaitFor(size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    return arrived_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return delivered_.size() >= count; });
  }

  testing::FakeClock clock_;
  std::unique_ptr<SqliteStore> store_ = *SqliteStore::Open({}, clock_);
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<std::pair<std::string, int64_t>> delivered_;
};

TEST_F(EventFeedTest, DeliversWhatOthersAppendAfterItStartsInOrderOnce) {
  Append("acme", "evt_before_1");
  Append("acme", "evt_before_2");
  EventFeed feed(*store_, std::make_unique<ManualWatch>(), Recorder(), {});
  // Never started, the feed knows no heads: a tenant it first sees has all
  // its events delivered.
  ASSERT_TRUE(feed.ReadOnce().ok());
  EXPECT_THAT(Delivered(), ElementsAre(Pair("acme", 1), Pair("acme", 2)));
  Append("acme", "evt_3");
  Append("beta", "evt_b1");
  Append("acme", "evt_4");
  ASSERT_TRUE(feed.ReadOnce().ok());
  ASSERT_TRUE(feed.ReadOnce().ok());  // nothing new: nothing again
  EXPECT_THAT(Delivered(), ElementsAre(Pair("acme", 1), Pair("acme", 2), Pair("acme", 3),
                                       Pair("acme", 4), Pair("beta", 1)));
}

TEST_F(EventFeedTest, StartsFromTheHeadsAndWakesOnNoticeOrPolls) {
  Append("acme", "evt_before");
  auto watch = std::make_unique<ManualWatch>();
  ManualWatch* notices = watch.get();
  EventFeed feed(*store_, std::move(watch), Recorder(), {.poll_interval = absl::Hours(1)});
  ASSERT_TRUE(feed.Start().ok());
  Append("acme", "evt_2");
  notices->Tell();
  ASSERT_TRUE(WaitFor(1));
  feed.Stop();
  // What was stored before the start is the store's to replay.
  EXPECT_THAT(Delivered(), ElementsAre(Pair("acme", 2)));

  // Without a notice the feed reads on its poll.
  EventFeed polling(*store_, std::make_unique<ManualWatch>(), Recorder(),
                    {.poll_interval = absl::Milliseconds(20)});
  ASSERT_TRUE(polling.Start().ok());
  Append("acme", "evt_3");
  ASSERT_TRUE(WaitFor(2));
  polling.Stop();
  EXPECT_THAT(Delivered(), ElementsAre(Pair("acme", 2), Pair("acme", 3)));
}

TEST_F(EventFeedTest, RefusesAStoreWithoutAWatch) {
  EventFeed feed(*store_, nullptr, Recorder(), {});
  EXPECT_EQ(feed.Start().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace payvox
