// y4m: header parsing with clear errors, and byte-exact pass-through source -> sink.
#include "confcast/media/y4m.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "confcast/media/sink.h"
#include "confcast/media/source.h"

namespace confcast::media {
namespace {

std::filesystem::path TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("confcast_media_" + std::to_string(::getpid()) + "_" + name);
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void WriteAll(const std::filesystem::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary);
  out << s;
}

TEST(Y4mHeader, ParsesAllTags) {
  auto h = ParseY4mHeader(
      "YUV4MPEG2 W320 H240 F30000:1001 It A1:1 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->width, 320);
  EXPECT_EQ(h->height, 240);
  EXPECT_EQ(h->fps_num, 30000);
  EXPECT_EQ(h->fps_den, 1001);
  EXPECT_EQ(h->interlace, 't');
  EXPECT_EQ(h->chroma, "420mpeg2");
  EXPECT_EQ(h->extra, "YSCSS=420MPEG2 COLORRANGE=LIMITED");
}

TEST(Y4mHeader, SerializeParseRoundTrip) {
  Y4mHeader h;
  h.width = 176;
  h.height = 144;
  h.fps_num = 25;
  h.extra = "COLORRANGE=FULL";
  const std::string line = SerializeY4mHeader(h);
  EXPECT_EQ(line, "YUV4MPEG2 W176 H144 F25:1 Ip A1:1 C420jpeg XCOLORRANGE=FULL\n");
  auto back = ParseY4mHeader(line.substr(0, line.size() - 1));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, h);
}

TEST(Y4mHeader, DefaultsWhenOptionalTagsMissing) {
  auto h = ParseY4mHeader("YUV4MPEG2 W2 H2");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->fps_num, 30);
  EXPECT_EQ(h->chroma, "420jpeg");
}

struct BadHeader {
  const char* line;
  const char* needle;  // the error must name the problem
};
class Y4mBadHeader : public ::testing::TestWithParam<BadHeader> {};

TEST_P(Y4mBadHeader, ClearError) {
  auto h = ParseY4mHeader(GetParam().line);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code, MediaErrorCode::kBadFormat);
  EXPECT_NE(h.error().message.find(GetParam().needle), std::string::npos) << h.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Y4mBadHeader,
    ::testing::Values(BadHeader{"", "not a YUV4MPEG2 stream"},
                      BadHeader{"RIFF....WAVE", "not a YUV4MPEG2 stream"},
                      BadHeader{"YUV4MPEG2X W1 H1", "not a YUV4MPEG2 stream"},
                      BadHeader{"YUV4MPEG2 H240", "no width"},
                      BadHeader{"YUV4MPEG2 W320", "no height"},
                      BadHeader{"YUV4MPEG2 W-5 H240", "bad width"},
                      BadHeader{"YUV4MPEG2 W99999 H240", "bad width"},
                      BadHeader{"YUV4MPEG2 W320 Habc", "bad height"},
                      BadHeader{"YUV4MPEG2 W320 H240 F30", "bad frame rate"},
                      BadHeader{"YUV4MPEG2 W320 H240 F0:1", "bad frame rate"},
                      BadHeader{"YUV4MPEG2 W320 H240 C444", "C444 is not supported"},
                      BadHeader{"YUV4MPEG2 W320 H240 Cmono", "-pix_fmt yuv420p"},
                      BadHeader{"YUV4MPEG2 W320 H240 Iz", "bad interlace"},
                      BadHeader{"YUV4MPEG2 W320 H240 Q7", "unknown header tag 'Q7'"}));

