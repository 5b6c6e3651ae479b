// Private to confcast_cli: how a program's options are laid out under the Manual's headings,
// shared by the help formatter and the config file writer so both list the same options in
// the same order.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/cli/command_line.h"

namespace confcast::cli {

inline constexpr std::size_t kHelpWidth = 80;
inline constexpr std::size_t kHelpColumn = 30;  // where descriptions start
inline constexpr std::string_view kOtherOptions = "Other options";

struct Section {
  std::string title;
  std::vector<const CLI::Option*> options;
};

// The options under the Manual's headings in the Manual's order (positionals included when a
// group lists them), then every visible option no group lists under kOtherOptions. Hidden
// options (CLI11 group "") appear only where a group lists them. Throws std::logic_error when a
// group names something that is not an option of the App: the Manual and the options are
// written together, and every program's tests parse its command line.
std::vector<Section> Arrange(const CLI::App& app, const Manual& manual);

// A flag takes no value (CLI11: expected(0)).
inline bool IsFlag(const CLI::Option& option) { return option.get_expected_max() == 0; }

// The value's plain word from the option's type_name ("ADDR", "on|off"), never CLI11's
// validator text; "" for a flag, "[WORD]" when the value may be left out. A word with a ':'
// goes in option_text (CLI11 joins validator texts to the type name with ':').
std::string PlainType(const CLI::Option& option);

// The words of `text` in lines of at most `width` columns (a longer word stands alone).
std::vector<std::string> Wrap(std::string_view text, std::size_t width);

// --help laid out as the file's top comment of command_line.h describes.
class ManualFormatter : public CLI::Formatter {
 public:
  explicit ManualFormatter(std::shared_ptr<const Manual> manual) : manual_(std::move(manual)) {}
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;
  std::string make_option(const CLI::Option* option, bool is_positional) const override;

 private:
  std::shared_ptr<const Manual> manual_;
};

}  // namespace confcast::cli
