// Sockets, batched I/O and joins on loopback inside a private network namespace.
#include "confcast/net/socket.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>

#include "confcast/net/batch_io.h"
#include "confcast/net/event_loop.h"
#include "support/netns.h"

namespace confcast::net {
namespace {

using namespace std::chrono_literals;

#define RUN_IN_NETNS(body)                                           \
  do {                                                               \
    if (auto why = testing::RunInPrivateNetns(body); !why.empty()) { \
      GTEST_SKIP() << why;                                           \
    }                                                                \
  } while (0)

InterfaceChoice Loopback(const MulticastEndpoint& ep) {
  auto c = SelectInterface("lo", ep);
  EXPECT_TRUE(c) << c.error().message;
  return *c;
}

std::vector<std::uint8_t> Payload(std::uint8_t tag, std::size_t size) {
  return std::vector<std::uint8_t>(size, tag);
}

// Receives until `want` datagrams arrived or 5 s passed; returns their first bytes.
std::vector<std::uint8_t> ReceiveN(BatchReceiver& r, int fd, std::size_t want) {
  std::vector<std::uint8_t> tags;
  auto loop = EventLoop::Create().value();
  EXPECT_TRUE(loop->Watch(fd, [&] {
    auto batch = r.Receive(fd);
    ASSERT_TRUE(batch) << batch.error().message;
    for (const auto& d : *batch) {
      EXPECT_GT(d.arrival.count(), 0) << "no kernel timestamp";
      tags.push_back(d.data.empty() ? 0 : d.data[0]);
    }
    if (tags.size() >= want) loop->Stop();
  }));
  EXPECT_TRUE(loop->AddTimer(5s, 0ns, [&] { loop->Stop(); }));
  EXPECT_TRUE(loop->Run());
  return tags;
}

std::string ThreadProc(const char* file) {
  std::ifstream in(std::string("/proc/thread-self/net/") + file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Socket, SenderReachesTwoReceiversAndNotAnotherGroupOnThePort) {
  RUN_IN_NETNS([] {
    auto ep = *ParseEndpoint("239.0.0.11:15550");
    auto other = *ParseEndpoint("239.0.0.12:15550");
    auto iface = Loopback(ep);
    auto sender = SenderStream::Open(ep, iface);
    ASSERT_TRUE(sender) << sender.error().message;
    EXPECT_EQ(sender->local_rtp_port() % 2, 0);
    EXPECT_GE(sender->local_rtp_port(), 1024);
    auto other_sender = SenderStream::Open(other, iface, {.dscp = {}, .listen_rtcp = false});
    ASSERT_TRUE(other_sender);
    auto a = ReceiverStream::Open(ep, iface);
    auto b = ReceiverStream::Open(ep, iface);  // SO_REUSEADDR: two receivers on one host
    auto c = ReceiverStream::Open(other, iface);
    ASSERT_TRUE(a && b && c) << (a ? "" : a.error().message);

    std::vector<std::vector<std::uint8_t>> data;
    for (std::uint8_t i = 1; i <= 20; ++i) data.push_back(Payload(i, 100 + i));
    std::vector<std::span<const std::uint8_t>> views(data.begin(), data.end());
    auto sent = SendBatch(sender->rtp_fd(), views);
    ASSERT_TRUE(sent) << sent.error().message;
    EXPECT_EQ(*sent, 20u);
    auto one = SendOne(other_sender->rtp_fd(), Payload(99, 10));
    ASSERT_TRUE(one && *one);

    for (auto* r : {&*a, &*b}) {
      BatchReceiver rx(8);
      auto tags = ReceiveN(rx, r->rtp_fd(), 20);
      ASSERT_EQ(tags.size(), 20u);
      for (std::uint8_t i = 0; i < 20; ++i) EXPECT_EQ(tags[i], i + 1);
      EXPECT_EQ(rx.counters().datagrams, 20u);
      EXPECT_EQ(rx.counters().bytes, 20u * 100 + 210);
      EXPECT_EQ(rx.counters().truncated, 0u);
    }
    // The other group's receiver sees only its own datagram, though it shares the port and
    // everything before it was sent first.
    BatchReceiver rc;
    auto tags = ReceiveN(rc, c->rtp_fd(), 1);
    EXPECT_EQ(tags, std::vector<std::uint8_t>{99});
  });
}

TEST(Socket, SenderHearsFeedbackOnTheOddPort) {
  RUN_IN_NETNS([] {
    auto ep = *ParseEndpoint("239.0.0.11:15560");
    auto iface = Loopback(ep);
    auto sender = SenderStream::Open(ep, iface, {.local_port = 20000, .dscp = Dscp::kEf});
    ASSERT_TRUE(sender) << sender.error().message;
    EXPECT_EQ(sender->local_rtp_port(), 20000);
    ASSERT_NE(sender->rtcp_listener(), nullptr);
    int tos = 0;
    socklen_t len = sizeof tos;
    ASSERT_EQ(getsockopt(sender->rtp_fd(), IPPROTO_IP, IP_TOS, &tos, &len), 0);
    EXPECT_EQ(tos, 46 << 2);  // EF
    // A receiver's report goes to group:P+1 (sent here from a receiver-side sender socket).
    auto receiver_side = SenderStream::Open(ep, iface, {.dscp = {}, .listen_rtcp = false});
    ASSERT_TRUE(receiver_side);
    ASSERT_TRUE(SendOne(receiver_side->rtcp_fd(), Payload(0x81, 32)).value());
    BatchReceiver rx;
    auto tags = ReceiveN(rx, sender->rtcp_listener()->fd(), 1);
    EXPECT_EQ(tags, std::vector<std::uint8_t>{0x81});
  });
}

TEST(Socket, OddOrTakenLocalPortIsAnError) {
  RUN_IN_NETNS([] {
    auto ep = *ParseEndpoint("239.0.0.11:15550");
    auto iface = Loopback(ep);
    auto odd = SenderStream::Open(ep, iface, {.local_port = 20001, .dscp = {}});
    ASSERT_FALSE(odd);
    EXPECT_EQ(odd.error().code, ErrorCode::kOddPort);
    EXPECT_NE(odd.error().message.find("use 20000"), std::string::npos);
    auto first =
        SenderStream::Open(ep, iface, {.local_port = 20000, .dscp = {}, .listen_rtcp = false});
    ASSERT_TRUE(first);
    auto taken =
        SenderStream::Open(ep, iface, {.local_port = 20000, .dscp = {}, .listen_rtcp = false});
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().code, ErrorCode::kSystem);
    EXPECT_NE(taken.error().message.find("20000/20001"), std::string::npos);
  });
}

TEST(Socket, TruncatedDatagramsAreCountedAndDropped) {
  RUN_IN_NETNS([] {
    auto ep = *ParseEndpoint("239.0.0.11:15550");
    auto iface = Loopback(ep);
    auto sender = SenderStream::Open(ep, iface, {.dscp = {}, .listen_rtcp = false});
    auto r = ReceiverStream::Open(ep, iface);
    ASSERT_TRUE(sender && r);
    ASSERT_TRUE(SendOne(sender->rtp_fd(), Payload(1, 100)).value());
    ASSERT_TRUE(SendOne(sender->rtp_fd(), Payload(2, 10)).value());
    BatchReceiver rx(4, 64);
    auto tags = ReceiveN(rx, r->rtp_fd(), 1);
    EXPECT_EQ(tags, std::vector<std::uint8_t>{2});
    EXPECT_EQ(rx.counters().truncated, 1u);
    EXPECT_EQ(rx.counters().datagrams, 1u);
  });
}

TEST(Socket, KernelDropsAreCountedAndSmallBuffersWarn) {
  RUN_IN_NETNS([] {
    auto ep = *ParseEndpoint("239.0.0.11:15550");
    auto iface = Loopback(ep);
    auto sender = SenderStream::Open(ep, iface, {.dscp = {}, .listen_rtcp = false});
    ASSERT_TRUE(sender);
    auto small = GroupSocket::Open(ep, ep.RtpPort(), iface, {.receive_buffer_bytes = 4096});
    ASSERT_TRUE(small) << small.error().message;
    auto huge = GroupSocket::Open(ep, ep.RtpPort(), iface, {.receive_buffer_bytes = 1 << 30});
    ASSERT_TRUE(huge);
    ASSERT_FALSE(huge->warnings().empty());
    EXPECT_NE(huge->warnings()[0].find("sysctl -w net.core.rmem_max="), std::string::npos);
    // Far more than a 4 KB buffer holds, unread: the kernel must drop and say so.
    auto data = Payload(7, 1000);
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(SendOne(sender->rtp_fd(), data));
    // Loopback delivers synchronously, so all that fitted is queued: drain it. The kernel
    // stamps its running drop count on datagrams queued after drops, so send one more.
    BatchReceiver rx(64);
    auto drain = [&] {
      while (true) {
        auto batch = rx.Receive(small->fd());
        ASSERT_TRUE(batch);
        if (batch->empty()) break;
      }
    };
    drain();
    EXPECT_EQ(rx.counters().kernel_drops, 0u);
    ASSERT_TRUE(SendOne(sender->rtp_fd(), data));
    drain();
    EXPECT_GT(rx.counters().kernel_drops, 0u);
    EXPECT_GT(rx.counters().datagrams, 0u);
  });
}

TEST(Socket, JoinAndLeaveShowInProcNetIgmp) {
  RUN_IN_NETNS([] {
    auto ep = *ParseEndpoint("239.0.0.33:15550");
    auto iface = Loopback(ep);
    const std::string hex = "210000EF";  // 239.0.0.33 as /proc/net/igmp prints it
    EXPECT_EQ(ThreadProc("igmp").find(hex), std::string::npos);
    auto g = GroupSocket::Open(ep, ep.RtpPort(), iface, {});
    ASSERT_TRUE(g);
    EXPECT_TRUE(g->joined());
    EXPECT_NE(ThreadProc("igmp").find(hex), std::string::npos) << ThreadProc("igmp");
    ASSERT_TRUE(g->Leave());
    EXPECT_FALSE(g->joined());
    EXPECT_EQ(ThreadProc("igmp").find(hex), std::string::npos) << ThreadProc("igmp");
    {
      auto scoped = GroupSocket::Open(ep, ep.RtpPort(), iface, {});
      ASSERT_TRUE(scoped);
      EXPECT_NE(ThreadProc("igmp").find(hex), std::string::npos);
    }
    EXPECT_EQ(ThreadProc("igmp").find(hex), std::string::npos) << "destructor must leave";
  });
}

TEST(Socket, RejoinRenewsEveryMembershipAndKeepsReceiving) {
  // In parentheses: the braced lists below have commas the macro would split on.
  RUN_IN_NETNS(([] {
    auto ep = *ParseEndpoint("239.0.0.34:15550");
    auto iface = Loopback(ep);
    const std::string hex = "220000EF";  // 239.0.0.34
    auto sender = SenderStream::Open(ep, iface, {.dscp = {}, .listen_rtcp = false});
    auto rx = ReceiverStream::Open(ep, iface);
    auto unjoined = GroupSocket::Open(
        ep, ep.RtpPort(), iface, {.receive_buffer_bytes = kDefaultReceiveBuffer, .join = false});
    ASSERT_TRUE(sender && rx && unjoined);
    // The group's line lists its users: our RTP and RTCP sockets.
    auto users = [&] {
      const std::string igmp = ThreadProc("igmp");
      const auto at = igmp.find(hex);
      if (at == std::string::npos) return -1;
      return std::stoi(igmp.substr(at + hex.size()));
    };
    EXPECT_EQ(users(), 2) << ThreadProc("igmp");
    ASSERT_TRUE(rx->Rejoin());
    EXPECT_TRUE(rx->rtp().joined() && rx->rtcp().joined());
    EXPECT_EQ(users(), 2) << ThreadProc("igmp");
    GroupSocket* all[] = {&rx->rtp(), &rx->rtcp(), &*unjoined};
    ASSERT_TRUE(Rejoin(all));
    EXPECT_FALSE(unjoined->joined()) << "Rejoin must not join a socket that was not joined";
    EXPECT_EQ(users(), 2) << ThreadProc("igmp");
    auto one = SendOne(sender->rtp_fd(), Payload(7, 10));
    ASSERT_TRUE(one && *one);
    BatchReceiver r;
    EXPECT_EQ(ReceiveN(r, rx->rtp_fd(), 1), std::vector<std::uint8_t>{7});
    // After a Leave, Join is what brings the membership back.
    ASSERT_TRUE(rx->rtp().Leave());
    ASSERT_TRUE(rx->rtcp().Leave());
    EXPECT_EQ(users(), -1);
    ASSERT_TRUE(rx->rtp().Join());
    EXPECT_EQ(users(), 1);
  }));
}

}  // namespace
}  // namespace confcast::net
