// Test support: a virtual LAN (scripts/vlan) owned by RAII, and child processes with their
// stdout read line by line under a timeout (readiness, never sleeps).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace confcast::net::testing {

// Empty when this process can build namespaces (root and `ip netns` works); otherwise why not,
// for GTEST_SKIP().
std::string VlanSkipReason();

class VirtualLan {
 public:
  // Brings up N hosts with a unique name (cc-<pid>-<random>); extra arguments go to
  // `scripts/vlan up` (e.g. {"--loss", "2:10"}). Stale LANs of dead test processes are removed
  // first. The error says why the LAN could not be built.
  static std::expected<std::unique_ptr<VirtualLan>, std::string> Up(
      int hosts, std::vector<std::string> extra = {});
  ~VirtualLan();
  VirtualLan(const VirtualLan&) = delete;
  VirtualLan& operator=(const VirtualLan&) = delete;

  const std::string& name() const { return name_; }
  std::string Namespace(int host) const { return name_ + "-h" + std::to_string(host); }
  std::string BridgeNamespace() const { return name_ + "-br"; }
  static std::string Address(int host, int family = 4);
  // argv that runs `argv` inside host's namespace.
  std::vector<std::string> In(int host, std::vector<std::string> argv) const;

 private:
  explicit VirtualLan(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// A child process; killed (SIGKILL) and reaped on destruction if still running.
class Process {
 public:
  static std::expected<std::unique_ptr<Process>, std::string> Start(
      const std::vector<std::string>& argv);
  ~Process();
  // Next line of stdout, or nullopt on EOF or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Waits for a line starting with `prefix`, discarding others.
  std::optional<std::string> WaitFor(const std::string& prefix, std::chrono::milliseconds timeout);
  void Signal(int sig);
  // Exit status (or 128 + signal), or nullopt if still running after the timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  Process(pid_t pid, int out) : pid_(pid), out_(out) {}
  pid_t pid_;
  int out_;
  std::string buffer_;
  bool reaped_ = false;
  int status_ = -1;
};

// Runs argv to completion; returns (exit status, stdout).
std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout);

// "result a=1 b=x" -> {a: 1, b: x}
std::map<std::string, std::string> ParseKeyValues(const std::string& line);
long long Num(const std::map<std::string, std::string>& kv, const std::string& key);

}  // namespace confcast::net::testing
