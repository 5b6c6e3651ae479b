// The sender's --stats-json: JSON lines (header, one per second, final), appended and never
// rewritten, so a sender left on for days keeps nothing per second in memory.
#include <confcast/net/log.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "send_stats.h"

namespace confcast::sender {
namespace {

std::vector<nlohmann::json> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(SendStats, JsonLinesHeaderSecondsFinal) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("confcast-send-stats-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "send.json").string();
  RtcpSession rtcp(RtcpSession::Config{}, 1);
  KeyframeControl keyframes;
  StreamCounters video;
  {
    SendStatsReporter stats(path, false);
    std::uintmax_t size = std::filesystem::file_size(path);
    for (int i = 0; i < 7; ++i) {
      video.frames += 30;
      video.wire_bytes += 125'000;
      stats.Tick(&video, nullptr, rtcp, keyframes);
      const std::uintmax_t now = std::filesystem::file_size(path);
      EXPECT_GT(now, size);
      EXPECT_LT(now - size, 3000u) << "one line a second, no rewrite";
      size = now;
    }
    // Frame-size peaks: two IDRs (40 and 60 kB) and delta frames up to 9 kB.
    video.CountFrame(40'000, true);
    video.CountFrame(9'000, false);
    video.CountFrame(60'000, true);
    video.CountFrame(3'000, false);
    // Where the frames' time went: 14 ms of encoding and 0.9 ms of sending in all (a span a
    // clock step made negative counts as nothing), a mean over every frame sent.
    video.CountTimes(4'000, 200);
    video.CountTimes(4'000, 200);
    video.CountTimes(6'000, 500);
    video.CountTimes(-5'000, 0);
    testing::internal::CaptureStderr();
    stats.Final(&video, nullptr, rtcp, keyframes, std::chrono::seconds(7), "duration");
    (void)testing::internal::GetCapturedStderr();
  }
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0]["type"], "header");
  EXPECT_EQ(lines[0]["schema"], "confcast-stats/2");
  EXPECT_EQ(lines[0]["program"], "confcast-send");
  for (int i = 1; i <= 7; ++i) {
    EXPECT_EQ(lines[i]["type"], "second");
    EXPECT_EQ(lines[i]["t"], i);
    EXPECT_EQ(lines[i]["video_fps"], 30);
    EXPECT_DOUBLE_EQ(lines[i]["video_kbps"].get<double>(), 1000.0);
  }
  EXPECT_EQ(lines[8]["type"], "final");
  EXPECT_EQ(lines[8]["video"]["frames"], 214);
  EXPECT_EQ(lines[8]["video"]["keyframes"], 2);
  EXPECT_EQ(lines[8]["video"]["keyframe_bytes_max"], 60'000);
  EXPECT_EQ(lines[8]["video"]["keyframe_bytes_mean"], 50'000);
  EXPECT_EQ(lines[8]["video"]["delta_frame_bytes_max"], 9'000);
  EXPECT_NEAR(lines[8]["video"]["encode_ms_mean"].get<double>(), 14.0 / 214, 1e-9);
  EXPECT_NEAR(lines[8]["video"]["send_out_ms_mean"].get<double>(), 0.9 / 214, 1e-9);
  EXPECT_EQ(lines[8]["stop_reason"], "duration");
  std::filesystem::remove_all(dir);
}

TEST(SendStats, UnwritablePathIsNamedAndTheSenderGoesOn) {
  RtcpSession rtcp(RtcpSession::Config{}, 1);
  KeyframeControl keyframes;
  net::InitLogging("confcast-send", spdlog::level::info, net::LogTarget{stderr, false, false});
  testing::internal::CaptureStderr();
  SendStatsReporter stats("/nonexistent-dir/confcast/send.json", false);
  stats.Tick(nullptr, nullptr, rtcp, keyframes);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("--stats-json /nonexistent-dir/confcast/send.json"), std::string::npos) << err;
}

}  // namespace
}  // namespace confcast::sender
