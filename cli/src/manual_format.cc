#include "manual_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace confcast::cli {

std::vector<Section> Arrange(const CLI::App& app, const Manual& manual) {
  std::vector<Section> out;
  std::vector<const CLI::Option*> placed;
  for (const Group& g : manual.groups) {
    Section s{g.title, {}};
    for (const std::string& name : g.options) {
      const CLI::Option* o = app.get_option_no_throw(name);
      if (o == nullptr) {
        throw std::logic_error(fmt::format("{}: the help group '{}' lists {}, which is not an option",
                                           app.get_name(), g.title, name));
      }
      s.options.push_back(o);
      placed.push_back(o);
    }
    if (!s.options.empty()) out.push_back(std::move(s));
  }
  Section other{std::string(kOtherOptions), {}};
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty() || !o->nonpositional()) continue;
    if (std::find(placed.begin(), placed.end(), o) == placed.end()) other.options.push_back(o);
  }
  if (!other.options.empty()) out.push_back(std::move(other));
  return out;
}

std::string PlainType(const CLI::Option& option) {
  if (IsFlag(option)) return "";
  std::string type = option.get_option_text();
  if (type.empty()) {
    // get_type_name() is the type name with each validator's description after a ':'.
    type = option.get_type_name();
    type = type.substr(0, type.find(':'));
  }
  return option.get_expected_min() == 0 ? "[" + type + "]" : type;
}

std::vector<std::string> Wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::istringstream words{std::string(text)};
  std::string word, line;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

namespace {

std::string Names(const CLI::Option& o, bool is_positional) {
  if (is_positional || !o.nonpositional()) return o.get_name(true, false);
  std::vector<std::string> names;
  for (const std::string& s : o.get_snames()) names.push_back("-" + s);
  for (const std::string& l : o.get_lnames()) names.push_back("--" + l);
  return fmt::format("{}", fmt::join(names, ","));
}

// Two columns: names and value at 2, the description at kHelpColumn (on the next line when the
// names reach it), continuation lines at kHelpColumn too.
void Row(std::string& out, const std::string& left, const std::string& text) {
  out += "  " + left;
  const auto lines = Wrap(text, kHelpWidth - kHelpColumn);
  if (lines.empty()) {
    out += "\n";
    return;
  }
  if (left.size() + 2 + 2 > kHelpColumn) {
    out += "\n" + std::string(kHelpColumn, ' ');
  } else {
    out += std::string(kHelpColumn - 2 - left.size(), ' ');
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += std::string(kHelpColumn, ' ');
    out += lines[i] + "\n";
  }
}

}  // namespace

std::string ManualFormatter::make_option(const CLI::Option* option, bool is_positional) const {
  std::string left = Names(*option, is_positional);
  const std::string type = PlainType(*option);
  if (!type.empty()) left += " " + type;
  std::string text = option->get_description();
  // An optional value's default_str is what a bare option means, not a default.
  if (!option->get_default_str().empty() && !IsFlag(*option) && option->get_expected_min() > 0) {
    text += fmt::format(" (default: {})", option->get_default_str());
  }
  std::string out;
  Row(out, left, text);
  return out;
}

std::string ManualFormatter::make_help(const CLI::App* app, std::string name,
                                       CLI::AppFormatMode /*mode*/) const {
  std::string out = app->get_description() + "\n" + make_usage(app, std::move(name));
  const auto positionals = app->get_options(
      [](const CLI::Option* o) { return !o->get_group().empty() && o->get_positional() && !o->nonpositional(); });
  if (!positionals.empty()) {
    out += "\nPositionals:\n";  // the heading packaging/help2files.py knows positionals by
    for (const CLI::Option* o : positionals) out += make_option(o, true);
  }
  for (const Section& s : Arrange(*app, *manual_)) {
    std::string rows;
    for (const CLI::Option* o : s.options) {
      if (o->nonpositional() && !o->get_group().empty()) rows += make_option(o, false);
    }
    if (!rows.empty()) out += "\n" + s.title + ":\n" + rows;
  }
  if (!manual_->examples.empty()) {
    out += "\nExamples:\n";
    for (const Example& e : manual_->examples) {
      out += "  " + e.command + "\n";
      for (const std::string& line : Wrap(e.what, kHelpWidth - 6)) out += "      " + line + "\n";
    }
  }
  if (!manual_->exit_codes.empty()) {
    out += "\nExit codes:\n";
    for (const ExitCode& c : manual_->exit_codes) {
      const auto lines = Wrap(c.meaning, kHelpWidth - 8);
      for (std::size_t i = 0; i < lines.size(); ++i) {
        out += i == 0 ? fmt::format("  {:<4}  {}\n", c.code, lines[i]) : fmt::format("        {}\n", lines[i]);
      }
    }
  }
  return out;
}

}  // namespace confcast::cli
