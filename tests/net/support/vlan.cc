#include "support/vlan.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <regex>
#include <sstream>

namespace confcast::net::testing {
namespace {

using namespace std::chrono_literals;

std::int64_t MillisLeft(std::chrono::steady_clock::time_point deadline) {
  return std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                       deadline - std::chrono::steady_clock::now())
                                       .count());
}

// Removes LANs named cc-<pid>-* whose test process is gone (it crashed before its destructor).
void RemoveStale() {
  auto [status, out] = RunCommand({"ip", "netns", "list"}, 5s);
  if (status != 0) return;
  std::istringstream lines(out);
  std::string line;
  std::regex pattern("^(cc-([0-9]+)-[0-9a-f]+)-(br|h[0-9]+)");
  std::vector<std::string> stale;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, pattern)) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(m[2].str()));
    if (pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH) stale.push_back(m[1].str());
  }
  for (const auto& name : stale) RunCommand({CONFCAST_VLAN_SCRIPT, "down", name}, 10s);
}

}  // namespace

std::string VlanSkipReason() {
  if (geteuid() != 0) return "needs root to create network namespaces (CI runs as root)";
  auto [status, out] = RunCommand({"ip", "netns", "list"}, 5s);
  if (status != 0) return "`ip netns list` failed: no network namespace support here";
  return {};
}

std::expected<std::unique_ptr<VirtualLan>, std::string> VirtualLan::Up(
    int hosts, std::vector<std::string> extra) {
  RemoveStale();
  std::random_device seed;
  char name[64];
  std::snprintf(name, sizeof name, "cc-%d-%06x", static_cast<int>(getpid()), seed() & 0xffffff);
  std::vector<std::string> argv = {CONFCAST_VLAN_SCRIPT, "up", name, std::to_string(hosts)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::unique_ptr<VirtualLan> lan(new VirtualLan(name));  // owns teardown even if up fails
  auto [status, out] = RunCommand(argv, 30s);
  if (status != 0)
    return std::unexpected("scripts/vlan up failed (status " + std::to_string(status) + ")");
  return lan;
}

VirtualLan::~VirtualLan() {
  RunCommand({CONFCAST_VLAN_SCRIPT, "down", name_}, 30s);
}

std::string VirtualLan::Address(int host, int family) {
  return family == 6 ? "fd77::" + std::to_string(host) : "10.77.0." + std::to_string(host);
}

std::vector<std::string> VirtualLan::In(int host, std::vector<std::string> argv) const {
  std::vector<std::string> out = {"ip", "netns", "exec", Namespace(host)};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::expected<std::unique_ptr<Process>, std::string> Process::Start(
    const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::unexpected(std::string("pipe failed"));
  const pid_t pid = fork();
  if (pid < 0) return std::unexpected(std::string("fork failed"));
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  return std::unique_ptr<Process>(new Process(pid, fds[0]));
}

Process::~Process() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(out_);
}

std::optional<std::string> Process::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    pollfd p{out_, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(MillisLeft(deadline)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    char chunk[4096];
    const ssize_t n = read(out_, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> Process::WaitFor(const std::string& prefix,
                                            std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (auto line = ReadLine(std::chrono::milliseconds(MillisLeft(deadline)))) {
    if (line->starts_with(prefix)) return line;
  }
  return std::nullopt;
}

void Process::Signal(int sig) {
  if (!reaped_) kill(pid_, sig);
}

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  if (!reaped_) {
    // A pidfd becomes readable when the child exits: wait on readiness, not on a sleep loop.
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      int r;
      do {
        r = poll(&p, 1, static_cast<int>(timeout.count()));
      } while (r < 0 && errno == EINTR);
      close(pidfd);
      if (r == 0) return std::nullopt;
    }
    int status = 0;
    if (waitpid(pid_, &status, pidfd >= 0 ? 0 : WNOHANG) != pid_) return std::nullopt;
    reaped_ = true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return status_;
}

std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout) {
  auto p = Process::Start(argv);
  if (!p) return {-1, {}};
  std::string out;
  while (auto line = (*p)->ReadLine(timeout)) out += *line + "\n";
  auto status = (*p)->Wait(timeout);
  return {status.value_or(-1), out};
}

std::map<std::string, std::string> ParseKeyValues(const std::string& line) {
  std::map<std::string, std::string> kv;
  std::istringstream words(line);
  std::string word;
  while (words >> word) {
    if (auto eq = word.find('='); eq != std::string::npos) {
      kv[word.substr(0, eq)] = word.substr(eq + 1);
    }
  }
  return kv;
}

long long Num(const std::map<std::string, std::string>& kv, const std::string& key) {
  auto it = kv.find(key);
  return it == kv.end() ? -1 : std::stoll(it->second);
}

}  // namespace confcast::net::testing
