// confcast-recv --list and --join: listening to SAP (RFC 2974) on the LAN.
//
// A listener joins the IPv4 SAP groups of every scope it may be in (rtp::kSapIpv4Groups:
// 224.2.127.254, 239.255.255.255, 239.195.255.255, 224.0.0.255) and, when the interface
// allows, ff02::2:7ffe and ff05::2:7ffe, all on port 9875, and feeds what it hears to an
// rtp::SapDirectory.
#pragma once

#include <confcast/receiver/options.h>

#include <expected>
#include <string>

namespace confcast::receiver {

// --list: listens for --duration seconds (default 3) or until SIGINT/SIGTERM, reporting
// sessions as they come and go on stderr, then prints the table on stdout (and the sessions
// as JSON to --stats-json). Exit code 0 when something was announced, 3 when nothing was.
int RunSapList(const RecvOptions& options);

// --join NAME: the SDP text of the session called NAME, or the exit code to end with (the
// reason is already on stderr, with what was heard).
std::expected<std::string, int> DiscoverSdpByName(const RecvOptions& options);

}  // namespace confcast::receiver
