#include <confcast/cli/command_line.h>
#include <confcast/net/interface.h>
#include <confcast/sender/options.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <pwd.h>
#include <string>
#include <unistd.h>

namespace confcast::sender {

namespace {

// The RTCP SDES NAME when --name is not given, as --help promises: user@host. Receivers title a
// participant's window with it and wait up to a second for it before opening one untitled.
std::string DefaultName() {
  std::string user;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name && *pw->pw_name) {
    user = pw->pw_name;
  } else if (const char* u = std::getenv("USER"); u && *u) {
    user = u;
  } else {
    user = "user";
  }
  return user + "@" + net::HostName();
}

// What CLI11 fills in; ParseSendOptions checks it and turns it into SendOptions.
struct RawSendOptions {
  SendOptions o;
  std::string size = "1280x720";
  std::string fec = "auto";
  std::string rtx = "on";
  bool no_loopback = false;
  bool no_slice_cap = false;
  std::uint32_t ssrc = 0, initial_ts = 0;
  std::uint16_t initial_seq = 0;
};

void DefineSendOptions(CLI::App& app, RawSendOptions& raw) {
  SendOptions& o = raw.o;
  std::string& size = raw.size;
  std::string& fec = raw.fec;
  app.add_option("--group", o.group, "multicast group: 239.x.y.z, 232.x.y.z for SSM, ff15::/16")
      ->type_name("ADDR")
      ->capture_default_str();
  app.add_option("--port", o.port, "even base port: video RTP P, RTCP P+1, audio P+2/P+3")
      ->type_name("P")
      ->capture_default_str();
  app.add_option("--iface", o.iface, "interface name or address (default: route to the group)")
      ->type_name("NAME|ADDR");
  app.add_option("--ttl", o.ttl, "multicast TTL/hops, 0-255; 1 stays on the LAN")
      ->type_name("N")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
  app.add_flag("--no-loopback", raw.no_loopback, "do not deliver to receivers on this host");
  app.add_option("--video", o.video,
                 "video source: test, v4l2[:/dev/videoN], screen, file:PATH, y4m:PATH, y4m:-, none")
      ->type_name("SRC")
      ->capture_default_str();
  app.add_option("--audio", o.audio,
                 "audio source: test, auto, alsa[:DEV], pulse[:DEV], file:PATH, none")
      ->type_name("SRC")
      ->capture_default_str();
  app.add_flag("--list-devices", o.list_devices,
               "list the cameras and microphones GStreamer finds, each with its --video or "
               "--audio value, and exit")
      ->configurable(false);
  app.add_flag("--loop", o.loop, "start file: sources over at their end");
  app.add_option("--size", size, "video size, even width and height")
      ->type_name("WxH")
      ->capture_default_str();
  app.add_option("--fps", o.fps, "frames per second, 1-240")
      ->type_name("N")
      ->check(CLI::Range(1, 240))
      ->capture_default_str();
  app.add_option("--bitrate", o.bitrate_kbps, "video bitrate, 50-200000 kbit/s")
      ->type_name("KBIT/S")
      ->check(CLI::Range(50, 200000))
      ->capture_default_str();
  app.add_option("--gop", o.gop, "frames between IDR frames")
      ->type_name("FRAMES")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--vbv-ms", o.vbv_ms,
                 "encoder VBV buffer, ms of the bitrate, 1-10000: the largest frame; less for a "
                 "slow link, more for quality")
      ->type_name("MS")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--mtu", o.mtu, "largest RTP datagram, 300-9000 bytes")
      ->type_name("BYTES")
      ->check(CLI::Range(300, 9000))
      ->capture_default_str();
  app.add_flag("--no-slice-cap", raw.no_slice_cap, "let one slice span several packets");
  app.add_option("--name", o.name, "participant name (RTCP SDES NAME; default: user@host)")
      ->type_name("TEXT");
  app.add_option("--sdp", o.sdp_path, "write the session description here")->type_name("FILE");
  app.add_flag("--announce", o.announce,
               "announce the session with SAP (RFC 2974) for confcast-recv --list/--join and VLC");
  app.add_option("--announce-interval", o.announce_interval_s,
                 "seconds between SAP announcements (default: three at 1 s, then "
                 "the RFC 2974 interval, 5 minutes on a quiet LAN)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--duration", o.duration_s, "stop after this many seconds (0: run until stopped)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--stats-json", o.stats_json, "append statistics as JSON lines (header, one per second, final); - for stdout")
      ->type_name("FILE|-");
  app.add_option("--audio-bitrate", o.audio_bitrate_bps, "Opus bitrate, 6000-510000 bit/s")
      ->type_name("BIT/S")
      ->check(CLI::Range(6000, 510000))
      ->capture_default_str();
  app.add_option("--key-file", o.key_file,
                 "encrypt and authenticate RTP/RTCP (SRTP) with this group key (confcast-keygen)")
      ->type_name("FILE");
  app.add_option("--sdp-crypto", o.sdp_crypto,
                 "write a=crypto in the SDP: without a value the suite only; =with-key also "
                 "the key (inline:, readable by whoever reads the SDP)")
      ->type_name("with-key")
      ->expected(0, 1)
      ->default_str("suite");
  app.add_option("--fec", fec, "FlexFEC for video: auto (from reported loss), off, or PCT overhead")
      ->type_name("auto|off|PCT")
      ->capture_default_str();
  app.add_flag("--intra-refresh", o.intra_refresh,
               "refresh the picture in a moving column instead of periodic IDRs (PLI/FIR still force one)");
  app.add_option("--rtx", raw.rtx, "retransmit video packets that receivers NACK, as RTX (RFC 4588)")
      ->type_name("on|off")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_option("--rtx-budget", o.rtx_budget_percent,
                 "retransmit at most PCT% of the video bytes (plus 200 ms bursts), however "
                 "many NACKs arrive")
      ->type_name("PCT")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  net::AddLogOptions(app, &o.log,
                     "debug messages: keyframe requests, NACKs, RTCP errors; status details");
  // Hidden (empty group): for tests of wrap-around and SSRC collisions.
  app.add_option("--ssrc", raw.ssrc, "fixed video SSRC (testing)")->group("");
  app.add_option("--initial-seq", raw.initial_seq, "first RTP sequence number (testing)")->group("");
  app.add_option("--initial-ts", raw.initial_ts, "RTP timestamp of the first frame (testing)")->group("");
}

