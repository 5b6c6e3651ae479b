// A single-threaded event loop on epoll: readiness callbacks for file descriptors, timers on
// timerfd, and clean shutdown on SIGINT/SIGTERM through signalfd. Callbacks run on the thread
// that called Run(); Stop() may be called from any thread (it writes an eventfd).
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <expected>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>

#include "confcast/net/error.h"

namespace confcast::net {

class EventLoop {
 public:
  using Callback = std::function<void()>;
  using TimerId = int;

  static std::expected<std::unique_ptr<EventLoop>, Error> Create();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  // Calls `on_readable` whenever `fd` has data (level-triggered). One callback per fd.
  std::expected<void, Error> Watch(int fd, Callback on_readable);
  void Unwatch(int fd);

  // Runs `callback` after `first`, then every `period` (zero period: once). Safe to cancel
  // from inside any callback, including its own.
  std::expected<TimerId, Error> AddTimer(std::chrono::nanoseconds first,
                                         std::chrono::nanoseconds period, Callback callback);
  void CancelTimer(TimerId id);

  // Blocks these signals for the calling thread (call before starting other threads, so they
  // inherit the mask) and stops the loop when one arrives.
  std::expected<void, Error> StopOnSignals(std::initializer_list<int> signals = {SIGINT, SIGTERM});

  // Dispatches until Stop() or a handled signal. A Stop() issued before Run() makes it return
  // at once.
  std::expected<void, Error> Run();
  void Stop();
  int stop_signal() const { return stop_signal_; }  // 0 unless a signal stopped the loop

 private:
  EventLoop() = default;
  enum class Kind { kFd, kTimer, kSignal, kWake };
  struct Entry {
    Kind kind;
    std::shared_ptr<Callback> callback;
  };
  std::expected<void, Error> Add(int fd, Kind kind, std::shared_ptr<Callback> callback);

  int epoll_ = -1;
  int wake_ = -1;
  int signal_fd_ = -1;
  std::atomic<bool> stopping_ = false;
  int stop_signal_ = 0;
  std::map<int, Entry> entries_;
};

}  // namespace confcast::net
