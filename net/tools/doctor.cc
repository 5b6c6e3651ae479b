// confcast-doctor: checks this host and the path for the things that silently stop LAN
// multicast, and prints one line per check (OK, SKIP, WARN, FAIL) with the fix for each
// problem. See docs/doctor.md.
//
//   confcast-doctor [--group G] [--port P] [--iface IF] [--source S] [--peer ADDR]
//                   [--querier-wait SECONDS] [--json]
//   confcast-doctor --listen [--group G] [--port P] [--iface IF]    (the peer's side)
//
// Exit status: 0 when nothing FAILed (OK, SKIP and WARN lines only), 1 when a check FAILed,
// 2 when the doctor could not run (bad options, unusable group).
#include <confcast/cli/command_line.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "confcast/net/endpoint.h"
#include "confcast/net/interface.h"
#include "confcast/net/log.h"
#include "confcast/net/socket.h"
#include "doctor_checks.h"
#include "doctor_live.h"
#include "doctor_text.h"

namespace {

using namespace confcast::net;
using namespace confcast::net::doctor;

struct Args {
  std::string group = "239.0.0.11";
  std::uint16_t port = 15550;
  std::string iface;
  std::string source;
  std::string peer;
  bool listen = false;
  double listen_seconds = 0;
  double peer_timeout = 2;
  double querier_wait = 0;
  bool json = false;
  int ttl = 1;           // the session's, as given to confcast-send
  std::string key_file;  // the session's group key, as given to confcast-send/-recv
};

std::optional<int> ReadInt(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return std::nullopt;
  auto v = ParseUnsigned(Trim(*text));
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

int Usage(const std::string& message) {
  spdlog::error("{}", message);
  return 2;
}

void Print(const std::vector<CheckResult>& results, const MulticastEndpoint& ep,
           std::string_view iface, bool json) {
  Status worst = Status::kOk;
  for (const auto& r : results) worst = std::max(worst, r.status);
  if (json) {
    nlohmann::json out;
    out["group"] = ep.group.ToString();
    out["port"] = ep.port;
    out["interface"] = iface;
    out["status"] = StatusName(worst);
    out["checks"] = nlohmann::json::array();
    for (const auto& r : results) {
      out["checks"].push_back({{"name", r.name},
                               {"status", StatusName(r.status)},
                               {"detail", r.detail},
                               {"fix", r.fix}});
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("confcast-doctor: {} on {}\n", ep.ToString(), iface.empty() ? "(none)" : iface);
  for (const auto& r : results) {
    fmt::print("{:<4} {:<10} {}\n", StatusName(r.status), r.name, r.detail);
    if (!r.fix.empty()) fmt::print("{:<15} fix: {}\n", "", r.fix);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  LogOptions log;
  const confcast::cli::Manual manual{
      .groups = {{"Session", {"--group", "--port", "--source", "--ttl", "--key-file"}},
                 {"Network", {"--iface", "--querier-wait"}},
                 {"Two hosts", {"--peer", "--peer-timeout", "--listen", "--listen-seconds"}},
                 {"Output", {"--json", "--log-level", "-q", "-v"}}},
      .examples = {{"confcast-doctor --iface eth0", "check this host for the default group and port"},
                   {"confcast-doctor --listen --iface eth0", "on host B: answer host A's --peer test"},
                   {"confcast-doctor --iface eth0 --peer 192.0.2.7 --querier-wait 130",
                    "on host A: the path both ways to B, and whether an IGMP querier runs (root)"}},
      .exit_codes = {{0, "no check FAILed (OK, SKIP and WARN lines only)"},
                     {1, "a check FAILed: its fix line says what to do"},
                     {2, "the doctor could not run: a bad option or an unusable group"}},
  };
  confcast::cli::CommandLine cl(
      "confcast-doctor", "check this host and the path for LAN multicast trouble",
      [&a, &log](CLI::App& app) {
        app.add_option("--group", a.group, "multicast group (or group:port)")
            ->type_name("ADDR")
            ->capture_default_str();
        app.add_option("--port", a.port, "even base port (video P/P+1, audio P+2/P+3)")
            ->type_name("P")
            ->capture_default_str();
        app.add_option("--iface", a.iface, "interface name or address (default: route to the group)")
            ->type_name("NAME|ADDR");
        app.add_option("--source", a.source, "sender address for a source-specific group (232/8)")
            ->type_name("ADDR");
        app.add_option("--peer", a.peer, "two-host test with `confcast-doctor --listen` on ADDR")
            ->type_name("ADDR");
        app.add_flag("--listen", a.listen, "answer another host's --peer test");
        app.add_option("--listen-seconds", a.listen_seconds, "--listen: stop after this long (0: never)")
            ->type_name("SECONDS");
        app.add_option("--peer-timeout", a.peer_timeout, "seconds to wait for the peer's answer")
            ->type_name("SECONDS")
            ->capture_default_str();
        app.add_option("--querier-wait", a.querier_wait,
                       "seconds to listen for an IGMP querier (root; queries come every 125 s)")
            ->type_name("SECONDS");
        app.add_option("--ttl", a.ttl, "the session's multicast TTL (confcast-send --ttl): above 1 "
                       "without --key-file is a warning")
            ->type_name("N")
            ->capture_default_str()
            ->check(CLI::Range(0, 255));
        app.add_option("--key-file", a.key_file, "the session's group key file (SRTP), if it has one")
            ->type_name("FILE");
        app.add_flag("--json", a.json, "print the checks as JSON");
        AddLogOptions(app, &log, "debug messages: each command run and its result");
      },
      manual);
  if (auto parsed = cl.Parse(argc, argv); !parsed) return confcast::cli::Finish(parsed.error());
  InitLogging("confcast-doctor", log.Level());

  auto ep = ParseEndpoint(a.group, a.port, a.source, Role::kReceiver);
  if (!ep) return Usage(ep.error().message);
  if (ep->group.family != Family::kIpv4) {
    return Usage("only IPv4 groups are checked so far (rp_filter, IGMP and iptables are IPv4)");
  }
  std::optional<IpAddress> peer;
  if (!a.peer.empty()) {
    auto p = ParseIpAddress(a.peer);
    if (!p || p->family != Family::kIpv4) return Usage("--peer needs an IPv4 address: " + a.peer);
    peer = *p;
  }
  auto choice = SelectInterface(a.iface, *ep);
  if (a.listen) {
    if (!choice) return Usage(choice.error().message);
    return RunListener(*ep, *choice, a.listen_seconds);
  }
  const std::string iface = choice ? choice->iface.name : "";

  std::vector<CheckResult> results;
  auto interfaces = ListInterfaces();
  results.push_back(CheckInterfaces(
      interfaces ? GatherInterfaceFacts(*interfaces) : std::vector<InterfaceFacts>{}, iface,
      ep->group.ToString()));
  if (!choice) results.back().detail += " (" + choice.error().message + ")";

  const auto routes = ParseProcNetRoute(ReadFile("/proc/net/route").value_or(""));
  results.push_back(CheckMulticastRoute(routes, ep->group, iface));

  const std::string conf = "/proc/sys/net/ipv4/conf/";
  results.push_back(
      CheckRpFilter(ReadInt(conf + "all/rp_filter"),
                    iface.empty() ? std::nullopt : ReadInt(conf + iface + "/rp_filter"), iface,
                    peer ? peer : ep->source, routes));

  const auto ipt = RunCommand("iptables-save");
  const auto nft = RunCommand("nft -j list ruleset");
  if (!ipt && !nft) {
    results.push_back({"firewall", Status::kSkip,
                       "neither iptables-save nor nft could run (not root, or not installed)", ""});
  } else {
    results.push_back(CheckFirewall(ipt.value_or(""), nft.value_or(""), TrafficFor(*ep, iface)));
  }

  std::optional<long long> rmem;
  if (auto v = ReadInt("/proc/sys/net/core/rmem_max")) rmem = *v;
  results.push_back(CheckReceiveBuffer(rmem, kDefaultReceiveBuffer));
  results.push_back(CheckUdpDrops(ParseProcNetSnmpUdp(ReadFile("/proc/net/snmp").value_or(""))));

  if (choice) {
    std::optional<CheckResult> membership;
    const SelfTest t = RunSelfTest(*ep, *choice, [&] {
      membership = CheckMembership(ParseProcNetIgmp(ReadFile("/proc/net/igmp").value_or("")), iface,
                                   ep->group, ep->source.has_value());
    });
    results.push_back(CheckSelfTest(t, *ep, iface));
    results.push_back(*membership);
  } else {
    results.push_back({"loopback", Status::kSkip, "no interface to test on", ""});
    results.push_back({"membership", Status::kSkip, "no interface to join on", ""});
  }

  if (a.querier_wait <= 0) {
    results.push_back(CheckQuerier({}, 0,
                                   "pass --querier-wait 130 to listen for an IGMP querier for one "
                                   "query interval (needs root)"));
  } else if (!choice) {
    results.push_back(CheckQuerier({}, 0, "no interface to listen on"));
  } else if (geteuid() != 0) {
    results.push_back(CheckQuerier({}, 0, "not root: listening for IGMP needs a raw socket"));
  } else {
    auto heard = ListenForQuerier(choice->iface, a.querier_wait);
    results.push_back(heard ? CheckQuerier(*heard, a.querier_wait, "")
                            : CheckQuerier({}, 0, heard.error()));
  }

  if (peer) {
    if (choice) {
      results.push_back(CheckPeer(RunPeerTest(*ep, *choice, *peer, a.peer_timeout), *peer, *ep));
    } else {
      results.push_back({"peer", Status::kSkip, "no interface to test on", ""});
    }
  }

  results.push_back(CheckEncryption(a.ttl, !a.key_file.empty()));

  Print(results, *ep, iface, a.json);
  const bool failed = std::any_of(results.begin(), results.end(),
                                  [](const CheckResult& r) { return r.status == Status::kFail; });
  return failed ? 1 : 0;
}
