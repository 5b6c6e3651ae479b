// epoll dispatch. Every source is a file descriptor: sockets, timerfds, a signalfd and an
// eventfd for cross-thread Stop(). Callbacks are held by shared_ptr and copied before they run,
// so a callback may unwatch or cancel anything (itself included) without freeing code that is
// still executing.
#include "confcast/net/event_loop.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace confcast::net {
namespace {

Error SysError(std::string_view what) {
  return Error{ErrorCode::kSystem,
               fmt::format("{} failed: {}; check the process's fd limit (ulimit -n)", what,
                           std::strerror(errno))};
}

timespec ToTimespec(std::chrono::nanoseconds d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d);
  return {static_cast<time_t>(s.count()), static_cast<long>((d - s).count())};
}

}  // namespace

std::expected<std::unique_ptr<EventLoop>, Error> EventLoop::Create() {
  std::unique_ptr<EventLoop> loop(new EventLoop());
  loop->epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (loop->epoll_ < 0) return std::unexpected(SysError("epoll_create1"));
  loop->wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (loop->wake_ < 0) return std::unexpected(SysError("eventfd"));
  if (auto r = loop->Add(loop->wake_, Kind::kWake, nullptr); !r) return std::unexpected(r.error());
  return loop;
}

EventLoop::~EventLoop() {
  for (auto& [fd, entry] : entries_) {
    if (entry.kind != Kind::kFd) close(fd);  // timers, signalfd, eventfd are ours
  }
  if (epoll_ >= 0) close(epoll_);
}

std::expected<void, Error> EventLoop::Add(int fd, Kind kind, std::shared_ptr<Callback> callback) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) return std::unexpected(SysError("epoll_ctl"));
  entries_[fd] = Entry{kind, std::move(callback)};
  return {};
}

std::expected<void, Error> EventLoop::Watch(int fd, Callback on_readable) {
  return Add(fd, Kind::kFd, std::make_shared<Callback>(std::move(on_readable)));
}

void EventLoop::Unwatch(int fd) {
  auto it = entries_.find(fd);
  if (it == entries_.end() || it->second.kind != Kind::kFd) return;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  entries_.erase(it);
}

std::expected<EventLoop::TimerId, Error> EventLoop::AddTimer(std::chrono::nanoseconds first,
                                                             std::chrono::nanoseconds period,
                                                             Callback callback) {
  const int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) return std::unexpected(SysError("timerfd_create"));
  itimerspec spec{};
  // A zero it_value disarms a timerfd, so "now" is one nanosecond.
  spec.it_value = ToTimespec(first.count() > 0 ? first : std::chrono::nanoseconds(1));
  spec.it_interval = ToTimespec(period);
  if (timerfd_settime(fd, 0, &spec, nullptr) != 0) {
    close(fd);
    return std::unexpected(SysError("timerfd_settime"));
  }
  if (auto r = Add(fd, Kind::kTimer, std::make_shared<Callback>(std::move(callback))); !r) {
    close(fd);
    return std::unexpected(r.error());
  }
  return fd;
}

void EventLoop::CancelTimer(TimerId id) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.kind != Kind::kTimer) return;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, id, nullptr);
  close(id);
  entries_.erase(it);
}

std::expected<void, Error> EventLoop::StopOnSignals(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
    return std::unexpected(SysError("pthread_sigmask"));
  }
  signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return std::unexpected(SysError("signalfd"));
  return Add(signal_fd_, Kind::kSignal, nullptr);
}

void EventLoop::Stop() {
  const std::uint64_t one = 1;
  stopping_ = true;
  (void)!write(wake_, &one, sizeof one);
}

std::expected<void, Error> EventLoop::Run() {
  // A Stop() that came before Run() is honoured (another thread may stop us before we start);
  // the request is consumed on the way out so the loop can run again.
  struct Consume {
    std::atomic<bool>& flag;
    ~Consume() { flag = false; }
  } consume{stopping_};
  epoll_event events[64];
  while (!stopping_) {
    const int n = epoll_wait(epoll_, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(SysError("epoll_wait"));
    }
    for (int i = 0; i < n && !stopping_; ++i) {
      const int fd = events[i].data.fd;
      auto it = entries_.find(fd);
      if (it == entries_.end()) continue;  // removed by an earlier callback in this round
      const Kind kind = it->second.kind;
      std::shared_ptr<Callback> callback = it->second.callback;
      if (kind == Kind::kTimer) {
        std::uint64_t expirations = 0;
        if (read(fd, &expirations, sizeof expirations) != sizeof expirations) continue;
        // A one-shot timer is finished: free its fd before the callback may add another.
        itimerspec spec{};
        timerfd_gettime(fd, &spec);
        if (spec.it_interval.tv_sec == 0 && spec.it_interval.tv_nsec == 0) CancelTimer(fd);
      } else if (kind == Kind::kSignal) {
        signalfd_siginfo info{};
        if (read(fd, &info, sizeof info) == sizeof info) {
          stop_signal_ = static_cast<int>(info.ssi_signo);
          stopping_ = true;
        }
        continue;
      } else if (kind == Kind::kWake) {
        std::uint64_t value = 0;
        (void)!read(fd, &value, sizeof value);
        continue;
      }
      if (callback && *callback) (*callback)();
    }
  }
  return {};
}

}  // namespace confcast::net
