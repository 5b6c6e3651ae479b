#include <confcast/cli/command_line.h>
#include <confcast/sender/options.h>
#include <confcast/sender/sender.h>

int main(int argc, char** argv) {
  auto options = confcast::sender::ParseSendOptions(argc, argv);
  if (!options) return confcast::cli::Finish(options.error());
  return confcast::sender::RunSender(*options);
}
