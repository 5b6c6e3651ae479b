#include <confcast/net/log.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace confcast::net {
namespace {

constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 6> kLevels{{
    {"trace", spdlog::level::trace},
    {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},
    {"error", spdlog::level::err},
    {"off", spdlog::level::off},
}};

std::optional<spdlog::level::level_enum> ParseLevel(std::string_view name) {
  for (const auto& [text, level] : kLevels) {
    if (text == name) return level;
  }
  return std::nullopt;
}

// ANSI colours for the level word on a terminal.
std::string_view Colour(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "\033[2m";
    case spdlog::level::debug: return "\033[36m";
    case spdlog::level::info: return "\033[32m";
    case spdlog::level::warn: return "\033[33;1m";
    case spdlog::level::err: return "\033[31;1m";
    case spdlog::level::critical: return "\033[1;41m";
    default: return "";
  }
}

constexpr std::string_view kReset = "\033[0m";
constexpr std::string_view kClearLine = "\r\033[K";

// stderr with the status line kept at the bottom: a message clears the status line, is written
// on its own line, and the status line is drawn again under it.
class StatusAwareSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit StatusAwareSink(LogTarget target) : target_(target) {}

  void ShowStatus(std::string_view line) {
    if (!target_.terminal) return;
    std::lock_guard lock(mutex_);
    status_.assign(line);
    Write(kClearLine);
    Write(status_);
    std::fflush(target_.out);
  }
  void EndStatus() {
    std::lock_guard lock(mutex_);
    if (status_.empty()) return;
    Write("\n");
    status_.clear();
    std::fflush(target_.out);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    const std::string_view text(buf.data(), buf.size());
    if (!status_.empty()) Write(kClearLine);
    const std::size_t start = std::min(msg.color_range_start, text.size());
    const std::size_t end = std::clamp(msg.color_range_end, start, text.size());
    if (target_.colour && end > start) {
      Write(text.substr(0, start));
      Write(Colour(msg.level));
      Write(text.substr(start, end - start));
      Write(kReset);
      Write(text.substr(end));
    } else {
      Write(text);
    }
    if (!status_.empty()) Write(status_);
    std::fflush(target_.out);
  }
  void flush_() override { std::fflush(target_.out); }

 private:
  void Write(std::string_view s) { std::fwrite(s.data(), 1, s.size(), target_.out); }

  LogTarget target_;
  std::string status_;  // the status line on the screen now; empty: none
};

std::shared_ptr<StatusAwareSink>& CurrentSink() {
  static std::shared_ptr<StatusAwareSink> sink;
  return sink;
}

}  // namespace

spdlog::level::level_enum LogOptions::Level() const {
  if (auto l = ParseLevel(level)) return *l;
  if (quiet) return spdlog::level::warn;
  if (verbose) return spdlog::level::debug;
  return spdlog::level::info;
}

void AddLogOptions(CLI::App& app, LogOptions* out, std::string_view verbose_help) {
  app.add_option("--log-level", out->level,
                 "messages shown: trace, debug, info, warn, error or off (default info; -q warn, "
                 "-v debug)")
      ->type_name("LEVEL")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            if (ParseLevel(value)) return {};
            return "'" + value + "' is not a level; use trace, debug, info, warn, error or off";
          },
          ""));  // no description: the help already says LEVEL and the choices
  auto* quiet = app.add_flag("-q,--quiet", out->quiet, "warnings and errors only, no status line");
  auto* verbose = app.add_flag("-v,--verbose", out->verbose, std::string(verbose_help));
  quiet->excludes(verbose);
}

void OneLineParseErrors(CLI::App& app) {
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return std::string(e.what()) + " (see " + a->get_name() + " --help)\n";
  });
}

LogTarget LogTarget::Stderr() {
  LogTarget t;
  t.out = stderr;
  t.terminal = isatty(STDERR_FILENO) == 1;
  const char* term = std::getenv("TERM");
  t.colour = t.terminal && term != nullptr && std::string_view(term) != "dumb" &&
             std::getenv("NO_COLOR") == nullptr;
  return t;
}

void InitLogging(std::string_view program, spdlog::level::level_enum level, LogTarget target) {
  auto sink = std::make_shared<StatusAwareSink>(target);
  auto logger = std::make_shared<spdlog::logger>(std::string(program), sink);
  // %^...%$ marks the level word for colour; the program name is the logger's (%n).
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      "%Y-%m-%d %H:%M:%S.%e %n: %^%l%$: %v", spdlog::pattern_time_type::local, "\n"));
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  CurrentSink() = sink;
  spdlog::set_default_logger(std::move(logger));
}

void ShowStatus(std::string_view line) {
  if (auto& sink = CurrentSink()) sink->ShowStatus(line);
}

void EndStatus() {
  if (auto& sink = CurrentSink()) sink->EndStatus();
}

std::size_t StatusColumns() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) {
    return std::min<std::size_t>(ws.ws_col - 1u, 79);
  }
  return 79;
}

}  // namespace confcast::net
