// confcast-keygen: writes a fresh SRTP group key file for confcast-send/confcast-recv
// --key-file (format in confcast/net/srtp_key.h), mode 0600, from getrandom(2).
//
//   confcast-keygen [--suite aes-cm|gcm|gcm256|<SDP suite name>] [-o PATH] [--force]
#include <CLI/CLI.hpp>
#include <string>

#include "confcast/net/log.h"
#include "confcast/net/srtp.h"
#include "confcast/net/srtp_key.h"
#include "confcast/version.h"

int main(int argc, char** argv) {
  using namespace confcast::net;
  std::string suite_name = "aes-cm";
  std::string path = "confcast.key";
  bool force = false;
  CLI::App app{"confcast-keygen: write a new SRTP group key for --key-file", "confcast-keygen"};
  app.set_version_flag("--version", confcast::VersionLine("confcast-keygen"));
  app.add_option("--suite,--crypto-suite", suite_name,
                 "aes-cm (AES_CM_128_HMAC_SHA1_80), gcm (AEAD_AES_128_GCM) or gcm256 "
                 "(AEAD_AES_256_GCM)")
      ->capture_default_str();
  app.add_option("-o,--output", path, "key file to write (mode 0600)")->capture_default_str();
  app.add_flag("--force", force, "replace an existing key file");
  LogOptions log;
  AddLogOptions(app, &log, "debug messages: the size of the key drawn");
  OneLineParseErrors(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  InitLogging("confcast-keygen", log.Level());
  const auto suite = ParseSrtpSuite(suite_name);
  if (!suite) {
    spdlog::error("unknown --suite '{}'; use aes-cm, gcm or gcm256", suite_name);
    return 2;
  }
  if (!SrtpSuiteAvailable(*suite)) {
    spdlog::error("{} is not available in this libsrtp2 build (no crypto library); use --suite "
                  "aes-cm",
                  SrtpSuiteName(*suite));
    return 1;
  }
  auto key = GenerateKey(*suite);
  if (!key) {
    spdlog::error("{}", key.error().message);
    return 1;
  }
  spdlog::debug("{}: {} bytes of master key and salt from getrandom(2)", SrtpSuiteName(*suite),
                key->master.size());
  if (auto ok = WriteKeyFile(path, *key, force); !ok) {
    spdlog::error("{}", ok.error().message);
    return 1;
  }
  spdlog::info("wrote a {} key to {} (mode 0600); give every sender and receiver of the group a "
               "copy: --key-file {}",
               SrtpSuiteName(*suite), path, path);
  return 0;
}