// --help's headings, examples and exit codes. A new option goes under a heading here.
cli::Manual SendManual() {
  return {
      .groups = {{"Input", {"--video", "--audio", "--loop", "--list-devices"}},
                 {"Encoding", {"--size", "--fps", "--bitrate", "--gop", "--vbv-ms", "--intra-refresh",
                               "--audio-bitrate"}},
                 {"Network", {"--group", "--port", "--iface", "--ttl", "--no-loopback", "--mtu",
                              "--no-slice-cap"}},
                 {"Repair", {"--fec", "--rtx", "--rtx-budget"}},
                 {"Session", {"--name", "--sdp", "--announce", "--announce-interval"}},
                 {"Security", {"--key-file", "--sdp-crypto"}},
                 {"Output and monitoring", {"--duration", "--stats-json", "--log-level", "--quiet", "--verbose"}}},
      .examples = {{"confcast-send --iface eth0 --name \"Room A\" --sdp room-a.sdp",
                    "test pattern and tone; room-a.sdp is what confcast-recv, ffplay or VLC open"},
                   {"confcast-send --video v4l2:/dev/video0 --audio pulse --size 1280x720",
                    "a camera and the default microphone (--list-devices shows the values)"},
                   {"confcast-send --name \"Room A\" --announce",
                    "announce it with SAP: confcast-recv --list shows it, --join \"Room A\" plays it"},
                   {"confcast-send --key-file room.key --sdp room.sdp --sdp-crypto",
                    "encrypted (SRTP) with a key from confcast-keygen -o room.key"},
                   {"confcast-send --name \"Room A\" --bitrate 1500 --print-config > room.toml",
                    "keep the options in a file; confcast-send --config room.toml runs with them"}},
      .exit_codes = {{0, "stopped by Ctrl-C, SIGTERM or --duration, or a file source ended"},
                     {1, "a source, the encoder or the network failed (the message says which)"},
                     {2, "usage error: a bad option, value or config file"}},
  };
}

}  // namespace

