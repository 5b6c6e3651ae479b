#include "confcast/net/datagram_filter.h"

#include <atomic>
#include <map>
#include <mutex>

namespace confcast::net {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<int, std::shared_ptr<DatagramFilter>> filters;
  std::atomic<bool> any{false};  // keeps the mutex off the path of unfiltered sockets
};

Registry& Filters() {
  static Registry* r = new Registry;  // never destroyed: sockets may close during exit
  return *r;
}

}  // namespace

void SetDatagramFilter(int fd, std::shared_ptr<DatagramFilter> filter) {
  Registry& r = Filters();
  std::lock_guard lock(r.mutex);
  if (filter) {
    r.filters[fd] = std::move(filter);
  } else {
    r.filters.erase(fd);
  }
  r.any.store(!r.filters.empty(), std::memory_order_release);
}

std::shared_ptr<DatagramFilter> DatagramFilterOf(int fd) {
  Registry& r = Filters();
  if (!r.any.load(std::memory_order_acquire)) return nullptr;
  std::lock_guard lock(r.mutex);
  auto it = r.filters.find(fd);
  return it == r.filters.end() ? nullptr : it->second;
}

}  // namespace confcast::net
