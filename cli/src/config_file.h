// Private to confcast_cli: the TOML config files of --config and --print-config. Reading is
// CLI11's own (ConfigTOML); this adds a check of every key before CLI11 applies them, and a
// writer that lists every option under the help's headings with its description.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "confcast/cli/command_line.h"

namespace confcast::cli {

class ManualConfig : public CLI::ConfigTOML {
 public:
  ManualConfig(const CLI::App* app, std::shared_ptr<const Manual> manual, std::string program)
      : app_(app), manual_(std::move(manual)), program_(std::move(program)) {}

  // CLI11's reader, then every key checked: unknown keys, keys inside TOML tables and options
  // that cannot come from a file are refused with CLI::ConfigError (one line, no file name:
  // the caller knows it).
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;

  // Every configurable option under the help's headings, each with its description as a
  // comment: `key = value` for each option given (command line or file), `# key = DEFAULT`
  // (or `# key = TYPE`) for the others, so that reading the file back sets exactly what was
  // given and the rest keeps following the program's defaults. Hidden (testing) options are
  // written only when given. CLI11's arguments are unused: descriptions are always written.
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;

 private:
  std::string Value(const CLI::Option& option) const;  // what was given, as TOML
  std::string Unset(const CLI::Option& option) const;  // the default, or the value's TYPE

  const CLI::App* app_;
  std::shared_ptr<const Manual> manual_;
  std::string program_;
};

}  // namespace confcast::cli
