// Cost of moving multicast datagrams through the kernel on loopback, per datagram: sendmmsg +
// recvmmsg in batches of 32 against send() + recvmmsg(1) per datagram. Runs in a private
// network namespace (root) so nothing leaves the process's own loopback.
#include <benchmark/benchmark.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "confcast/net/batch_io.h"
#include "confcast/net/socket.h"

namespace {

using namespace confcast::net;

void SendReceive(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  const auto size = static_cast<std::size_t>(state.range(1));
  auto ep = *ParseEndpoint("239.0.0.11:15550");
  auto iface = SelectInterface("lo", ep);
  if (!iface) {
    state.SkipWithError(iface.error().message.c_str());
    return;
  }
  auto sender = SenderStream::Open(ep, *iface, {.dscp = {}, .listen_rtcp = false});
  auto receiver = GroupSocket::Open(ep, ep.RtpPort(), *iface, {});
  if (!sender || !receiver) {
    state.SkipWithError("cannot open sockets");
    return;
  }
  std::vector<std::vector<std::uint8_t>> data(32, std::vector<std::uint8_t>(size, 0x80));
  std::vector<std::span<const std::uint8_t>> views(data.begin(), data.end());
  BatchReceiver rx(batch, 2048);
  for (auto _ : state) {
    // 32 datagrams per iteration either way, so items/s compare directly.
    if (batch > 1) {
      benchmark::DoNotOptimize(SendBatch(sender->rtp_fd(), views));
    } else {
      for (const auto& v : views) benchmark::DoNotOptimize(SendOne(sender->rtp_fd(), v));
    }
    std::size_t got = 0;
    while (got < 32) {
      auto r = rx.Receive(receiver->fd());
      if (!r || r->empty()) break;
      got += r->size();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(rx.counters().datagrams));
  state.SetBytesProcessed(static_cast<std::int64_t>(rx.counters().bytes));
  state.counters["kernel_drops"] = static_cast<double>(rx.counters().kernel_drops);
}
BENCHMARK(SendReceive)
    ->ArgNames({"batch", "size"})
    ->Args({32, 200})
    ->Args({1, 200})
    ->Args({32, 1200})
    ->Args({1, 1200});

bool PrivateLoopback() {
  if (unshare(CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "confcast-net-bench: unshare(CLONE_NEWNET) failed: %s; run as root\n",
                 std::strerror(errno));
    return false;
  }
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  req.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_MULTICAST;
  const bool ok = fd >= 0 && ioctl(fd, SIOCSIFFLAGS, &req) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!PrivateLoopback()) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
