// The receiver's summary and --stats-json with participant names that anyone on the LAN may
// have set (SDES NAME): the terminal gets safe text, the JSON the original, and invalid UTF-8
// ends neither.
#include <confcast/net/log.h>
#include <confcast/rtp/safe_text.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "recv_stats.h"
#include "video_stream.h"

namespace confcast::receiver {
namespace {

// The --stats-json file, one parsed object per line (NDJSON).
std::vector<nlohmann::json> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::filesystem::path TempDir(const std::string& what) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("confcast-" + what + "-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(RecvStats, HostileNamesReachTheTerminalSafelyAndTheJsonWhole) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("confcast-recv-stats-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string json_path = (dir / "stats.json").string();

  const std::string attack = "\x1b]0;PWNED\x07\x1b[31m RED \x1b[0m";
  Participants participants;
  Streams streams;
  const std::uint32_t ids[] = {0x1111, 0x2222, 0x3333};
  const std::string names[] = {attack, "bad \xff\xc0\xaf utf-8", "rlo \xe2\x80\xae" "txt.exe"};
  for (int i = 0; i < 3; ++i) {
    Participant& p = participants[ids[i]];
    p.ssrc = ids[i];
    p.kind = MediaKind::kVideo;
    p.name = names[i];
    p.cname = names[i];
    streams[ids[i]] = std::make_unique<VideoStream>(StreamConfig{.ssrc = ids[i]}, rtp::Timestamp{0});
  }
  RecvStatsReporter stats(json_path, false);
  DropCounters drops;
  // The summary goes through the programs' logger, to stderr as confcast-recv writes it.
  net::InitLogging("confcast-recv", spdlog::level::info, net::LogTarget{stderr, false, false});
  testing::internal::CaptureStderr();
  stats.Final(participants, streams, 0, std::chrono::seconds(3), "stopped\x1b[2J", 0, 0, 0,
              drops, FinalExtras{}, SignalFigures{});
  const std::string printed = testing::internal::GetCapturedStderr();

  EXPECT_TRUE(rtp::IsValidUtf8(printed)) << printed;
  for (char c : printed) {
    const auto b = static_cast<unsigned char>(c);
    EXPECT_TRUE(b >= 0x20 || b == '\n') << "control byte " << int(b);
  }
  EXPECT_EQ(printed.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_NE(printed.find("]0;PWNED"), std::string::npos) << printed;  // shown, defused

  const std::vector<nlohmann::json> lines = ReadLines(json_path);
  ASSERT_EQ(lines.size(), 2u);  // header, final
  const auto& written = lines.back()["streams"];
  ASSERT_EQ(written.size(), 3u);
  for (const auto& s : written) {
    const std::string name = s["name"].get<std::string>();
    EXPECT_TRUE(rtp::IsValidUtf8(name));
    if (s["ssrc"] == 0x1111) {
      EXPECT_EQ(name, attack);  // the original, escaped by the JSON writer
    }
    if (s["ssrc"] == 0x2222) {
      EXPECT_NE(name.find(std::string(rtp::kReplacementCharacter)), std::string::npos) << name;
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(RecvStats, JsonLinesHeaderSecondsFinalAndNothingRewritten) {
  const auto dir = TempDir("recv-ndjson");
  const std::string path = (dir / "stats.json").string();
  Participants participants;
  Streams streams;
  streams[0x10] = std::make_unique<VideoStream>(StreamConfig{.ssrc = 0x10}, rtp::Timestamp{0});
  {
    RecvStatsReporter stats(path, false);
    std::uintmax_t size = std::filesystem::file_size(path);
    for (int i = 0; i < 12; ++i) {
      // From the seventh second a retransmission has answered a NACK: the RTT is measured.
      if (i == 6) streams[0x10]->figures().repair.rtt_ms = 1.25;
      stats.Tick(participants, streams, 0, 0, SignalFigures{});
      // Each second adds one line at the end; the file only grows by a line (no rewrite).
      const std::uintmax_t now = std::filesystem::file_size(path);
      EXPECT_GT(now, size);
      EXPECT_LT(now - size, 2000u) << "a second is one short line";
      size = now;
    }
    stats.Final(participants, streams, 0, std::chrono::seconds(12), "duration", 0, 0, 0,
                DropCounters{}, FinalExtras{}, SignalFigures{});
  }
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 14u);
  EXPECT_EQ(lines[0]["type"], "header");
  EXPECT_EQ(lines[0]["schema"], "confcast-stats/2");
  EXPECT_EQ(lines[0]["program"], "confcast-recv");
  for (int i = 1; i <= 12; ++i) {
    EXPECT_EQ(lines[i]["type"], "second");
    EXPECT_EQ(lines[i]["t"], i);
    // The RTT the receiver measured, once it has (the tracker's starting guess is not shown),
    // and the playout delay it chose, every second (issue 13).
    if (i <= 6) {
      EXPECT_FALSE(lines[i].contains("rtt_ms")) << lines[i].dump();
    } else {
      EXPECT_EQ(lines[i]["rtt_ms"], 1.25) << lines[i].dump();
    }
    EXPECT_TRUE(lines[i]["playout_delay_ms"].is_number()) << lines[i].dump();
  }
  EXPECT_EQ(lines[13]["type"], "final");
  EXPECT_EQ(lines[13]["stop_reason"], "duration");
  EXPECT_EQ(lines[13]["streams"].size(), 1u);
  EXPECT_EQ(lines[13]["streams"][0]["repair"]["rtt_ms"], 1.25) << lines[13].dump();
  std::filesystem::remove_all(dir);
}

// A video stream's latency split by stage reaches the final JSON (each stage's p50, p95, mean)
// and the summary printed on exit, in pipeline order; a stream with no split has neither.
TEST(RecvStats, LatencyStagesInTheFinalJsonAndTheSummary) {
  const auto dir = TempDir("recv-stages");
  const std::string path = (dir / "stats.json").string();
  Participants participants;
  Streams streams;
  streams[0x10] = std::make_unique<VideoStream>(StreamConfig{.ssrc = 0x10}, rtp::Timestamp{0});
  streams[0x20] = std::make_unique<VideoStream>(StreamConfig{.ssrc = 0x20}, rtp::Timestamp{0});
  for (int i = 0; i < 9; ++i) {
    streams[0x10]->figures().stages.Add(
        {.send = 4.0, .spread = 0.25, .buffer = 0.5, .queue = 0.125, .decode = 3.0, .render = 2.0});
  }
  net::InitLogging("confcast-recv", spdlog::level::info, net::LogTarget{stderr, false, false});
  testing::internal::CaptureStderr();
  {
    RecvStatsReporter stats(path, false);
    stats.Final(participants, streams, 0, std::chrono::seconds(3), "duration", 0, 0, 0,
                DropCounters{}, FinalExtras{}, SignalFigures{});
  }
  const std::string printed = testing::internal::GetCapturedStderr();
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  const auto& all = lines[1]["streams"];
  ASSERT_EQ(all.size(), 2u);
  for (const auto& s : all) {
    if (s["ssrc"] == 0x20) {
      EXPECT_FALSE(s.contains("latency_stages_ms")) << s.dump();
      continue;
    }
    const auto& st = s["latency_stages_ms"];
    ASSERT_EQ(st.size(), 6u) << s.dump();
    EXPECT_NEAR(st["send"]["p50"].get<double>(), 4.0, 0.04);
    EXPECT_NEAR(st["queue"]["mean"].get<double>(), 0.125, 1e-9);
    EXPECT_NEAR(st["render"]["p95"].get<double>(), 2.0, 0.02);
  }
  EXPECT_NE(printed.find("video 00000010 latency by stage, p50 ms: send 4.0"), std::string::npos)
      << printed;
  const auto at = [&](const char* what) { return printed.find(what); };
  EXPECT_LT(at("send "), at("spread "));
  EXPECT_LT(at("spread "), at("buffer "));
  EXPECT_LT(at("buffer "), at("queue "));
  EXPECT_LT(at("queue "), at("decode "));
  EXPECT_LT(at("decode "), at("render "));
  EXPECT_EQ(printed.find("00000020 latency by stage"), std::string::npos) << printed;
  std::filesystem::remove_all(dir);
}

TEST(RecvStats, CopyTruncateLeavesNoHoleAndKeepsAppending) {
  // logrotate copytruncate: the file is copied, then truncated under the writer; the next line
  // must start the truncated file, not land at the old offset after a run of NUL bytes.
  const auto dir = TempDir("recv-truncate");
  const std::string path = (dir / "stats.json").string();
  Participants participants;
  Streams streams;
  RecvStatsReporter stats(path, false);
  for (int i = 0; i < 5; ++i) stats.Tick(participants, streams, 0, 0, SignalFigures{});
  std::filesystem::resize_file(path, 0);
  stats.Tick(participants, streams, 0, 0, SignalFigures{});
  const auto lines = ReadLines(path);  // parses, so no NUL prefix
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["type"], "second");
  EXPECT_EQ(lines[0]["t"], 6);
  std::filesystem::remove_all(dir);
}

TEST(RecvStats, DashWritesTheLinesToStdout) {
  Participants participants;
  Streams streams;
  testing::internal::CaptureStdout();
  {
    RecvStatsReporter stats("-", false);
    stats.Tick(participants, streams, 0, 0, SignalFigures{});
  }
  const std::string out = testing::internal::GetCapturedStdout();
  std::istringstream in(out);
  std::string header, second;
  ASSERT_TRUE(std::getline(in, header));
  ASSERT_TRUE(std::getline(in, second));
  EXPECT_EQ(nlohmann::json::parse(header)["type"], "header");
  EXPECT_EQ(nlohmann::json::parse(second)["type"], "second");
}

TEST(RecvStats, RetiredStreamsAreBoundedWithAnAggregate) {
  const auto dir = TempDir("recv-retired");
  const std::string path = (dir / "stats.json").string();
  Participants participants;
  Streams streams;
  RecvStatsReporter stats(path, false);
  const std::size_t leavers = kRetiredKept + 36;
  for (std::size_t i = 0; i < leavers; ++i) {
    StreamFigures f;
    f.packets = 10;
    f.frames_rendered = 3;
    stats.Retire(static_cast<std::uint32_t>(0x100 + i), MediaKind::kVideo, f);
  }
  testing::internal::CaptureStderr();
  stats.Final(participants, streams, 0, std::chrono::seconds(1), "duration", 0, 0, 0,
              DropCounters{}, FinalExtras{}, SignalFigures{});
  (void)testing::internal::GetCapturedStderr();
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2u);
  const auto& fin = lines[1];
  ASSERT_EQ(fin["streams"].size(), kRetiredKept);
  // The latest leavers are kept in full.
  EXPECT_EQ(fin["streams"].back()["ssrc"], 0x100 + leavers - 1);
  EXPECT_EQ(fin["streams"].front()["ssrc"], 0x100 + leavers - kRetiredKept);
  ASSERT_TRUE(fin.contains("retired_older"));
  EXPECT_EQ(fin["retired_older"]["streams"], 36);
  EXPECT_EQ(fin["retired_older"]["packets"], 360);
  EXPECT_EQ(fin["retired_older"]["frames_rendered"], 108);
  std::filesystem::remove_all(dir);
}

TEST(RecvStats, NoPathWritesNothing) {
  Participants participants;
  Streams streams;
  testing::internal::CaptureStdout();
  {
    RecvStatsReporter stats("", false);
    for (int i = 0; i < 3; ++i) stats.Tick(participants, streams, 0, 0, SignalFigures{});
  }
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
}

}  // namespace
}  // namespace confcast::receiver
