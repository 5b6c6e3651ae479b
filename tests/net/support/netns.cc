#include "support/netns.h"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace confcast::net::testing {

std::string RunInPrivateNetns(const std::function<void()>& body) {
  std::string why;
  // The namespace belongs to the new thread only; it disappears when the thread ends.
  std::thread worker([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      why = std::string("unshare(CLONE_NEWNET) failed: ") + std::strerror(errno) +
            " (needs root; CI runs as root)";
      return;
    }
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq req{};
    std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    req.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_MULTICAST;
    if (fd < 0 || ioctl(fd, SIOCSIFFLAGS, &req) != 0) {
      why = std::string("cannot bring up lo with multicast: ") + std::strerror(errno);
    }
    if (fd >= 0) close(fd);
    if (why.empty()) body();
  });
  worker.join();
  return why;
}

}  // namespace confcast::net::testing
