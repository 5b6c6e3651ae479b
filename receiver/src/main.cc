#include <confcast/cli/command_line.h>
#include <confcast/receiver/options.h>
#include <confcast/receiver/receiver.h>

int main(int argc, char** argv) {
  auto options = confcast::receiver::ParseRecvOptions(argc, argv);
  // --help and --print-config go to stdout; usage errors to stderr (stdout may be a y4m pipe).
  if (!options) return confcast::cli::Finish(options.error());
  return confcast::receiver::RunReceiver(*options);
}
