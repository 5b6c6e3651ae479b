// Small helpers shared by the libavcodec wrappers (private to confcast_media).
#pragma once

#include <cstdlib>
#include <string>

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

namespace confcast::media {

inline std::string AvErrorText(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

// libavcodec logs every concealed slice to stderr; confcast reports decode errors per frame
// instead, so only fatal messages are printed. CONFCAST_AV_LOG=1 keeps libav's own logging.
inline void QuietAvLog() {
  static const bool once = [] {
    const char* keep = std::getenv("CONFCAST_AV_LOG");
    if (!keep || std::string(keep) != "1") av_log_set_level(AV_LOG_FATAL);
    return true;
  }();
  (void)once;
}

}  // namespace confcast::media
