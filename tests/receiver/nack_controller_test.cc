// NackController: RTX recognition and association (FID, CNAME, single stream), restore, and
// NACK scheduling per media SSRC with suppression by heard NACKs.
#include "nack_controller.h"

#include <confcast/rtp/packet.h>
#include <confcast/rtp/rtx.h>
#include <gtest/gtest.h>

namespace confcast::receiver {
namespace {

using std::chrono::microseconds;

rtp::Timestamp Us(std::int64_t us) {
  return rtp::Timestamp{us};
}

std::vector<std::uint8_t> Media(std::uint32_t ssrc, std::uint16_t seq) {
  rtp::RtpPacket p;
  p.payload_type = 96;
  p.sequence_number = seq;
  p.ssrc = ssrc;
  p.payload = {1, 2, 3};
  return rtp::Serialize(p);
}

std::vector<std::uint8_t> Rtx(std::uint32_t rtx_ssrc, std::uint32_t media_ssrc, std::uint16_t seq) {
  const auto media = Media(media_ssrc, seq);
  return rtp::BuildRtx(*rtp::ParseRtp(media), {rtx_ssrc, 97, 500});
}

NackControllerConfig Config() {
  NackControllerConfig c;
  c.tracker.reorder_window = microseconds(2'000);
  c.tracker.suppression_window = microseconds(3'000);
  return c;
}

TEST(NackController, RecognisesRtxByPayloadTypeOrFid) {
  NackController n(Config());
  auto rtx = Rtx(0x2, 0x1, 5);
  EXPECT_TRUE(n.IsRtx(*rtp::ParseRtp(rtx)));
  auto media = Media(0x1, 5);
  EXPECT_FALSE(n.IsRtx(*rtp::ParseRtp(media)));
  n.AddFid(0x1, 0x3);
  auto other = Media(0x3, 5);  // an SDP-declared RTX SSRC, whatever its payload type
  EXPECT_TRUE(n.IsRtx(*rtp::ParseRtp(other)));
}

TEST(NackController, SingleStreamNeedsNoSdes) {
  NackController n(Config());
  EXPECT_EQ(n.Restore(Rtx(0x2, 0x1, 5)).error(), RtxDrop::kUnknownMedia);
  n.AddMedia(0x1);
  auto r = n.Restore(Rtx(0x2, 0x1, 5));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->media_ssrc, 0x1u);
  EXPECT_EQ(r->seq, 5);
  EXPECT_EQ(r->bytes, Media(0x1, 5));
}

TEST(NackController, TwoStreamsAreToldApartByCname) {
  NackController n(Config());
  n.AddMedia(0x1);
  n.AddMedia(0x5);
  EXPECT_EQ(n.Restore(Rtx(0x6, 0x5, 9)).error(), RtxDrop::kUnknownMedia);
  n.OnCname(0x1, "alice@a");
  n.OnCname(0x5, "bob@b");
  n.OnCname(0x6, "bob@b");
  auto r = n.Restore(Rtx(0x6, 0x5, 9));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->media_ssrc, 0x5u);
  EXPECT_EQ(r->bytes, Media(0x5, 9));
  EXPECT_EQ(n.rtx_unresolved(), 1u);
}

TEST(NackController, MalformedRtxIsCountedNotCrashed) {
  NackController n(Config());
  n.AddMedia(0x1);
  const std::uint8_t no_osn[] = {0x80, 0x61, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0x12};
  EXPECT_EQ(n.Restore(no_osn).error(), RtxDrop::kMalformed);
  EXPECT_EQ(n.rtx_malformed(), 1u);
}

TEST(NackController, NacksPerStreamAndHonoursHeardNacks) {
  NackController n(Config());
  n.AddMedia(0x1);
  n.AddMedia(0x5);
  for (int s : {10, 11, 13}) n.OnMedia(0x1, static_cast<std::uint16_t>(s), true, Us(0));
  for (int s : {20, 22}) n.OnMedia(0x5, static_cast<std::uint16_t>(s), true, Us(0));
  // Another receiver already asked for 0x5's packet 21.
  n.OnNackHeard(rtp::Nack{0x77, 0x5, rtp::BuildNackItems(std::vector<std::uint16_t>{21})},
                Us(1'000));
  auto due = n.Process(Us(2'000), 0.0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].media_ssrc, 0x1u);
  EXPECT_EQ(due[0].seqs, (std::vector<std::uint16_t>{12}));
  EXPECT_EQ(due[0].items, (std::vector<rtp::NackItem>{{12, 0}}));
  EXPECT_EQ(n.TrackerFor(0x5)->stats().nacks_suppressed, 1u);
  EXPECT_TRUE(n.OnRecovered(0x1, 12, Us(3'000), rtp::Repair::kRetransmission));
  EXPECT_EQ(n.TrackerFor(0x1)->stats().recovered, 1u);
  EXPECT_FALSE(n.OnRecovered(0x1, 12, Us(3'000), rtp::Repair::kRetransmission));  // not missing (any more)
  n.Forget(0x1);
  EXPECT_EQ(n.TrackerFor(0x1), nullptr);
}

TEST(NackController, NackOffSendsNothingButStillRestores) {
  NackControllerConfig c = Config();
  c.send_nacks = false;
  NackController n(c);
  n.AddMedia(0x1);
  for (int s : {10, 11, 13}) n.OnMedia(0x1, static_cast<std::uint16_t>(s), true, Us(0));
  EXPECT_TRUE(n.Process(Us(100'000), 0.0).empty());
  EXPECT_TRUE(n.Restore(Rtx(0x2, 0x1, 12)));
}

TEST(NackController, ATailWithoutItsMarkerIsNackedAfterTheTailWait) {
  NackController n(Config());
  n.AddMedia(0x1);
  n.OnMedia(0x1, 10, true, Us(0));
  n.OnMedia(0x1, 11, false, Us(0));  // a frame's first packet, its rest never comes
  EXPECT_TRUE(n.Process(Us(2'999), 0.0).empty());
  auto due = n.Process(Us(3'000), 0.0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].seqs, (std::vector<std::uint16_t>{12}));
  EXPECT_TRUE(n.Process(Us(3'100), 0.0).empty());  // suspected once
  // A frame that ended with its marker is not suspected.
  n.OnMedia(0x1, 12, true, Us(4'000));
  EXPECT_TRUE(n.Process(Us(100'000), 0.0).empty());
}

}  // namespace
}  // namespace confcast::receiver

namespace confcast::receiver {
namespace {

TEST(NackController, ForgetDropsTheLeaversRtxPairingAndCnames) {
  // People come and go for days: after each leaves nothing of theirs stays.
  NackController n(Config());
  for (std::uint32_t i = 0; i < 500; ++i) {
    const std::uint32_t media = 0x1000 + 2 * i, rtx = media + 1;
    const std::string cname = "user" + std::to_string(i) + "@host";
    n.AddMedia(media);
    n.OnCname(media, cname);
    n.OnCname(rtx, cname);
    n.AddFid(media, rtx);
    EXPECT_TRUE(n.IsRtx(*rtp::ParseRtp(Media(rtx, 5))));
    n.Forget(media);
    EXPECT_FALSE(n.IsRtx(*rtp::ParseRtp(Media(rtx, 5)))) << "pairing of a leaver kept";
  }
  EXPECT_EQ(n.remembered(), 0u);
  // Someone who stays keeps theirs when another with another CNAME leaves.
  n.AddMedia(0x1);
  n.OnCname(0x1, "stays");
  n.OnCname(0x3, "stays");
  n.AddFid(0x1, 0x3);
  n.AddMedia(0x5);
  n.OnCname(0x5, "leaves");
  n.Forget(0x5);
  EXPECT_EQ(n.remembered(), 3u);
  EXPECT_TRUE(n.IsRtx(*rtp::ParseRtp(Media(0x3, 5))));
}

TEST(NackController, AFecRebuiltTailIsNotNackedLater) {
  NackController n(Config());
  n.AddMedia(0x1);
  n.OnMedia(0x1, 10, false, Us(0));
  n.OnMedia(0x1, 11, false, Us(100));  // 12, the frame's last packet, was lost...
  // ...and FEC rebuilt it before any newer packet showed the gap: fed as media (receive_path).
  EXPECT_FALSE(n.OnRecovered(0x1, 12, Us(300), rtp::Repair::kRetransmission));
  n.OnMedia(0x1, 12, true, Us(300));
  n.OnMedia(0x1, 13, false, Us(33'000));  // the next frame
  n.OnMedia(0x1, 14, true, Us(33'100));
  EXPECT_TRUE(n.Process(Us(60'000), 0.0).empty());
  EXPECT_EQ(n.TrackerFor(0x1)->stats().gaps_detected, 0u);
}

}  // namespace
}  // namespace confcast::receiver
