// confcast-keygen: writes a fresh SRTP group key file for confcast-send/confcast-recv
// --key-file (format in confcast/net/srtp_key.h), mode 0600, from getrandom(2).
//
//   confcast-keygen [--suite aes-cm|gcm|gcm256|<SDP suite name>] [-o PATH] [--force]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const auto suite = ParseSrtpSuite(suite_name);
  if (!suite) {
    std::fprintf(stderr, "confcast-keygen: unknown --suite '%s'; use aes-cm, gcm or gcm256\n",
                 suite_name.c_str());
    return 2;
  }
  if (!SrtpSuiteAvailable(*suite)) {
    std::fprintf(stderr,
                 "confcast-keygen: %s is not available in this libsrtp2 build (no crypto "
                 "library); use --suite aes-cm\n",
                 std::string(SrtpSuiteName(*suite)).c_str());
    return 1;
  }
  auto key = GenerateKey(*suite);
  if (!key) {
    std::fprintf(stderr, "confcast-keygen: %s\n", key.error().message.c_str());
    return 1;
  }
  if (auto ok = WriteKeyFile(path, *key, force); !ok) {
    std::fprintf(stderr, "confcast-keygen: %s\n", ok.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr,
               "confcast-keygen: wrote a %s key to %s (mode 0600); give every sender and "
               "receiver of the group a copy: --key-file %s\n",
               std::string(SrtpSuiteName(*suite)).c_str(), path.c_str(), path.c_str());
  return 0;
}
