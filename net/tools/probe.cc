// confcast-probe: the smallest proof that multicast flows between two hosts.
//
//   confcast-probe --recv --group 239.0.0.11:15550 [--iface IFACE] [--source S]
//   confcast-probe --send --group 239.0.0.11:15550 --count 1000 --rate 500
//
// The sender writes numbered datagrams (magic, run id, sequence, total, send time); the
// receiver prints "ready" once joined, then one "result" line of key=value pairs: what arrived,
// was lost, reordered, duplicated or foreign (not ours), truncated, dropped by the kernel, and
// the one-way delay from the sender's stamp to the kernel's arrival stamp (meaningful when both
// share a clock, as network namespaces on one host do).
#include <confcast/cli/command_line.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "confcast/net/batch_io.h"
#include "confcast/net/endpoint.h"
#include "confcast/net/event_loop.h"
#include "confcast/net/interface.h"
#include "confcast/net/log.h"
#include "confcast/net/socket.h"
#include "confcast/rtp/bytes.h"

namespace {

using namespace confcast::net;
using confcast::rtp::ReadU32;
using confcast::rtp::ReadU64;
using confcast::rtp::WriteU32;
using confcast::rtp::WriteU64;

constexpr std::uint32_t kMagic = 0x43435042;  // "CCPB"
constexpr std::size_t kHeader = 24;           // magic, run, seq, total (u32), sent ns (u64)

std::uint64_t RealtimeNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

std::chrono::steady_clock::time_point Now() {
  return std::chrono::steady_clock::now();
}

// User + system CPU time this process has used, in microseconds.
std::int64_t CpuMicros() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000LL + u.ru_utime.tv_usec +
         u.ru_stime.tv_usec;
}

struct Args {
  bool send = false;
  bool recv = false;
  std::string group;
  std::string source;
  std::string interface;
  std::uint32_t count = 100;
  double rate = 100;  // datagrams per second; 0: as fast as the socket takes them
  std::size_t size = 200;
  std::uint32_t run_id = 0;
  std::size_t batch = 32;
  int ttl = 1;
  std::string dscp;
  std::uint16_t local_port = 0;
  double timeout = 10;
  double idle = 1;
  bool no_join = false;
};

int Fail(const Error& e) {
  spdlog::error("{}", e.message);
  return 2;
}