std::expected<SendOptions, ParseFailure> ParseSendOptions(int argc, const char* const* argv) {
  RawSendOptions raw;
  SendOptions& o = raw.o;
  const std::string& size = raw.size;
  const std::string& fec = raw.fec;
  cli::CommandLine cl("confcast-send", "capture, encode and send video and audio to a multicast group",
                      [&raw](CLI::App& app) { DefineSendOptions(app, raw); }, SendManual(),
                      cli::ConfigFile::kRead);
  if (auto parsed = cl.Parse(argc, argv); !parsed) return std::unexpected(parsed.error());
  if (cl.Given("--ssrc")) o.ssrc = raw.ssrc;
  if (o.name.empty() && !cl.Given("--name")) o.name = DefaultName();  // --name "" sends none
  if (cl.Given("--initial-seq")) o.initial_seq = raw.initial_seq;
  if (cl.Given("--initial-ts")) o.initial_ts = raw.initial_ts;
  o.loopback = !raw.no_loopback;
  o.slice_cap = !raw.no_slice_cap;
  o.rtx = raw.rtx == "on";
  {
    int w = 0, h = 0;
    char x = 0, extra = 0;
    if (std::sscanf(size.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') ||
        w < 16 || h < 16 || w > 7680 || h > 4320 || w % 2 || h % 2) {
      return std::unexpected(ParseFailure{fmt::format(
          "--size '{}' is not a valid frame size; use even WxH between 16x16 and 7680x4320, e.g. 1280x720",
          size)});
    }
    o.width = w;
    o.height = h;
  }
  if (fec == "auto") {
    o.fec_percent = -1;
  } else if (fec == "off") {
    o.fec_percent = 0;
  } else {
    int pct = 0;
    char extra = 0;
    if (std::sscanf(fec.c_str(), "%d%c", &pct, &extra) != 1 || pct < 1 || pct > 100) {
      return std::unexpected(ParseFailure{fmt::format(
          "--fec '{}' is not auto, off or a percentage; use e.g. --fec auto, --fec off or --fec 20", fec)});
    }
    o.fec_percent = pct;
  }
  if (o.port % 2 != 0) {
    return std::unexpected(ParseFailure{fmt::format(
        "--port {} is odd: RTP uses the even port of an even/odd pair; use --port {}", o.port,
        o.port - 1)});
  }
  if (o.port == 0 || o.port > 65532) {
    return std::unexpected(ParseFailure{fmt::format(
        "--port {} leaves no room for the four ports P..P+3; use an even port in 1024..65532",
        o.port)});
  }
  if (o.sdp_crypto == "true") o.sdp_crypto = "suite";  // how CLI11 may fill a bare flag
  if (!o.sdp_crypto.empty() && o.sdp_crypto != "suite" && o.sdp_crypto != "with-key") {
    return std::unexpected(ParseFailure{fmt::format(
        "--sdp-crypto={} is not a choice; use --sdp-crypto (suite only) or --sdp-crypto=with-key",
        o.sdp_crypto)});
  }
  if (!o.sdp_crypto.empty() && o.key_file.empty()) {
    return std::unexpected(ParseFailure{"--sdp-crypto describes the SRTP key: it needs --key-file"});
  }
  if (cl.Given("--rtx-budget") && !o.rtx) {
    return std::unexpected(
        ParseFailure{"--rtx-budget limits retransmission, which --rtx off turns off; drop one"});
  }
  if (cl.Given("--announce-interval") && !o.announce) {
    return std::unexpected(ParseFailure{"--announce-interval needs --announce; add --announce"});
  }
  if (o.announce && o.sdp_crypto == "with-key") {
    return std::unexpected(ParseFailure{
        "--announce with --sdp-crypto=with-key would send the group key to the whole LAN in SAP; "
        "use --sdp-crypto (suite only) and give receivers the key file"});
  }
  if (o.video == "none" && o.audio == "none") {
    return std::unexpected(ParseFailure{"--video none and --audio none leave nothing to send; drop one of them"});
  }
  if (auto printed = cl.PrintConfig()) return std::unexpected(*printed);
  return o;
}

}  // namespace confcast::sender
