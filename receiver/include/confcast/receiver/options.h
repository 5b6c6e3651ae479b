// Command-line options of confcast-recv.
#pragma once

#include <confcast/cli/failure.h>
#include <confcast/net/log.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

namespace confcast::receiver {

struct RecvOptions {
  std::string sdp_path;  // first positional argument: read addressing from this SDP file
  std::string group = "239.0.0.11";
  std::uint16_t port = 15550;
  std::string iface;
  std::string source;       // source-specific join (required for 232/8 and ff3x::)
  std::string video_sink;   // empty: window with a display, else null
  std::string audio_sink;   // empty: follows the video sink (window -> speakers, else null)
  std::string participant;  // NAME or SSRC for single-stream sinks such as y4m
  int latency_ms = 40;      // jitter-buffer ceiling
  double duration_s = 0;
  std::string stats_json;
  std::string name;         // our SDES NAME in receiver reports
  int rejoin_every_s = 0;   // renew the memberships this often (0: never)
  int ttl = 1;              // of our RTCP (reports, PLI): like the sender's, to cross routers
  std::string key_file;     // SRTP/SRTCP group key (confcast-keygen); empty: plain RTP
  // SAP (RFC 2974): --list prints the sessions announced on the LAN (listening --duration
  // seconds, default kDefaultListSeconds); --join NAME plays the one whose s= is NAME (or starts
  // with it, when only one does), heard within join_timeout_s.
  bool list = false;
  std::string join;
  double join_timeout_s = 10;
  net::LogOptions log;  // --log-level, -q/--quiet, -v/--verbose (confcast/net/log.h)
  std::optional<std::uint32_t> ssrc;  // testing only (hidden): our SSRC in receiver reports
  bool nack = true;         // --nack on|off: ask for lost video packets (RTCP NACK -> RTX)

  friend bool operator==(const RecvOptions&, const RecvOptions&) = default;
};

inline constexpr double kDefaultListSeconds = 3;

// Parses argv and the --config file it names (TOML, see confcast/cli/command_line.h). A usage
// error is one line naming the problem and the fix; --help, --version and --print-config give
// their text with exit_ok (print it to stdout, exit 0).
using ParseFailure = cli::Failure;
std::expected<RecvOptions, ParseFailure> ParseRecvOptions(int argc, const char* const* argv);

}  // namespace confcast::receiver
