// record:PATH.mkv keeps the encoded streams: ffprobe sees H.264 and Opus with every packet.
#include "confcast/media/record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "confcast/media/h264.h"
#include "confcast/media/opus.h"

namespace confcast::media {
namespace {

std::string Capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  return out;
}

TEST(Recorder, StoresH264AndOpusWithoutReencoding) {
  if (Capture("command -v ffprobe").empty()) GTEST_SKIP() << "ffprobe not installed";
  const auto path = std::filesystem::temp_directory_path() /
                    ("confcast_media_" + std::to_string(::getpid()) + "_rec.mkv");
  {
    auto rec = Recorder::Open("record:" + path.string());
    ASSERT_TRUE(rec) << rec.error().message;
    H264EncoderConfig c;
    c.width = 160;
    c.height = 120;
    c.threads = 1;
    auto venc = H264Encoder::Create(c);
    auto aenc = OpusEncoder::Create({});
    ASSERT_TRUE(venc && aenc);
    for (int i = 0; i < 30; ++i) {
      VideoFrame f = SyntheticFrame(160, 120, static_cast<std::uint64_t>(i));
      f.pts = rtp::Duration{i * 100'000 / 3};
      auto au = (*venc)->Encode(f);
      ASSERT_TRUE(au && *au);
      ASSERT_TRUE((*rec)->WriteVideo(**au));
    }
    for (int i = 0; i < 50; ++i) {
      AudioFrame a;
      a.samples.assign(960, static_cast<std::int16_t>(i * 10));
      a.pts = rtp::Duration{i * 20'000};
      auto pkt = (*aenc)->Encode(a);
      ASSERT_TRUE(pkt);
      ASSERT_TRUE((*rec)->WriteAudio(*pkt));
    }
    ASSERT_TRUE((*rec)->Close());
  }
  const std::string codecs =
      Capture("ffprobe -v error -show_entries stream=codec_name -of csv=p=0 " + path.string());
  EXPECT_NE(codecs.find("h264"), std::string::npos) << codecs;
  EXPECT_NE(codecs.find("opus"), std::string::npos) << codecs;
  const std::string packets =
      Capture("ffprobe -v error -count_packets -show_entries stream=nb_read_packets -of csv=p=0 " +
              path.string());
  EXPECT_EQ(packets, "30\n50\n");
  std::filesystem::remove(path);
}

TEST(Recorder, ClearErrors) {
  auto nodir = Recorder::Open("record:/no/such/dir/x.mkv");
  ASSERT_FALSE(nodir);
  EXPECT_NE(nodir.error().message.find("/no/such/dir"), std::string::npos);
  auto empty = Recorder::Open("record:");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, MediaErrorCode::kBadSpec);
  RecorderOptions video_only;
  video_only.audio = false;
  const auto path = std::filesystem::temp_directory_path() /
                    ("confcast_media_" + std::to_string(::getpid()) + "_v.mkv");
  auto rec = Recorder::Open(path.string(), video_only);
  ASSERT_TRUE(rec);
  EncodedFrame pkt;
  pkt.codec = Codec::kOpus;
  pkt.data = {1, 2, 3};
  auto r = (*rec)->WriteAudio(pkt);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("without audio"), std::string::npos);
  (void)(*rec)->Close();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace confcast::media
