#include "config_file.h"

#include <confcast/rtp/safe_text.h>
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <sstream>

#include "manual_format.h"

namespace confcast::cli {

namespace {

constexpr std::size_t kCommentWidth = 76;

const CLI::Option* FindKey(const CLI::App& app, const std::string& key) {
  if (const CLI::Option* o = app.get_option_no_throw("--" + key)) return o;
  if (key.size() == 1) {
    if (const CLI::Option* o = app.get_option_no_throw("-" + key)) return o;
  }
  return app.get_option_no_throw(key);  // a positional, by its name
}

// Keys come from a file someone may have handed on: shown only once made safe.
std::string Shown(const std::string& text) { return rtp::SafeText(text, 64); }

// CLI11 2.1's reader ends a value at the first '#', even inside quotes ("Room #3" would be
// read as `"Room`): such a line is refused rather than read as something else.
void RefuseHashInQuotes(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const auto eq = line.find('=');
    const auto first = line.find_first_not_of(" \t");
    if (eq == std::string::npos || first == std::string::npos || line[first] == '#' ||
        line[first] == ';') {
      continue;
    }
    char quote = 0;
    for (std::size_t i = eq + 1; i < line.size(); ++i) {
      const char c = line[i];
      if (quote == 0 && c == '#') break;  // a comment after the value
      if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else if (c == '#') {
        throw CLI::ConfigError(fmt::format(
            "line {}: a '#' inside a quoted value would be read as the start of a comment; "
            "give that option on the command line instead",
            number));
      }
    }
  }
}

}  // namespace

std::vector<CLI::ConfigItem> ManualConfig::from_config(std::istream& input) const {
  const std::string text(std::istreambuf_iterator<char>(input), {});
  RefuseHashInQuotes(text);
  std::istringstream again(text);
  std::vector<CLI::ConfigItem> read = CLI::ConfigTOML::from_config(again);
  for (const CLI::ConfigItem& item : read) {
    if (!item.parents.empty()) {
      // CLI11 marks entering and leaving a [table] with the names "++" and "--".
      const std::string table = Shown(fmt::format("{}", fmt::join(item.parents, ".")));
      if (item.name == "++" || item.name == "--") {
        throw CLI::ConfigError(fmt::format(
            "the TOML table [{}] is not read: {} takes only top-level keys, as --print-config "
            "writes them; drop the [{}] line",
            table, program_, table));
      }
      throw CLI::ConfigError(fmt::format(
          "'{}' is a key of the TOML table [{}]: {} takes only top-level keys, as "
          "--print-config writes them; write {} without the '{}.' prefix",
          Shown(item.fullname()), table, program_, Shown(item.name), table));
    }
    const CLI::Option* o = FindKey(*app_, item.name);
    if (o == nullptr) {
      throw CLI::ConfigError(fmt::format(
          "unknown key '{}': {} has no option --{}; {} --print-config lists every key",
          Shown(item.name), program_, Shown(item.name), program_));
    }
    if (!o->get_configurable()) {
      throw CLI::ConfigError(fmt::format(
          "'{}' cannot be set in a config file (it is a command-line action); remove that line",
          Shown(item.name)));
    }
  }
  return read;
}

std::string ManualConfig::Value(const CLI::Option& o) const {
  for (const std::string& v : o.reduced_results()) {
    // What CLI11 2.1's reader could not give back as it was (see RefuseHashInQuotes).
    const bool both_quotes = v.find('"') != std::string::npos && v.find('\'') != std::string::npos;
    if (v.find('#') != std::string::npos || v.find('\n') != std::string::npos || both_quotes) {
      throw CLI::ConfigError(fmt::format(
          "--print-config: the value of --{} cannot go in a config file (it holds a '#', a line "
          "break or both kinds of quotes, which the reader would change); give --{} on the "
          "command line next to --config",
          o.get_single_name(), o.get_single_name()));
    }
  }
  return CLI::detail::ini_join(o.reduced_results(), arraySeparator, arrayStart, arrayEnd,
                               stringQuote, characterQuote);
}

std::string ManualConfig::Unset(const CLI::Option& o) const {
  if (IsFlag(o)) return "false";
  // A value that may be left out (--sdp-crypto): its default_str is what the bare option means.
  if (o.get_expected_min() > 0 && !o.get_default_str().empty()) {
    return CLI::detail::convert_arg_for_ini(o.get_default_str(), stringQuote, characterQuote);
  }
  return PlainType(o);
}

std::string ManualConfig::to_config(const CLI::App* app, bool /*default_also*/,
                                    bool /*write_description*/, std::string /*prefix*/) const {
  std::string out = fmt::format(
      "# {} options, as written by {} --print-config. Read it with\n"
      "# {} --config FILE; options on the command line override the file.\n",
      program_, program_, program_);
  std::vector<const CLI::Option*> written;
  auto entry = [&](const CLI::Option& o) {
    written.push_back(&o);
    std::string text = "\n";
    for (const std::string& line : Wrap(o.get_description(), kCommentWidth)) text += "# " + line + "\n";
    text += o.count() > 0 ? fmt::format("{} = {}\n", o.get_single_name(), Value(o))
                          : fmt::format("# {} = {}\n", o.get_single_name(), Unset(o));
    return text;
  };
  for (const Section& s : Arrange(*app, *manual_)) {
    std::string body;
    for (const CLI::Option* o : s.options) {
      if (o->get_configurable() && (!o->get_group().empty() || o->count() > 0)) body += entry(*o);
    }
    if (!body.empty()) out += "\n## " + s.title + "\n" + body;
  }
  std::string hidden;
  for (const CLI::Option* o : app->get_options()) {
    if (o->get_group().empty() && o->get_configurable() && o->count() > 0 &&
        std::find(written.begin(), written.end(), o) == written.end()) {
      hidden += entry(*o);
    }
  }
  if (!hidden.empty()) out += "\n## For tests (not in --help)\n" + hidden;
  return out;
}

}  // namespace confcast::cli
