// What confcast-recv --list shows of a SAP session directory, and how --join NAME picks one.
#pragma once

#include <confcast/rtp/sap.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace confcast::receiver {

struct SapRow {
  std::string name;    // s=
  std::string group;   // the c= address of the session (or of its first media)
  std::string media;   // "video 15550 H264, audio 15552 opus"
  std::string origin;  // the SAP originating source
  double age_s = 0;    // seconds since the last announcement was heard
  std::uint16_t msg_id_hash = 0;
};

// The row keeps the announcement's text as it came (for --stats-json and --join matching);
// what is printed goes through rtp::SafeText, as anyone on the LAN can announce anything.
SapRow Summarize(const rtp::SapSession& session, rtp::Timestamp now);
std::string OriginToString(const rtp::SapOrigin& origin);
// A fixed-width table with a header line; rows sorted by name. Safe to print.
std::string FormatSapTable(std::vector<SapRow> rows);
// One line about a session: 'NAME' GROUP (MEDIA) from ORIGIN. Safe to print.
std::string DescribeSapRow(const SapRow& row);

// --join NAME: sessions whose s= is NAME, and those whose s= starts with it.
struct SapMatch {
  std::vector<const rtp::SapSession*> exact;
  std::vector<const rtp::SapSession*> prefixed;  // exact ones included
};
SapMatch MatchSapSessions(const std::map<rtp::SapKey, rtp::SapSession>& sessions,
                          std::string_view name);

}  // namespace confcast::receiver
