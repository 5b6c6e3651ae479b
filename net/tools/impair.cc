// confcast-impair: burst loss, delay, jitter and reordering for the virtual LAN on kernels
// without netem.
//
//   iptables -A FORWARD -p udp -j NFQUEUE --queue-num 0 --queue-bypass
//   confcast-impair --queue 0 --delay-ms 20 --jitter-ms 5 --reorder-pct 1
//   confcast-impair --queue 0 --ge-p 0.01 --ge-r 0.25 [--ge-loss-bad 1 --ge-loss-good 0]
//
// How it works: the kernel hands each queued packet's id to us over NFQUEUE (libnetfilter_queue)
// and keeps the packet; we decide when to give the verdict. Each packet is released
// delay +- jitter (uniform) after it arrived, so jitter larger than the packet spacing reorders
// on its own; --reorder-pct of packets skip the delay entirely, like netem's reorder. A 1 ms
// timer on the event loop releases what is due. On SIGTERM everything held is accepted.
// With --ge-p/--ge-r each packet first meets a Gilbert-Elliott chain (gilbert_elliott.h), which
// needs state across packets that nftables' stateless `numgen random` cannot keep; a packet it
// drops gets an NF_DROP verdict at once.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "confcast/net/event_loop.h"
#include "confcast/net/gilbert_elliott.h"
#include "confcast/net/log.h"
#include "confcast/version.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Held {
  Clock::time_point release;
  std::uint32_t id;
  bool operator>(const Held& o) const { return release > o.release; }
};

struct State {
  nfq_q_handle* queue = nullptr;
  double delay_ms = 0;
  double jitter_ms = 0;
  double reorder_pct = 0;
  std::mt19937_64 rng{std::random_device{}()};
  std::priority_queue<Held, std::vector<Held>, std::greater<>> held;
  std::optional<confcast::net::GilbertElliott> ge;
  std::uint64_t packets = 0;
  std::uint64_t dropped = 0;
};

int OnPacket(nfq_q_handle* q, nfgenmsg*, nfq_data* nfa, void* data) {
  auto* s = static_cast<State*>(data);
  nfqnl_msg_packet_hdr* ph = nfq_get_msg_packet_hdr(nfa);
  if (ph == nullptr) return 0;
  const std::uint32_t id = ntohl(ph->packet_id);
  ++s->packets;
  if (s->ge && s->ge->Drop()) {
    ++s->dropped;
    nfq_set_verdict(q, id, NF_DROP, 0, nullptr);
    return 0;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double ms = s->delay_ms + s->jitter_ms * (2 * unit(s->rng) - 1);
  if (ms <= 0 || unit(s->rng) * 100 < s->reorder_pct) {
    nfq_set_verdict(q, id, NF_ACCEPT, 0, nullptr);
    return 0;
  }
  s->held.push({Clock::now() + std::chrono::microseconds(static_cast<long>(ms * 1000)), id});
  return 0;
}

void Release(State& s, bool all) {
  const auto now = Clock::now();
  while (!s.held.empty() && (all || s.held.top().release <= now)) {
    nfq_set_verdict(s.queue, s.held.top().id, NF_ACCEPT, 0, nullptr);
    s.held.pop();
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"confcast-impair: NFQUEUE delay/jitter/reorder for the virtual LAN", "confcast-impair"};
  app.set_version_flag("--version", confcast::VersionLine("confcast-impair"));
  std::uint16_t queue_num = 0;
  std::string ready_file;
  State s;
  app.add_option("--queue", queue_num, "NFQUEUE number");
  app.add_option("--delay-ms", s.delay_ms, "mean added delay");
  app.add_option("--jitter-ms", s.jitter_ms, "uniform +- jitter around the delay");
  app.add_option("--reorder-pct", s.reorder_pct, "percent of packets sent at once (reordered)");
  app.add_option("--ready-file", ready_file, "created once the queue is bound");
  confcast::net::GilbertElliottParams ge;
  std::uint64_t seed = std::random_device{}();
  auto* ge_p = app.add_option("--ge-p", ge.p, "Gilbert-Elliott: P(good->bad) per packet")
                   ->check(CLI::Range(0.0, 1.0));
  auto* ge_r = app.add_option("--ge-r", ge.r, "Gilbert-Elliott: P(bad->good) per packet")
                   ->check(CLI::Range(0.0, 1.0));
  app.add_option("--ge-loss-bad", ge.loss_bad, "loss probability in the bad state (1-h)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--ge-loss-good", ge.loss_good, "loss probability in the good state (1-k)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", seed, "random seed (default: from the system)");
  confcast::net::LogOptions log;
  confcast::net::AddLogOptions(app, &log, "debug messages: the random seed of the run");
  confcast::net::OneLineParseErrors(app);
  CLI11_PARSE(app, argc, argv);
  confcast::net::InitLogging("confcast-impair", log.Level());
  spdlog::debug("random seed {} (--seed {} repeats this run's choices)", seed, seed);
  s.rng.seed(seed);
  if (ge_p->count() > 0 || ge_r->count() > 0) s.ge.emplace(ge, seed ^ 0x9e3779b97f4a7c15ULL);

  nfq_handle* h = nfq_open();
  if (h == nullptr) {
    spdlog::error("nfq_open failed: {}; run as root with nfnetlink_queue", std::strerror(errno));
    return 2;
  }
  s.queue = nfq_create_queue(h, queue_num, &OnPacket, &s);
  if (s.queue == nullptr) {
    spdlog::error("queue {} is taken or unavailable: {}", queue_num, std::strerror(errno));
    nfq_close(h);
    return 2;
  }
  nfq_set_mode(s.queue, NFQNL_COPY_META, 0);  // verdicts only: no payload copies
  nfq_set_queue_maxlen(s.queue, 20000);
  const int fd = nfq_fd(h);

  auto loop = confcast::net::EventLoop::Create();
  if (!loop) return spdlog::error("{}", loop.error().message), 2;
  if (auto r = (*loop)->StopOnSignals(); !r) return spdlog::error("{}", r.error().message), 2;
  std::vector<char> buf(65536);
  (void)(*loop)->Watch(fd, [&] {
    const ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0) nfq_handle_packet(h, buf.data(), static_cast<int>(n));
    // ENOBUFS: the kernel dropped queue messages; those packets are lost, like real loss.
  });
  (void)(*loop)->AddTimer(std::chrono::milliseconds(1), std::chrono::milliseconds(1),
                          [&] { Release(s, false); });
  if (!ready_file.empty()) {
    if (std::FILE* f = std::fopen(ready_file.c_str(), "w")) std::fclose(f);
  }
  spdlog::info("holding the packets of queue {}: delay {} ms +- {} ms, {}% reordered{}", queue_num,
               s.delay_ms, s.jitter_ms, s.reorder_pct,
               s.ge ? fmt::format(", Gilbert-Elliott p {} r {}", ge.p, ge.r) : std::string());
  (void)(*loop)->Run();
  Release(s, true);
  nfq_destroy_queue(s.queue);
  nfq_close(h);
  fmt::print("packets={} dropped={}\n", s.packets, s.dropped);
  return 0;
}
