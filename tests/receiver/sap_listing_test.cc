// confcast-recv --list rows and --join NAME matching, on a session directory fed by hand.
#include <confcast/receiver/options.h>
#include <confcast/receiver/sap_listing.h>
#include <gtest/gtest.h>

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
