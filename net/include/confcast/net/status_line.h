// A status line that fits one terminal line.
//
// A program's per-second status is a list of fields, most important first ("30 fps",
// "lost 0", "p50 25.1 ms", ...). FitStatus joins them with " | " and stops at the first field
// that would pass `columns`: what is shown is always a prefix of the list, so the line keeps
// its shape from one second to the next instead of a short field slipping in where a long one
// no longer fits. A first field longer than the line is cut. Columns count code points.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace confcast::net {

inline constexpr std::size_t kStatusColumns = 79;  // an 80-column terminal, cursor included

std::string FitStatus(std::span<const std::string> fields, std::size_t columns = kStatusColumns);

}  // namespace confcast::net
