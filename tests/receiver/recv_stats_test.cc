// The receiver's summary and --stats-json with participant names that anyone on the LAN may
// have set (SDES NAME): the terminal gets safe text, the JSON the original, and invalid UTF-8
// ends neither.
#include <confcast/rtp/safe_text.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "recv_stats.h"
#include "video_stream.h"

namespace confcast::receiver {
namespace {

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

  std::ifstream in(json_path);
  ASSERT_TRUE(in.good());
  const nlohmann::json doc = nlohmann::json::parse(in);
  const auto& written = doc["final"]["streams"];
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

}  // namespace
}  // namespace confcast::receiver
