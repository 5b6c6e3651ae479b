// Command-line options of confcast-send: the interface users and scripts rely on.
#pragma once

#include <confcast/cli/failure.h>
#include <confcast/net/log.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace confcast::sender {

struct SendOptions {
  std::string group = "239.0.0.11";
  std::uint16_t port = 15550;  // even: video RTP; +1 its RTCP; +2 audio RTP; +3 its RTCP
  std::string iface;           // name or address; empty: the route to the group
  int ttl = 1;
  bool loopback = true;        // receivers on this host hear the stream
  std::string video = "test";  // media source spec, or "none"
  std::string audio = "test";
  bool loop = false;           // file: sources start over at the end
  int width = 1280;
  int height = 720;
  int fps = 30;
  int bitrate_kbps = 2500;
  // Frames between IDRs. Our receivers ask for one with PLI when they join, but players that
  // never send PLI (ffplay, VLC, plain GStreamer) can only start at an IDR: 2 s at 30 fps.
  int gop = 60;
  // --vbv-ms: the encoder's VBV buffer in milliseconds of the bitrate (maximum rate = bitrate).
  // 200 ms, not one frame's worth: with one frame (33 ms at 30 fps) x264 starves every IDR and
  // the P frames after it, spends ~18% less than asked and shows a picture ~8 dB worse; at
  // 200 ms it spends the bitrate (within 3% on the wire, headers included) with the picture of
  // the peers at the same setting, and p50 latency on the LAN did not change (a 500 kbit IDR
  // takes 0.5 ms at 1 Gbit/s). Measured: confcast-bench lan-clean wifi-burst --sweep
  // vbv_ms=33,100,200,400 --compare gst (README, Encoding). A slow link (Wi-Fi at a few
  // Mbit/s) may want less: every frame then takes up to vbv_ms to cross it.
  int vbv_ms = 200;
  int mtu = 1200;              // RTP datagram size limit (payload + RTP header)
  bool slice_cap = true;       // cap each H.264 slice at one RTP payload
  std::string name;            // SDES NAME; default: user@host
  std::string sdp_path;
  // SAP (RFC 2974): announce the SDP on the SAP group of the session's scope; a deletion on exit.
  bool announce = false;
  double announce_interval_s = 0;  // 0: RFC 2974 3.1 (after three quick announcements)
  double duration_s = 0;       // 0: until SIGINT/SIGTERM
  std::string stats_json;
  int audio_bitrate_bps = 32000;
  std::string key_file;    // SRTP/SRTCP with this group key (confcast-keygen); empty: plain RTP
  std::string sdp_crypto;  // "": no a=crypto; "suite": a=crypto without the key; "with-key"
  // --fec: FlexFEC on the video port. -1 auto (from the loss receivers report), 0 off,
  // 1..100 a forced overhead (one repair packet per round(100 / PCT) media packets).
  int fec_percent = -1;
  bool intra_refresh = false;  // periodic intra refresh instead of IDR bursts (PLI still IDRs)
  net::LogOptions log;  // --log-level, -q/--quiet, -v/--verbose (confcast/net/log.h)
  // Testing only (hidden from --help): fixed initial values instead of random ones (RFC 3550
  // 5.1), to start a stream just before the sequence or timestamp wrap, or to force an SSRC
  // collision. The audio stream gets ssrc ^ 0x5a5a5a5a.
  std::optional<std::uint32_t> ssrc;
  std::optional<std::uint16_t> initial_seq;
  std::optional<std::uint32_t> initial_ts;  // RTP timestamp of the first frame, roughly
  bool rtx = true;              // --rtx on|off: retransmit NACKed video packets (RFC 4588)
  // --rtx-budget: retransmitted bytes at most this share of the video bytes (with a burst of
  // 200 ms of video), however many NACKs arrive (rtp/repair_limiter.h).
  int rtx_budget_percent = 25;
  bool list_devices = false;  // --list-devices: print the capture devices and exit

  friend bool operator==(const SendOptions&, const SendOptions&) = default;
};

// Parses argv and the --config file it names (TOML, see confcast/cli/command_line.h). On a
// usage error returns one line naming the problem and the fix; --help, --version and
// --print-config return their text with `exit_ok` set.
using ParseFailure = cli::Failure;
std::expected<SendOptions, ParseFailure> ParseSendOptions(int argc, const char* const* argv);

}  // namespace confcast::sender
