// Allocation-free RTCP parsing (RFC 3550 6 and A.2, RFC 4585 6.2.1 and 6.3.1, RFC 5104 4.3.1).
//
// Framing: each packet starts with a 4-byte common header
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|  count  |      PT       |             length            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// whose length is the packet size in 32-bit words minus one. The compound walk follows the
// A.2 sketch (version 2, first packet SR/RR, padding only on the last packet, lengths summing
// to the datagram) but checks every length against the remaining bytes before stepping, and
// additionally validates each known packet's contents so that a validated compound can be
// iterated without further error paths. Padding counts must be non-zero multiples of 4 that
// fit in the packet body: RTCP packets are 32-bit aligned, so anything else is corruption.
#include "confcast/rtp/rtcp_view.h"

#include <algorithm>

namespace confcast::rtp {
namespace {

// Frames the packet at the start of `rest` (at least 4 bytes). Checks the version, the length
// against the datagram, optionally that a padded packet is the last one, and the padding count.
std::expected<RtcpPacketView, RtcpError> FramePacket(Bytes rest,
                                                     bool padding_only_last = false) noexcept {
  if ((rest[0] >> 6) != 2) return std::unexpected(RtcpError::kBadVersion);
  const std::size_t size = (std::size_t{ReadU16(rest, 2)} + 1) * 4;
  if (size > rest.size()) return std::unexpected(RtcpError::kLengthOverrun);
  if (padding_only_last && (rest[0] & 0x20) != 0 && size != rest.size()) {
    return std::unexpected(RtcpError::kPaddingNotLast);
  }
  RtcpPacketView p;
  p.padding = (rest[0] & 0x20) != 0;
  p.count = rest[0] & 0x1F;
  p.packet_type = rest[1];
  p.packet = rest.first(size);
  p.body = p.packet.subspan(kRtcpHeaderSize);
  if (p.padding) {
    const std::size_t pad = p.packet.back();
    if (pad == 0 || pad % 4 != 0 || pad > p.body.size()) {
      return std::unexpected(RtcpError::kBadPadding);
    }
    p.body = p.body.first(p.body.size() - pad);
  }
  return p;
}

std::expected<void, RtcpError> CheckType(const RtcpPacketView& p, std::uint8_t type) noexcept {
  if (p.packet_type != type) return std::unexpected(RtcpError::kWrongType);
  return {};
}

// Checks the items of one SDES chunk starting at `pos` (after its SSRC); returns the offset of
// its END item and moves `pos` past the chunk padding (RFC 3550 6.5: the item list ends with
// one or more null octets, then padding to the next 32-bit boundary).
std::expected<std::size_t, RtcpError> WalkSdesItems(Bytes body, std::size_t& pos) noexcept {
  while (true) {
    if (pos >= body.size()) return std::unexpected(RtcpError::kItemOverrun);
    if (body[pos] == 0) {
      const std::size_t end = pos;
      pos = RoundUp4(pos + 1);
      if (pos > body.size()) return std::unexpected(RtcpError::kItemOverrun);
      return end;
    }
    if (body.size() - pos < 2) return std::unexpected(RtcpError::kItemOverrun);
    const std::size_t len = body[pos + 1];
    if (body.size() - pos - 2 < len) return std::unexpected(RtcpError::kItemOverrun);
    pos += 2 + len;
  }
}

}  // namespace

ReportBlock WireTraits<ReportBlock>::Read(Bytes b) noexcept {
  ReportBlock r;
  r.ssrc = ReadU32(b, 0);
  r.fraction_lost = b[4];
  // 24-bit two's complement: shift into the top of an int32 and back to sign-extend.
  r.cumulative_lost = static_cast<std::int32_t>(ReadU24(b, 5) << 8) >> 8;
  r.extended_highest_seq = ReadU32(b, 8);
  r.jitter = ReadU32(b, 12);
  r.last_sr = ReadU32(b, 16);
  r.delay_since_last_sr = ReadU32(b, 20);
  return r;
}

std::optional<SdesItemView> SdesItemCursor::Next() noexcept {
  if (pos_ + 2 > items_.size()) return std::nullopt;
  const std::size_t len = items_[pos_ + 1];
  if (items_.size() - pos_ - 2 < len) return std::nullopt;  // never on a validated chunk
  SdesItemView item;
  item.type = items_[pos_];
  item.value = std::string_view(reinterpret_cast<const char*>(items_.data() + pos_ + 2), len);
  pos_ += 2 + len;
  return item;
}

std::optional<std::string_view> SdesChunkView::Find(SdesType type) const noexcept {
  SdesItemCursor cursor = Items();
  while (auto item = cursor.Next()) {
    if (item->type == static_cast<std::uint8_t>(type)) return item->value;
  }
  return std::nullopt;
}

std::optional<SdesChunkView> SdesChunkCursor::Next() noexcept {
  if (remaining_ == 0 || body_.size() - pos_ < 4) return std::nullopt;
  SdesChunkView chunk;
  chunk.ssrc = ReadU32(body_, pos_);
  std::size_t pos = pos_ + 4;
  const auto end = WalkSdesItems(body_, pos);
  if (!end) return std::nullopt;  // never on a validated packet
  chunk.items = body_.subspan(pos_ + 4, *end - pos_ - 4);
  pos_ = pos;
  --remaining_;
  return chunk;
}

std::expected<SenderReportView, RtcpError> ParseSenderReport(const RtcpPacketView& p) noexcept {
  if (auto ok = CheckType(p, kRtcpSr); !ok) return std::unexpected(ok.error());
  //   SSRC of sender | NTP sec | NTP frac | RTP timestamp | packet count | octet count
  constexpr std::size_t kFixed = 24;
  if (p.body.size() < kFixed) return std::unexpected(RtcpError::kPacketTooShort);
  const std::size_t blocks = std::size_t{p.count} * kReportBlockSize;
  if (p.body.size() - kFixed < blocks) return std::unexpected(RtcpError::kCountOverrun);
  SenderReportView v;
  v.sender_ssrc = ReadU32(p.body, 0);
  v.ntp = NtpTime{ReadU64(p.body, 4)};
  v.rtp_timestamp = ReadU32(p.body, 12);
  v.packet_count = ReadU32(p.body, 16);
  v.octet_count = ReadU32(p.body, 20);
  v.report_blocks = WireList<ReportBlock>(p.body.subspan(kFixed, blocks));
  v.profile_extension = p.body.subspan(kFixed + blocks);
  return v;
}

std::expected<ReceiverReportView, RtcpError> ParseReceiverReport(const RtcpPacketView& p) noexcept {
  if (auto ok = CheckType(p, kRtcpRr); !ok) return std::unexpected(ok.error());
  constexpr std::size_t kFixed = 4;  // SSRC of packet sender
  if (p.body.size() < kFixed) return std::unexpected(RtcpError::kPacketTooShort);
  const std::size_t blocks = std::size_t{p.count} * kReportBlockSize;
  if (p.body.size() - kFixed < blocks) return std::unexpected(RtcpError::kCountOverrun);
  ReceiverReportView v;
  v.sender_ssrc = ReadU32(p.body, 0);
  v.report_blocks = WireList<ReportBlock>(p.body.subspan(kFixed, blocks));
  v.profile_extension = p.body.subspan(kFixed + blocks);
  return v;
}

std::expected<SdesView, RtcpError> ParseSdes(const RtcpPacketView& p) noexcept {
  if (auto ok = CheckType(p, kRtcpSdes); !ok) return std::unexpected(ok.error());
  std::size_t pos = 0;
  for (std::size_t c = 0; c < p.count; ++c) {
    if (pos == p.body.size()) return std::unexpected(RtcpError::kCountOverrun);
    if (p.body.size() - pos < 4) return std::unexpected(RtcpError::kItemOverrun);
    pos += 4;
    if (auto end = WalkSdesItems(p.body, pos); !end) return std::unexpected(end.error());
  }
  // Bytes after the last counted chunk are ignored, as A.2 ignores anything it does not need.
  return SdesView{p.count, p.body};
}

std::expected<ByeView, RtcpError> ParseBye(const RtcpPacketView& p) noexcept {
  if (auto ok = CheckType(p, kRtcpBye); !ok) return std::unexpected(ok.error());
  const std::size_t ssrc_bytes = std::size_t{p.count} * 4;
  if (p.body.size() < ssrc_bytes) return std::unexpected(RtcpError::kCountOverrun);
  ByeView v;
  v.ssrcs = WireList<std::uint32_t>(p.body.first(ssrc_bytes));
  const Bytes rest = p.body.subspan(ssrc_bytes);
  if (!rest.empty()) {
    // length octet, reason text, zero padding to the next 32-bit boundary (RFC 3550 6.6).
    const std::size_t len = rest[0];
    if (rest.size() - 1 < len) return std::unexpected(RtcpError::kReasonOverrun);
    v.reason = std::string_view(reinterpret_cast<const char*>(rest.data() + 1), len);
  }
  return v;
}

std::expected<AppView, RtcpError> ParseApp(const RtcpPacketView& p) noexcept {
  if (auto ok = CheckType(p, kRtcpApp); !ok) return std::unexpected(ok.error());
  if (p.body.size() < 8) return std::unexpected(RtcpError::kPacketTooShort);  // SSRC + name
  AppView v;
  v.subtype = p.count;
  v.ssrc = ReadU32(p.body, 0);
  std::copy_n(p.body.begin() + 4, 4, v.name.begin());
  v.data = p.body.subspan(8);
  return v;
}

namespace {
// Feedback common part (RFC 4585 6.1): SSRC of packet sender, SSRC of media source, FCI.
std::expected<void, RtcpError> CheckFeedback(const RtcpPacketView& p, std::uint8_t type,
                                             std::uint8_t fmt) noexcept {
  if (p.packet_type != type || p.count != fmt) return std::unexpected(RtcpError::kWrongType);
  if (p.body.size() < 8) return std::unexpected(RtcpError::kPacketTooShort);
  return {};
}
}  // namespace

std::expected<NackView, RtcpError> ParseNack(const RtcpPacketView& p) noexcept {
  if (auto ok = CheckFeedback(p, kRtcpRtpfb, kRtpfbNack); !ok) return std::unexpected(ok.error());
  // The body is a whole number of words, so the FCI is a whole number of 4-byte entries.
  return NackView{ReadU32(p.body, 0), ReadU32(p.body, 4), WireList<NackItem>(p.body.subspan(8))};
}

std::expected<PliView, RtcpError> ParsePli(const RtcpPacketView& p) noexcept {
  if (auto ok = CheckFeedback(p, kRtcpPsfb, kPsfbPli); !ok) return std::unexpected(ok.error());
  // PLI has no FCI (RFC 4585 6.3.1); anything after the SSRCs is ignored.
  return PliView{ReadU32(p.body, 0), ReadU32(p.body, 4)};
}

std::expected<FirView, RtcpError> ParseFir(const RtcpPacketView& p) noexcept {
  if (auto ok = CheckFeedback(p, kRtcpPsfb, kPsfbFir); !ok) return std::unexpected(ok.error());
  const Bytes fci = p.body.subspan(8);
  if (fci.size() % WireTraits<FirEntry>::kSize != 0) {
    return std::unexpected(RtcpError::kBadFciLength);
  }
  // The media source SSRC is unused in FIR and SHALL be 0 (RFC 5104 4.3.1.2); not kept.
  return FirView{ReadU32(p.body, 0), WireList<FirEntry>(fci)};
}

std::expected<RtcpView, RtcpError> ParseRtcpView(const RtcpPacketView& p) noexcept {
  auto wrap = [](auto parsed) -> std::expected<RtcpView, RtcpError> {
    if (!parsed) return std::unexpected(parsed.error());
    return RtcpView(*parsed);
  };
  switch (p.packet_type) {
    case kRtcpSr:
      return wrap(ParseSenderReport(p));
    case kRtcpRr:
      return wrap(ParseReceiverReport(p));
    case kRtcpSdes:
      return wrap(ParseSdes(p));
    case kRtcpBye:
      return wrap(ParseBye(p));
    case kRtcpApp:
      return wrap(ParseApp(p));
    case kRtcpRtpfb:
      if (p.count == kRtpfbNack) return wrap(ParseNack(p));
      break;
    case kRtcpPsfb:
      if (p.count == kPsfbPli) return wrap(ParsePli(p));
      if (p.count == kPsfbFir) return wrap(ParseFir(p));
      break;
    default:
      break;
  }
  return RtcpView(p);  // unknown types are kept, not rejected (RFC 3550 6.1)
}

RtcpPacketView RtcpCompoundView::Iterator::operator*() const noexcept {
  // Only reachable on a validated compound, where framing cannot fail.
  auto p = FramePacket(rest_);
  return p ? *p : RtcpPacketView{};
}

RtcpCompoundView::Iterator& RtcpCompoundView::Iterator::operator++() noexcept {
  const std::size_t size = (std::size_t{ReadU16(rest_, 2)} + 1) * 4;
  rest_ = rest_.subspan(std::min(size, rest_.size()));
  return *this;
}

std::expected<RtcpCompoundView, RtcpError> ParseRtcpCompound(Bytes datagram,
                                                             RtcpParseOptions options) noexcept {
  if (datagram.empty()) return std::unexpected(RtcpError::kEmpty);
  if (datagram.size() < kRtcpHeaderSize) return std::unexpected(RtcpError::kTooShort);
  RtcpCompoundView view;
  Bytes rest = datagram;
  while (!rest.empty()) {
    if (rest.size() < kRtcpHeaderSize) return std::unexpected(RtcpError::kLengthMismatch);
    auto p = FramePacket(rest, options.strict);
    if (!p) return std::unexpected(p.error());
    const bool first = rest.size() == datagram.size();
    if (options.strict && first && p->packet_type != kRtcpSr && p->packet_type != kRtcpRr) {
      return std::unexpected(RtcpError::kFirstNotReport);
    }
    if (auto typed = ParseRtcpView(*p); !typed) return std::unexpected(typed.error());
    ++view.packet_count_;
    rest = rest.subspan(p->packet.size());
  }
  view.data_ = datagram;
  return view;
}

}  // namespace confcast::rtp
