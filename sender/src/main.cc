#include <confcast/sender/options.h>
#include <confcast/sender/sender.h>

#include <cstdio>

int main(int argc, char** argv) {
  auto options = confcast::sender::ParseSendOptions(argc, argv);
  if (!options) {
    std::fputs(options.error().message.c_str(), options.error().exit_ok ? stdout : stderr);
    std::fputc('\n', options.error().exit_ok ? stdout : stderr);
    return options.error().exit_ok ? 0 : 2;
  }
  return confcast::sender::RunSender(*options);
}
