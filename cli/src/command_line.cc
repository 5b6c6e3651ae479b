#include "confcast/cli/command_line.h"

#include <confcast/version.h>
#include <fmt/format.h>

#include <cstdio>

#include "config_file.h"
#include "manual_format.h"

namespace confcast::cli {

namespace {

// The options CommandLine adds to every program, listed last.
Manual WithGeneral(Manual m, ConfigFile config) {
  Group general{"General", {}};
  if (config == ConfigFile::kRead) general.options = {"--config", "--print-config"};
  general.options.insert(general.options.end(), {"--help", "--version"});
  m.groups.push_back(std::move(general));
  return m;
}

// "--ttl: Value 300 not in range 0 to 255" -> "ttl: Value 300 not in range 0 to 255": in a
// file the option is a key.
std::string AsKey(std::string message) {
  if (message.starts_with("--")) message.erase(0, 2);
  return message;
}

}  // namespace

CommandLine::CommandLine(std::string program, std::string summary,
                         std::function<void(CLI::App&)> define, Manual manual, ConfigFile config)
    : program_(std::move(program)),
      summary_(std::move(summary)),
      define_(std::move(define)),
      manual_(std::make_shared<const Manual>(WithGeneral(std::move(manual), config))),
      config_(config) {}

CommandLine::~CommandLine() = default;

std::unique_ptr<CLI::App> CommandLine::Build() const {
  auto app = std::make_unique<CLI::App>(program_ + ": " + summary_, program_);
  app->set_version_flag("--version", confcast::VersionLine(program_), "print the version and exit");
  app->set_help_flag("-h,--help", "print this help and exit");
  define_(*app);
  if (config_ == ConfigFile::kRead) {
    app->set_config("--config", "",
                    "read options from this TOML file (key = value, one per long option, as "
                    "--print-config writes it); options on the command line override it")
        ->type_name("FILE");
    app->add_flag("--print-config")
        ->description("write the options in force (command line and --config file) as a config "
                  "file to stdout and exit")
        ->configurable(false);
    app->allow_config_extras(CLI::config_extras_mode::error);
    app->config_formatter(std::make_shared<ManualConfig>(app.get(), manual_, program_));
  }
  app->formatter(std::make_shared<ManualFormatter>(manual_));
  (void)Arrange(*app, *manual_);  // throws when the manual names an option that does not exist
  return app;
}

std::expected<void, Failure> CommandLine::Parse(int argc, const char* const* argv) {
  app_ = Build();
  try {
    app_->parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return std::unexpected(Failure{app_->help(), true});
  } catch (const CLI::CallForAllHelp&) {
    return std::unexpected(Failure{app_->help(), true});
  } catch (const CLI::CallForVersion& e) {
    return std::unexpected(Failure{e.what(), true});
  } catch (const CLI::ParseError& e) {
    const CLI::Option* config = app_->get_config_ptr();
    if (config != nullptr && config->count() > 0) {
      const std::string file = config->results().back();
      if (std::string why = ConfigFailure(file); !why.empty()) return std::unexpected(Failure{why});
    }
    return std::unexpected(Failure{fmt::format("{} (see {} --help)", e.what(), program_)});
  }
  return {};
}

// Parses the file alone in a fresh App: an error there is the file's. Empty when the file is
// fine (the command line was wrong).
std::string CommandLine::ConfigFailure(const std::string& file) const {
  auto alone = Build();
  const char* argv[] = {program_.c_str(), "--config", file.c_str()};
  try {
    alone->parse(3, argv);
  } catch (const CLI::FileError&) {
    return fmt::format(
        "--config {}: cannot read that file (missing?); give an existing TOML file, e.g. one "
        "written by {} ... --print-config > {}",
        file, program_, file);
  } catch (const CLI::ConfigError& e) {
    return fmt::format("{}: {}", file, e.what());
  } catch (const CLI::ArgumentMismatch& e) {
    return fmt::format("{}: {}; give one value per key, text in double quotes (name = \"Room A\")",
                       file, AsKey(e.what()));
  } catch (const CLI::ParseError& e) {
    return fmt::format("{}: {}; fix that key in {} ({} --help lists its values)", file,
                       AsKey(e.what()), file, program_);
  }
  return "";
}

bool CommandLine::Given(std::string_view option) const {
  const CLI::Option* o = app_ ? app_->get_option_no_throw(std::string(option)) : nullptr;
  return o != nullptr && o->count() > 0;
}

std::optional<Failure> CommandLine::PrintConfig() const {
  if (config_ != ConfigFile::kRead || !Given("--print-config")) return std::nullopt;
  try {
    return Failure{app_->config_to_str(true, true), true};
  } catch (const CLI::ConfigError& e) {
    return Failure{e.what()};
  }
}

std::string CommandLine::Help() const {
  return app_ ? app_->help() : Build()->help();
}

int Finish(const Failure& failure) {
  std::FILE* out = failure.exit_ok ? stdout : stderr;
  std::fputs(failure.message.c_str(), out);
  if (!failure.message.ends_with('\n')) std::fputc('\n', out);
  return failure.exit_ok ? 0 : 2;
}

}  // namespace confcast::cli
