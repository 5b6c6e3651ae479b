// confcast-recv --list rows and --join NAME matching, on a session directory fed by hand.
#include <confcast/receiver/options.h>
#include <confcast/receiver/sap_listing.h>
#include <confcast/rtp/safe_text.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

namespace confcast::receiver {
namespace {

std::string Sdp(const std::string& name, int session_id) {
  return "v=0\r\no=- " + std::to_string(session_id) + " 1 IN IP4 10.77.0.1\r\ns=" + name +
         "\r\nc=IN IP4 239.0.0.11/1\r\nt=0 0\r\n"
         "m=video 15550 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
         "m=audio 15552 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n";
}

rtp::Timestamp At(int s) {
  return rtp::Timestamp{std::chrono::seconds(s)};
}

void Announce(rtp::SapDirectory& d, const std::string& name, int id, rtp::Timestamp now) {
  rtp::SapPacket p;
  p.payload = Sdp(name, id);
  p.msg_id_hash = rtp::SapMessageIdHash(p.payload);
  p.origin = rtp::SapOrigin::V4(10, 77, 0, static_cast<std::uint8_t>(id));
  ASSERT_EQ(d.OnDatagram(rtp::Serialize(p).value(), now).event, rtp::SapEvent::kNew);
}

TEST(SapListing, RowShowsNameGroupMediaOriginAge) {
  rtp::SapDirectory d;
  Announce(d, "alice", 1, At(10));
  const SapRow r = Summarize(d.sessions().begin()->second, At(13));
  EXPECT_EQ(r.name, "alice");
  EXPECT_EQ(r.group, "239.0.0.11");
  EXPECT_EQ(r.media, "video 15550 H264, audio 15552 opus");
  EXPECT_EQ(r.origin, "10.77.0.1");
  EXPECT_DOUBLE_EQ(r.age_s, 3.0);
  const std::string table = FormatSapTable({r});
  EXPECT_EQ(table.substr(0, 4), "NAME");
  EXPECT_NE(table.find("alice  239.0.0.11  video 15550 H264, audio 15552 opus  10.77.0.1"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("3.0\n"), std::string::npos) << table;
}

TEST(SapListing, HostileAnnouncementsPrintSafely) {
  // Anyone on the LAN can announce: a name that retitles the terminal and paints it, a name of
  // invalid UTF-8, an RTL override, and one far too long for a column.
  rtp::SapDirectory d;
  const std::string attack = "\x1b]0;PWNED\x07\x1b[31m RED \x1b[0m";
  Announce(d, attack, 1, At(0));
  Announce(d, "\xff\xfe\xc0\xaf", 2, At(0));
  Announce(d, "photo\xe2\x80\xaegpj.exe", 3, At(0));
  Announce(d, std::string(300, 'w'), 4, At(0));
  std::vector<SapRow> rows;
  for (const auto& [key, session] : d.sessions()) rows.push_back(Summarize(session, At(1)));
  // The rows keep the text as announced (JSON, --join); the table and the lines do not.
  EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const SapRow& r) { return r.name == attack; }));
  const std::string table = FormatSapTable(rows);
  std::vector<std::string> printed{table};
  for (const SapRow& r : rows) printed.push_back(DescribeSapRow(r));
  for (const std::string& text : printed) {
    EXPECT_TRUE(rtp::IsValidUtf8(text)) << text;
    for (char c : text) {
      const auto b = static_cast<unsigned char>(c);
      EXPECT_TRUE(b >= 0x20 || b == '\n') << "control byte " << int(b);
      EXPECT_NE(b, 0x7f);
    }
    EXPECT_EQ(text.find("\xe2\x80\xae"), std::string::npos);
  }
  EXPECT_NE(table.find("]0;PWNED"), std::string::npos);  // visible, defused
  // The 300-byte name is cut to the column cap, with an ellipsis.
  std::size_t longest = 0;
  for (std::size_t at = 0; at < table.size();) {
    const std::size_t nl = table.find('\n', at);
    longest = std::max(longest, nl - at);
    at = nl + 1;
  }
  EXPECT_LT(longest, 300u);
  EXPECT_NE(table.find(std::string(rtp::kEllipsis)), std::string::npos) << table;
}

TEST(SapListing, ColumnsLineUpWithMultiByteNames) {
  rtp::SapDirectory d;
  Announce(d, "Zo\xc3\xab", 1, At(0));  // 3 characters, 4 bytes
  Announce(d, "bob", 2, At(0));
  std::vector<SapRow> rows;
  for (const auto& [key, session] : d.sessions()) rows.push_back(Summarize(session, At(1)));
  const std::string table = FormatSapTable(rows);
  // Every line puts GROUP at the same column (counted in characters).
  std::vector<std::size_t> columns;
  for (std::size_t at = 0; at < table.size();) {
    const std::size_t nl = table.find('\n', at);
    const std::string line = table.substr(at, nl - at);
    const std::size_t g = line.find(line.starts_with("NAME") ? "GROUP" : "239.0.0.11");
    columns.push_back(rtp::Utf8Length(line.substr(0, g)));
    at = nl + 1;
  }
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[0], columns[1]);
  EXPECT_EQ(columns[1], columns[2]);
}

TEST(SapListing, OriginOfIpv6) {
  rtp::SapOrigin o;
  o.ipv6 = true;
  o.bytes = {0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(OriginToString(o), "fd77::1");
}

TEST(SapListing, JoinMatchesExactThenPrefix) {
  rtp::SapDirectory d;
  Announce(d, "alice", 1, At(0));
  Announce(d, "alice-cam", 2, At(0));
  Announce(d, "bob", 3, At(0));
  auto m = MatchSapSessions(d.sessions(), "alice");
  ASSERT_EQ(m.exact.size(), 1u);
  EXPECT_EQ(m.exact[0]->sdp.session_name, "alice");
  EXPECT_EQ(m.prefixed.size(), 2u);
  m = MatchSapSessions(d.sessions(), "b");
  EXPECT_TRUE(m.exact.empty());
  ASSERT_EQ(m.prefixed.size(), 1u);
  EXPECT_EQ(m.prefixed[0]->sdp.session_name, "bob");
  m = MatchSapSessions(d.sessions(), "carol");
  EXPECT_TRUE(m.exact.empty());
  EXPECT_TRUE(m.prefixed.empty());
}

std::expected<RecvOptions, ParseFailure> Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"confcast-recv"};
  argv.insert(argv.end(), args);
  return ParseRecvOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(SapOptions, ListAndJoin) {
  auto o = Parse({"--list", "--duration", "5"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_TRUE(o->list);
  EXPECT_EQ(o->duration_s, 5);
  o = Parse({"--join", "alice", "--join-timeout", "4", "--video-sink", "null"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->join, "alice");
  EXPECT_EQ(o->join_timeout_s, 4);
}

TEST(SapOptions, ConflictsNameTheFix) {
  auto o = Parse({"--list", "--join", "alice"});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find("--list only lists"), std::string::npos);
  o = Parse({"--join", "alice", "session.sdp"});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find("takes the address from the announcement"), std::string::npos);
  o = Parse({"--join", "alice", "--group", "239.0.0.12"});
  ASSERT_FALSE(o.has_value());
}

}  // namespace
}  // namespace confcast::receiver
