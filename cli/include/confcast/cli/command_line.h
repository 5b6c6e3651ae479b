// The command line of every confcast program: CLI11 parsing, help that reads like a manual,
// and configuration files. A program gives its options (a function that adds them to a
// CLI::App) and a Manual; CommandLine does the rest the same way for every program.
//
// Help (--help): the options under headings, in the order the Manual lists them, each with a
// plain word for its value (ADDR, MS, on|off: the option's type_name, never CLI11's validator
// text), its description wrapped to 80 columns with "(default: X)" at the end, then examples
// and exit codes. packaging/help2files.py turns this text into the man page and the shell
// completion, so what --help says is what they say.
//
// Configuration (ConfigFile::kRead): --config FILE reads options from a TOML file with CLI11's
// own reader (key = value per long option name, no tables; the command line overrides the
// file), and --print-config writes the options in force (command line and file merged) as
// such a file, every key with its description, so `prog ... --print-config > f.toml` then
// `prog --config f.toml` repeats the run. A bad file is one line naming the file, the key and
// the fix: unknown keys are refused, not ignored.
#pragma once

#include <CLI/CLI.hpp>

#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/cli/failure.h"

namespace confcast::cli {

// One heading of --help (and of --print-config) and its options in the order shown. Options
// are named by any of their names ("--iface", "-q", or a positional's name). An option added
// to a program goes under a heading by adding its name here; one that is in no group is listed
// under "Other options" until it is.
struct Group {
  std::string title;
  std::vector<std::string> options;
};

struct ExitCode {
  int code = 0;
  std::string meaning;
};

struct Example {
  std::string command;  // as typed
  std::string what;     // one line on what it does
};

struct Manual {
  std::vector<Group> groups;
  std::vector<Example> examples;
  std::vector<ExitCode> exit_codes;
};

// Whether the program reads configuration files (adds --config FILE and --print-config).
enum class ConfigFile { kNone, kRead };

class CommandLine {
 public:
  // `define` adds the program's options to an App. It may run twice: when parsing fails and a
  // --config file was given, the file is parsed alone in a second App to tell whether the file
  // or the command line is wrong (the values it writes then are thrown away with the failure).
  CommandLine(std::string program, std::string summary, std::function<void(CLI::App&)> define,
              Manual manual, ConfigFile config = ConfigFile::kNone);
  ~CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Parses argv. A usage error is one line ending "(see PROGRAM --help)", or naming the config
  // file and key; --help and --version give their text with exit_ok. After a success the
  // caller checks its own rules, then asks PrintConfig().
  std::expected<void, Failure> Parse(int argc, const char* const* argv);

  // After Parse: whether the option (any of its names) got a value from the command line or
  // the config file.
  [[nodiscard]] bool Given(std::string_view option) const;
  // After Parse, when --print-config was given: the options in force as a config file (with
  // exit_ok), or a one-line failure when a value cannot be written so that it reads back the
  // same. nullopt when --print-config was not given.
  [[nodiscard]] std::optional<Failure> PrintConfig() const;
  // The help text, as --help prints it.
  [[nodiscard]] std::string Help() const;

 private:
  std::unique_ptr<CLI::App> Build() const;
  std::string ConfigFailure(const std::string& file) const;

  std::string program_;
  std::string summary_;
  std::function<void(CLI::App&)> define_;
  std::shared_ptr<const Manual> manual_;
  ConfigFile config_;
  std::unique_ptr<CLI::App> app_;
};

// Ends a program whose command line did not parse: the message to stdout with exit code 0
// (--help, --version, --print-config), or to stderr with 2 (a usage error). Returns the code.
int Finish(const Failure& failure);

}  // namespace confcast::cli
