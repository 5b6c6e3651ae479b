// One logger for every confcast program, and the status line below it.
//
// InitLogging makes spdlog's default logger write each message as one line on stderr:
//
//   2026-12-05 07:41:02.123 confcast-recv: warning: no signal: ...
//
// (the level coloured on a terminal). Code then logs with spdlog's free functions
// (spdlog::info, spdlog::warn, spdlog::error, spdlog::debug), so media/ can log without
// including net/. Standard output stays for results (y4m, --list, --stats-json -, probe lines).
//
// The status line is the one exception to "one message, one line": on a terminal it is redrawn
// in place with \r at the bottom, and a log message clears it, is written, and draws it again
// below. When stderr is not a terminal (a file, a pipe, journald) no status line is written at
// all, so logs hold messages only.
#pragma once

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace confcast::net {

// --log-level, -q/--quiet and -v/--verbose as given on a command line.
struct LogOptions {
  std::string level;     // trace, debug, info, warn, error, off; empty: from -q/-v, else info
  bool quiet = false;    // warn unless --log-level says otherwise; no status line
  bool verbose = false;  // debug unless --log-level says otherwise; status details as log lines

  spdlog::level::level_enum Level() const;
  bool status_line() const { return !quiet; }

  friend bool operator==(const LogOptions&, const LogOptions&) = default;
};

// Adds --log-level LEVEL, -q/--quiet and -v/--verbose to a program's options. -q and -v
// exclude each other; a level that is not one of the six is a parse error naming them.
// `verbose_help` says what -v shows in this program.
void AddLogOptions(CLI::App& app, LogOptions* out, std::string_view verbose_help);

// Makes CLI11 report a parse error as one line, "<error> (see <program> --help)", instead of
// its default two; for the programs that let CLI11 print their parse errors.
void OneLineParseErrors(CLI::App& app);

// Where the log goes: stderr normally; tests pass a file and say whether it counts as a terminal.
struct LogTarget {
  std::FILE* out = stderr;
  bool terminal = false;  // status lines drawn (and levels coloured) only on a terminal
  bool colour = false;
  static LogTarget Stderr();  // stderr, terminal and colour from isatty(2) and $TERM
};

// Installs the default logger for `program` at `level`. Call once, after parsing options.
void InitLogging(std::string_view program, spdlog::level::level_enum level,
                 LogTarget target = LogTarget::Stderr());

// Draws `line` as the status line (on a terminal; nothing otherwise). Replaces the previous one.
void ShowStatus(std::string_view line);
// Ends the status line: the last one stays on the screen, and later messages go below it.
void EndStatus();
// Columns a status line may use: the terminal's width less one, at most 79.
std::size_t StatusColumns();

}  // namespace confcast::net
