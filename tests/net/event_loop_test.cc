#include "confcast/net/event_loop.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <thread>

namespace confcast::net {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<EventLoop> NewLoop() {
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop) << loop.error().message;
  return std::move(*loop);
}

TEST(EventLoop, OneShotTimerFiresOnceAndPeriodicCancelsItself) {
  auto loop = NewLoop();
  int once = 0, periodic = 0;
  ASSERT_TRUE(loop->AddTimer(0ns, 0ns, [&] { ++once; }));
  EventLoop::TimerId id = -1;
  auto t = loop->AddTimer(1ms, 1ms, [&] {
    if (++periodic == 3) {
      loop->CancelTimer(id);
      loop->AddTimer(2ms, 0ns, [&] { loop->Stop(); }).value();
    }
  });
  ASSERT_TRUE(t);
  id = *t;
  ASSERT_TRUE(loop->Run());
  EXPECT_EQ(once, 1);
  EXPECT_EQ(periodic, 3);
}

TEST(EventLoop, WatchesReadinessAndUnwatchesFromTheCallback) {
  auto loop = NewLoop();
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  int calls = 0;
  ASSERT_TRUE(loop->Watch(fd, [&] {
    std::uint64_t v = 0;
    ASSERT_EQ(read(fd, &v, sizeof v), static_cast<ssize_t>(sizeof v));
    EXPECT_EQ(v, 5u);
    ++calls;
    loop->Unwatch(fd);
    loop->Stop();
  }));
  const std::uint64_t five = 5;
  ASSERT_EQ(write(fd, &five, sizeof five), static_cast<ssize_t>(sizeof five));
  ASSERT_TRUE(loop->Run());
  EXPECT_EQ(calls, 1);
  close(fd);
}

TEST(EventLoop, StopFromAnotherThread) {
  auto loop = NewLoop();
  std::thread stopper([&] { loop->Stop(); });
  ASSERT_TRUE(loop->Run());  // returns even if Stop() ran before Run() started waiting
  stopper.join();
  EXPECT_EQ(loop->stop_signal(), 0);
}

// SIGTERM stops the loop cleanly and is reported. Runs on its own thread so the blocked mask
// does not leak into the rest of the test process; the signal is aimed at that thread.
TEST(EventLoop, StopsOnSigterm) {
  int signal_seen = -1;
  std::thread worker([&] {
    auto loop = NewLoop();
    ASSERT_TRUE(loop->StopOnSignals({SIGTERM}));
    ASSERT_TRUE(loop->AddTimer(0ns, 0ns, [] { pthread_kill(pthread_self(), SIGTERM); }));
    ASSERT_TRUE(loop->Run());
    signal_seen = loop->stop_signal();
  });
  worker.join();
  EXPECT_EQ(signal_seen, SIGTERM);
}

}  // namespace
}  // namespace confcast::net
