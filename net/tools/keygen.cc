// confcast-keygen: writes a fresh SRTP group key file for confcast-send/confcast-recv
// --key-file (format in confcast/net/srtp_key.h), mode 0600, from getrandom(2).
//
//   confcast-keygen [--suite aes-cm|gcm|gcm256|<SDP suite name>] [-o PATH] [--force]
#include <confcast/cli/command_line.h>

#include <string>

#include "confcast/net/log.h"
#include "confcast/net/srtp.h"
#include "confcast/net/srtp_key.h"

int main(int argc, char** argv) {
  using namespace confcast::net;
  std::string suite_name = "aes-cm";
  std::string path = "confcast.key";
  bool force = false;
  LogOptions log;
  const confcast::cli::Manual manual{
      .groups = {{"Key", {"--suite", "--output", "--force"}},
                 {"Messages", {"--log-level", "-q", "-v"}}},
      .examples = {{"confcast-keygen -o room.key",
                    "then confcast-send --key-file room.key ... and confcast-recv ... --key-file room.key"},
                   {"confcast-keygen --suite gcm -o room.key --force", "a new AEAD_AES_128_GCM key in place of the old"}},
      .exit_codes = {{0, "the key file was written"},
                     {1, "it could not be written, or the suite is not in this libsrtp2"},
                     {2, "usage error: a bad option or value"}},
  };
  confcast::cli::CommandLine cl(
      "confcast-keygen", "write a new SRTP group key for --key-file",
      [&](CLI::App& app) {
        app.add_option("--suite,--crypto-suite", suite_name,
                       "aes-cm (AES_CM_128_HMAC_SHA1_80), gcm (AEAD_AES_128_GCM) or gcm256 "
                       "(AEAD_AES_256_GCM), or the SDP name of one")
            ->type_name("SUITE")
            ->capture_default_str();
        app.add_option("-o,--output", path, "key file to write (mode 0600)")
            ->type_name("FILE")
            ->capture_default_str();
        app.add_flag("--force", force, "replace an existing key file");
        AddLogOptions(app, &log, "debug messages: the size of the key drawn");
      },
      manual);
  if (auto parsed = cl.Parse(argc, argv); !parsed) return confcast::cli::Finish(parsed.error());
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