int RunSender(const Args& a, const MulticastEndpoint& ep, const InterfaceChoice& iface) {
  SenderOptions options;
  options.ttl = a.ttl;
  options.local_port = a.local_port;
  options.listen_rtcp = false;
  if (a.dscp == "ef") options.dscp = Dscp::kEf;
  if (a.dscp == "af41") options.dscp = Dscp::kAf41;
  auto stream = SenderStream::Open(ep, iface, options);
  if (!stream) return Fail(stream.error());
  for (const auto& w : stream->warnings()) spdlog::warn("{}", w);

  auto loop = EventLoop::Create();
  if (!loop) return Fail(loop.error());
  if (auto r = (*loop)->StopOnSignals(); !r) return Fail(r.error());

  const std::size_t size = std::max(a.size, kHeader);
  const std::size_t batch = std::max<std::size_t>(a.batch, 1);
  std::vector<std::vector<std::uint8_t>> buffers(batch, std::vector<std::uint8_t>(size, 0));
  std::vector<std::span<const std::uint8_t>> views;
  std::uint32_t next = 0;
  std::uint64_t full = 0;  // sends the socket buffer refused and we retried
  const auto start = Now();
  const int fd = stream->rtp_fd();
  spdlog::debug("sending {} datagrams of {} bytes at {} per second, {} per system call, from port {}",
                a.count, size, a.rate > 0 ? fmt::format("{}", a.rate) : std::string("as many as fit"),
                batch, stream->local_rtp_port());

  // Sends whatever is due at `rate` (all of it when rate is 0), in batches.
  auto pump = [&]() -> std::expected<void, Error> {
    std::uint32_t due = a.count;
    if (a.rate > 0) {
      const double elapsed = std::chrono::duration<double>(Now() - start).count();
      due = std::min<std::uint32_t>(a.count, static_cast<std::uint32_t>(elapsed * a.rate) + 1);
    }
    while (next < due) {
      const std::size_t n = std::min<std::size_t>(batch, due - next);
      views.clear();
      const std::uint64_t now = RealtimeNs();
      for (std::size_t i = 0; i < n; ++i) {
        auto& b = buffers[i];
        WriteU32(b, 0, kMagic);
        WriteU32(b, 4, a.run_id);
        WriteU32(b, 8, next + static_cast<std::uint32_t>(i));
        WriteU32(b, 12, a.count);
        WriteU64(b, 16, now);
        views.emplace_back(b);
      }
      std::size_t sent = 0;
      if (batch == 1) {
        auto ok = SendOne(fd, views.front());
        if (!ok) return std::unexpected(ok.error());
        sent = *ok ? 1 : 0;
      } else {
        auto r = SendBatch(fd, views);
        if (!r) return std::unexpected(r.error());
        sent = *r;
      }
      next += static_cast<std::uint32_t>(sent);
      if (sent < n) {
        ++full;
        return {};  // socket buffer full: the next tick retries
      }
    }
    return {};
  };

  std::optional<Error> error;
  auto tick = [&]() {
    if (auto r = pump(); !r) {
      error = r.error();
      (*loop)->Stop();
    }
    if (next >= a.count) (*loop)->Stop();
  };
  const auto period =
      a.rate > 0 ? std::chrono::nanoseconds(static_cast<std::int64_t>(std::max(1e9 / a.rate, 1e5)))
                 : std::chrono::nanoseconds(50'000);
  if (auto t = (*loop)->AddTimer({}, period, tick); !t) return Fail(t.error());
  if (auto r = (*loop)->Run(); !r) return Fail(r.error());
  if (error) return Fail(*error);
  const double secs = std::chrono::duration<double>(Now() - start).count();
  fmt::print(
      "sent={} seconds={:.3f} rate={:.0f} buffer_full={} cpu_us={} local_port={} interface={}\n",
      next, secs, secs > 0 ? next / secs : 0.0, full, CpuMicros(), stream->local_rtp_port(),
      iface.iface.name);
  return (*loop)->stop_signal() != 0 && next < a.count ? 130 : 0;
}

int RunReceiver(const Args& a, const MulticastEndpoint& ep, const InterfaceChoice& iface) {
  auto sock = GroupSocket::Open(ep, ep.RtpPort(), iface, {.join = !a.no_join});
  if (!sock) return Fail(sock.error());
  for (const auto& w : sock->warnings()) spdlog::warn("{}", w);
  auto loop = EventLoop::Create();
  if (!loop) return Fail(loop.error());
  if (auto r = (*loop)->StopOnSignals(); !r) return Fail(r.error());

  BatchReceiver receiver(std::max<std::size_t>(a.batch, 1), std::max<std::size_t>(a.size, 2048));
  std::vector<bool> seen;
  std::uint32_t total = 0;
  std::uint64_t distinct = 0, reordered = 0, duplicates = 0, foreign = 0;
  std::int64_t highest = -1;
  double delay_sum_us = 0, delay_max_us = 0;
  std::chrono::nanoseconds first_arrival{}, last_arrival{};
  std::optional<Error> error;
  auto last = Now();
  bool any = false;

  auto on_readable = [&]() {
    auto batch = receiver.Receive(sock->fd());
    if (!batch) {
      error = batch.error();
      (*loop)->Stop();
      return;
    }
    for (const Datagram& d : *batch) {
      // Network input is counted and dropped, never trusted: check size, magic and run.
      if (d.data.size() < kHeader || ReadU32(d.data, 0) != kMagic ||
          (a.run_id != 0 && ReadU32(d.data, 4) != a.run_id)) {
        ++foreign;
        continue;
      }
      const std::uint32_t seq = ReadU32(d.data, 8);
      const std::uint32_t tot = ReadU32(d.data, 12);
      if (tot == 0 || tot > 100'000'000 || seq >= tot || (total != 0 && tot != total)) {
        ++foreign;
        continue;
      }
      if (total == 0) {
        total = tot;
        seen.assign(total, false);
      }
      if (seen[seq]) {
        ++duplicates;
        continue;
      }
      seen[seq] = true;
      ++distinct;
      if (seq < highest) ++reordered;
      highest = std::max<std::int64_t>(highest, seq);
      if (d.arrival.count() > 0) {
        if (first_arrival.count() == 0) first_arrival = d.arrival;
        last_arrival = d.arrival;
        const double us =
            (static_cast<double>(d.arrival.count()) - static_cast<double>(ReadU64(d.data, 16))) /
            1e3;
        delay_sum_us += us;
        delay_max_us = std::max(delay_max_us, us);
      }
    }
    if (!batch->empty()) {
      last = Now();
      any = true;
    }
    if (total != 0 && distinct == total) (*loop)->Stop();
  };
  if (auto r = (*loop)->Watch(sock->fd(), on_readable); !r) return Fail(r.error());
  const auto start = Now();
  auto check = [&]() {
    const double since_start = std::chrono::duration<double>(Now() - start).count();
    const double since_last = std::chrono::duration<double>(Now() - last).count();
    if (since_start >= a.timeout || (any && since_last >= a.idle)) (*loop)->Stop();
  };
  if (auto t =
          (*loop)->AddTimer(std::chrono::milliseconds(20), std::chrono::milliseconds(20), check);
      !t) {
    return Fail(t.error());
  }
  spdlog::debug("joined {} on {}; waiting at most {} s, stopping {} s after the last datagram",
                ep.ToString(), iface.iface.name, a.timeout, a.idle);
  fmt::print("ready\n");
  std::fflush(stdout);
  if (auto r = (*loop)->Run(); !r) return Fail(r.error());
  if (error) return Fail(*error);

  const auto& c = receiver.counters();
  const std::int64_t span_us =
      std::chrono::duration_cast<std::chrono::microseconds>(last_arrival - first_arrival).count();
  const std::uint64_t expected = total != 0 ? total : a.count;
  const std::uint64_t lost = expected > distinct ? expected - distinct : 0;
  fmt::print(
      "result received={} expected={} lost={} reordered={} duplicates={} foreign={} "
      "truncated={} kernel_drops={} bytes={} delay_avg_us={:.0f} delay_max_us={:.0f} "
      "span_us={} rate_pps={:.0f} cpu_us={} interface={} address={}\n",
      distinct, expected, lost, reordered, duplicates, foreign, c.truncated, c.kernel_drops,
      c.bytes, distinct > 0 ? delay_sum_us / static_cast<double>(distinct) : 0.0, delay_max_us,
      span_us,
      span_us > 0 ? static_cast<double>(distinct) * 1e6 / static_cast<double>(span_us) : 0.0,
      CpuMicros(), iface.iface.name, iface.address.ToString());
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  LogOptions log;
  const confcast::cli::Manual manual{
      .groups = {{"Role", {"--send", "--recv"}},
                 {"Network", {"--group", "--source", "--iface", "--ttl", "--dscp", "--local-port",
                              "--no-join"}},
                 {"Sending", {"--count", "--rate", "--size", "--batch", "--run-id"}},
                 {"Receiving", {"--timeout", "--idle"}},
                 {"Messages", {"--log-level", "-q", "-v"}}},
      .examples = {{"confcast-probe --recv --group 239.0.0.11:15550 --iface eth0",
                    "on host B: wait for datagrams, then print one result line"},
                   {"confcast-probe --send --group 239.0.0.11:15550 --count 1000 --rate 500",
                    "on host A: send 1000 numbered datagrams at 500 a second"}},
      .exit_codes = {{0, "done (the result line says what arrived)"},
                     {2, "a bad option, group or interface, or the socket failed"},
                     {130, "the sender was interrupted before --count datagrams"}},
  };
  confcast::cli::CommandLine cl(
      "confcast-probe", "send or receive numbered test datagrams on a multicast group",
      [&a, &log](CLI::App& app) {
        auto* send = app.add_flag("--send", a.send, "send numbered datagrams");
        auto* recv = app.add_flag("--recv", a.recv, "receive and report what arrived");
        send->excludes(recv);
        app.add_option("--group", a.group, "group:port, e.g. 239.0.0.11:15550 or [ff15::11]:15550 (required)")
            ->option_text("ADDR:PORT")  // type_name would end at the ':' (manual_format.h)
            ->required();
        app.add_option("--source", a.source, "sender address for a source-specific group (232/8)")
            ->type_name("ADDR");
        app.add_option("--iface,--interface", a.interface, "interface name or address (default: route)")
            ->type_name("NAME|ADDR");
        app.add_option("--count", a.count, "datagrams to send (receiver: expected if none arrive)")
            ->type_name("N")
            ->capture_default_str();
        app.add_option("--rate", a.rate, "datagrams per second, 0 = as fast as possible")
            ->type_name("N")
            ->capture_default_str();
        app.add_option("--size", a.size, "datagram size in bytes (>= 24)")
            ->type_name("BYTES")
            ->capture_default_str();
        app.add_option("--run-id", a.run_id, "tag; a receiver with a run id counts others as foreign")
            ->type_name("N");
        app.add_option("--batch", a.batch, "datagrams per sendmmsg/recvmmsg; 1 = one send() each")
            ->type_name("N")
            ->capture_default_str();
        app.add_option("--ttl", a.ttl, "multicast TTL / hop limit")->type_name("N")->capture_default_str();
        app.add_option("--dscp", a.dscp, "DSCP marking: ef (audio) or af41 (video)")
            ->type_name("ef|af41")
            ->check(CLI::IsMember({"ef", "af41"}));
        app.add_option("--local-port", a.local_port, "sender's local even port (default random)")
            ->type_name("P");
        app.add_option("--timeout", a.timeout, "receiver: give up after this many seconds")
            ->type_name("SECONDS")
            ->capture_default_str();
        app.add_option("--idle", a.idle, "receiver: stop this many seconds after the last datagram")
            ->type_name("SECONDS")
            ->capture_default_str();
        app.add_flag("--no-join", a.no_join, "receiver: bind but do not join (tests)");
        AddLogOptions(app, &log, "debug messages: the sender's pacing, the receiver's join");
      },
      manual);
  if (auto parsed = cl.Parse(argc, argv); !parsed) return confcast::cli::Finish(parsed.error());
  InitLogging("confcast-probe", log.Level());  // stdout is for results
  if (!a.send && !a.recv) {
    spdlog::error("choose --send or --recv");
    return 2;
  }

  auto ep = ParseEndpoint(a.group, {}, a.source, a.send ? Role::kSender : Role::kReceiver);
  if (!ep) return Fail(ep.error());
  auto iface = SelectInterface(a.interface, *ep);
  if (!iface) return Fail(iface.error());
  for (const auto& w : iface->warnings) spdlog::warn("{}", w);
  spdlog::info("{}", iface->StartupLine(*ep));
  return a.send ? RunSender(a, *ep, *iface) : RunReceiver(a, *ep, *iface);
}
