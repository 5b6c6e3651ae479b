// Command-line options of confcast-recv.
#pragma once

#include <cstdint>
#include <expected>
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
  bool quiet = false;       // no per-second status line
  bool verbose = false;
  bool nack = true;         // --nack on|off: ask for lost video packets (RTCP NACK -> RTX)
};

struct ParseFailure {
  std::string message;
  bool exit_ok = false;
};
std::expected<RecvOptions, ParseFailure> ParseRecvOptions(int argc, const char* const* argv);

}  // namespace confcast::receiver