TEST(Y4mSource, PassThroughIsByteExact) {
  const auto in = TempPath("in.y4m");
  const auto out = TempPath("out.y4m");
  std::string data = "YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\n";
  for (int i = 0; i < 5; ++i) {
    data += "FRAME\n";
    const VideoFrame f = SyntheticFrame(64, 48, static_cast<std::uint64_t>(i));
    data.append(f.i420.begin(), f.i420.end());
  }
  WriteAll(in, data);
  {
    auto src = CreateVideoSource("y4m:" + in.string());
    ASSERT_TRUE(src) << src.error().message;
    auto sink = CreateVideoSink("y4m:" + out.string());
    ASSERT_TRUE(sink) << sink.error().message;
    int n = 0;
    while (true) {
      auto f = (*src)->Pull(std::chrono::milliseconds(100));
      if (!f) {
        EXPECT_EQ(f.error().code, MediaErrorCode::kEndOfStream) << f.error().message;
        break;
      }
      ASSERT_TRUE(f->has_value());
      EXPECT_EQ((*f)->frame_number, static_cast<std::uint64_t>(n));
      EXPECT_GT((*f)->capture_time.count(), 0);
      ASSERT_TRUE((*sink)->Render(**f));
      ++n;
    }
    EXPECT_EQ(n, 5);
    ASSERT_TRUE((*sink)->Close());
  }
  EXPECT_EQ(ReadAll(out), data);
  std::filesystem::remove(in);
  std::filesystem::remove(out);
}

TEST(Y4mSource, OddSizesUseRoundedUpChroma) {
  const auto in = TempPath("odd.y4m");
  std::string data = "YUV4MPEG2 W5 H3\nFRAME\n" + std::string(5 * 3 + 2 * 3 * 2, '\x42');
  WriteAll(in, data);
  auto r = Y4mReader::Open(in.string());
  ASSERT_TRUE(r);
  auto f = (*r)->Next();
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->i420.size(), 27u);
  std::filesystem::remove(in);
}

TEST(Y4mSource, TruncatedFrameAndBadMarker) {
  const auto in = TempPath("trunc.y4m");
  WriteAll(in,
           "YUV4MPEG2 W4 H4\nFRAME\n" + std::string(24, 'a') + "FRAME\n" + std::string(10, 'b'));
  auto r = Y4mReader::Open(in.string());
  ASSERT_TRUE(r);
  ASSERT_TRUE((*r)->Next());
  auto bad = (*r)->Next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, MediaErrorCode::kBadFormat);
  EXPECT_NE(bad.error().message.find("truncated (10 of 24 bytes)"), std::string::npos)
      << bad.error().message;

  WriteAll(in, "YUV4MPEG2 W4 H4\nFRAMX\n" + std::string(24, 'a'));
  auto r2 = Y4mReader::Open(in.string());
  ASSERT_TRUE(r2);
  auto bad2 = (*r2)->Next();
  ASSERT_FALSE(bad2);
  EXPECT_NE(bad2.error().message.find("does not start with FRAME"), std::string::npos);
  std::filesystem::remove(in);
}

TEST(Y4mSource, MissingFileAndBadHeaderNameTheFile) {
  auto missing = CreateVideoSource("y4m:/nonexistent/dir/x.y4m");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, MediaErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/dir/x.y4m"), std::string::npos);

  const auto in = TempPath("bad.y4m");
  WriteAll(in, "YUV4MPEG2 W320 H240 C444\n");
  auto bad = CreateVideoSource("y4m:" + in.string());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("C444 is not supported"), std::string::npos);
  EXPECT_NE(bad.error().message.find(in.string()), std::string::npos) << bad.error().message;

  WriteAll(in, "");
  auto empty = CreateVideoSource("y4m:" + in.string());
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("is empty"), std::string::npos);
  std::filesystem::remove(in);

  auto no_path = CreateVideoSource("y4m:");
  ASSERT_FALSE(no_path);
  EXPECT_EQ(no_path.error().code, MediaErrorCode::kBadSpec);
}

TEST(Y4mSink, RejectsSizeChange) {
  const auto out = TempPath("size.y4m");
  auto sink = CreateVideoSink("y4m:" + out.string());
  ASSERT_TRUE(sink);
  ASSERT_TRUE((*sink)->Render(VideoFrame::Blank(4, 4)));
  auto r = (*sink)->Render(VideoFrame::Blank(8, 8));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("size changed"), std::string::npos);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace confcast::media
