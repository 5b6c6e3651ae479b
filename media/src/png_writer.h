// One I420 frame to a PNG file (libswscale to RGB24, libavcodec's PNG encoder).
#pragma once

#include <expected>
#include <filesystem>

#include "confcast/media/frame.h"

namespace confcast::media {

std::expected<void, MediaError> WritePng(const VideoFrame& frame,
                                         const std::filesystem::path& path);

}  // namespace confcast::media
