// --stats-json as a stream of JSON lines (NDJSON, schema in docs/stats-json.md): the file is
// truncated once at start and then only appended to, one line per write(2) with O_APPEND, so
// nothing is kept in memory between lines and `logrotate copytruncate` works (after the
// truncation the next line lands at the new end of file, not at the old offset). "-" is stdout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace confcast::net {

// The "schema" of the header line; bump the number when a field changes meaning or goes away.
inline constexpr std::string_view kStatsSchema = "confcast-stats/2";

class StatsStream {
 public:
  StatsStream() = default;  // disabled: Write does nothing
  // Opens PATH (created, truncated, append-only) or stdout for "-"; an empty path disables.
  // A failure leaves it disabled and names the reason in error().
  explicit StatsStream(const std::string& path);
  StatsStream(StatsStream&& other) noexcept;
  StatsStream& operator=(StatsStream&& other) noexcept;
  StatsStream(const StatsStream&) = delete;
  StatsStream& operator=(const StatsStream&) = delete;
  ~StatsStream();

  bool enabled() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  // Writes `line` and a newline (the line must not contain one). Returns false on a failed or
  // short write, which is counted; the stream stays open (a full disk may clear).
  bool WriteLine(std::string_view line);
  std::uint64_t write_failures() const { return write_failures_; }

 private:
  int fd_ = -1;
  bool owned_ = false;
  std::string error_;
  std::uint64_t write_failures_ = 0;
};

}  // namespace confcast::net
