// YUV4MPEG2 (y4m) streams: a one-line text header, then frames, each "FRAME" + parameters + '\n'
// followed by raw planar pixels. confcast reads and writes 4:2:0 only, so it can sit in a pipe
// with ffmpeg, x264 or mpv (`ffmpeg ... -f yuv4mpegpipe - | confcast-send --video y4m:-`).
#pragma once

#include <cstdio>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "confcast/media/frame.h"

namespace confcast::media {

struct Y4mHeader {
  int width = 0;
  int height = 0;
  int fps_num = 30;
  int fps_den = 1;
  char interlace = 'p';
  int aspect_num = 1;
  int aspect_den = 1;
  std::string chroma = "420jpeg";  // any 4:2:0 siting: 420, 420jpeg, 420paldv, 420mpeg2
  std::string extra;               // X tags, kept in order (space separated, without 'X')
  friend bool operator==(const Y4mHeader&, const Y4mHeader&) = default;
};

// Parses the header line without its trailing newline. Errors say which tag is wrong and what
// to do ("y4m: colour space C444 is not supported; convert with -pix_fmt yuv420p").
std::expected<Y4mHeader, MediaError> ParseY4mHeader(std::string_view line);
// The header line with its trailing newline, tags in the order W H F I A C X.
std::string SerializeY4mHeader(const Y4mHeader& header);

// Reads frames from a file or standard input ("-"). Blocking: a pipe paces the reader.
class Y4mReader {
 public:
  static std::expected<std::unique_ptr<Y4mReader>, MediaError> Open(const std::string& path);
  ~Y4mReader();
  Y4mReader(const Y4mReader&) = delete;
  Y4mReader& operator=(const Y4mReader&) = delete;

  // The next frame, stamped with the wall clock when its last byte arrived. kEndOfStream at a
  // clean end; kBadFormat for a truncated frame or a bad FRAME marker.
  std::expected<VideoFrame, MediaError> Next();
  const Y4mHeader& header() const noexcept { return header_; }

 private:
  Y4mReader(std::FILE* f, bool owned, std::string name, Y4mHeader header);
  std::FILE* file_;
  bool owned_;
  std::string name_;
  Y4mHeader header_;
  std::uint64_t frames_ = 0;
};

// Writes frames to a file or standard output ("-"). The header is written with the first frame,
// whose size it takes; every later frame must have the same size.
class Y4mWriter {
 public:
  static std::expected<std::unique_ptr<Y4mWriter>, MediaError> Open(const std::string& path,
                                                                    int fps_num = 30,
                                                                    int fps_den = 1);
  ~Y4mWriter();
  Y4mWriter(const Y4mWriter&) = delete;
  Y4mWriter& operator=(const Y4mWriter&) = delete;

  std::expected<void, MediaError> Write(const VideoFrame& frame);
  std::expected<void, MediaError> Flush();

 private:
  Y4mWriter(std::FILE* f, bool owned, std::string name, int fps_num, int fps_den);
  std::FILE* file_;
  bool owned_;
  std::string name_;
  Y4mHeader header_;
  bool header_written_ = false;
};

}  // namespace confcast::media
