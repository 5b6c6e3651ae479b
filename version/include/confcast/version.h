// The confcast version, for --version and the man pages: project(VERSION) in CMakeLists.txt,
// refined by `git describe` when built from a git checkout (see version/version.cmake).
#pragma once

#include <string>
#include <string_view>

namespace confcast {

// "0.1.0", "0.1.0+gabc1234567" (a commit without a release tag) or "0.2.0-3-gabc1234" (git
// describe of a tagged tree).
[[nodiscard]] std::string_view Version() noexcept;

// What --version prints: "<program> <Version()>", e.g. "confcast-send 0.1.0+gabc1234567".
[[nodiscard]] std::string VersionLine(std::string_view program);

}  // namespace confcast
