#include <confcast/net/stats_stream.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace confcast::net {

StatsStream::StatsStream(const std::string& path) {
  if (path.empty()) return;
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    return;
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error_ = path + ": " + std::strerror(errno);
    return;
  }
  owned_ = true;
}

StatsStream::StatsStream(StatsStream&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      owned_(std::exchange(other.owned_, false)),
      error_(std::move(other.error_)),
      write_failures_(other.write_failures_) {}

StatsStream& StatsStream::operator=(StatsStream&& other) noexcept {
  if (this != &other) {
    if (owned_) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    owned_ = std::exchange(other.owned_, false);
    error_ = std::move(other.error_);
    write_failures_ = other.write_failures_;
  }
  return *this;
}

StatsStream::~StatsStream() {
  if (owned_) ::close(fd_);
}

bool StatsStream::WriteLine(std::string_view line) {
  if (fd_ < 0) return false;
  // One buffer, one write: with O_APPEND each line lands whole at the end of the file, even
  // right after an outside truncation.
  std::string buf;
  buf.reserve(line.size() + 1);
  buf.append(line);
  buf.push_back('\n');
  std::size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::write(fd_, buf.data() + done, buf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ++write_failures_;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace confcast::net
