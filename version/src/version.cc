#include <confcast/version.h>

#include "version_gen.h"

namespace confcast {

std::string_view Version() noexcept { return CONFCAST_VERSION_STRING; }

std::string VersionLine(std::string_view program) {
  std::string line(program);
  line += ' ';
  line += Version();
  return line;
}

}  // namespace confcast
