#include <confcast/receiver/options.h>
#include <confcast/receiver/receiver.h>

#include <cstdio>

int main(int argc, char** argv) {
  auto options = confcast::receiver::ParseRecvOptions(argc, argv);
  if (!options) {
    // --help goes to stdout; usage errors to stderr (stdout may be a y4m pipe).
    std::FILE* out = options.error().exit_ok ? stdout : stderr;
    std::fputs(options.error().message.c_str(), out);
    std::fputc('\n', out);
    return options.error().exit_ok ? 0 : 2;
  }
  return confcast::receiver::RunReceiver(*options);
}
