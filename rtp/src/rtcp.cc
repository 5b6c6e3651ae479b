// RTCP owning values: conversion from views and serialization (RFC 3550 6.4-6.7, RFC 4585
// 6.1-6.3, RFC 5104 4.3.1).
//
// Every packet is written in two steps: a check that the value fits the wire format (counts in
// 5 bits, item lengths in 8 bits, word alignment), then a single pass writing into a span of
// exactly SerializedSize bytes. Nothing is padded with the P bit; SDES chunks and BYE reasons
// get the zero padding their own rules require (RFC 3550 6.5, 6.6).
#include "confcast/rtp/rtcp.h"

#include <algorithm>

namespace confcast::rtp {
namespace {

class Writer {
 public:
  explicit Writer(MutableBytes out) noexcept : out_(out) {}
  void U8(std::uint8_t v) noexcept { out_[pos_++] = v; }
  void U16(std::uint16_t v) noexcept {
    WriteU16(out_, pos_, v);
    pos_ += 2;
  }
  void U24(std::uint32_t v) noexcept {
    WriteU24(out_, pos_, v);
    pos_ += 3;
  }
  void U32(std::uint32_t v) noexcept {
    WriteU32(out_, pos_, v);
    pos_ += 4;
  }
  void U64(std::uint64_t v) noexcept {
    WriteU64(out_, pos_, v);
    pos_ += 8;
  }
  void Raw(std::span<const std::uint8_t> b) noexcept {
    std::copy(b.begin(), b.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ += b.size();
  }
  void Text(std::string_view s) noexcept {
    Raw({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  }
  void ZerosTo(std::size_t end) noexcept {
    std::fill(out_.begin() + static_cast<std::ptrdiff_t>(pos_),
              out_.begin() + static_cast<std::ptrdiff_t>(end), std::uint8_t{0});
    pos_ = end;
  }
  std::size_t pos() const noexcept { return pos_; }

 private:
  MutableBytes out_;
  std::size_t pos_ = 0;
};

void WriteBlock(Writer& w, const ReportBlock& b) noexcept {
  w.U32(b.ssrc);
  w.U8(b.fraction_lost);
  const std::int32_t lost = std::clamp(b.cumulative_lost, kMinCumulativeLost, kMaxCumulativeLost);
  w.U24(static_cast<std::uint32_t>(lost) & 0xFFFFFF);
  w.U32(b.extended_highest_seq);
  w.U32(b.jitter);
  w.U32(b.last_sr);
  w.U32(b.delay_since_last_sr);
}

// Per-type pieces: body size, validity, the header's count field and type, and the body.
using Check = std::expected<void, RtcpError>;
Check Fail(RtcpError e) {
  return std::unexpected(e);
}

Check CheckReport(const std::vector<ReportBlock>& blocks, const std::vector<std::uint8_t>& ext) {
  if (blocks.size() > kRtcpMaxCount) return Fail(RtcpError::kTooManyEntries);
  if (ext.size() % 4 != 0) return Fail(RtcpError::kUnaligned);
  return {};
}

std::size_t BodySize(const SenderReport& x) {
  return 24 + x.report_blocks.size() * kReportBlockSize + x.profile_extension.size();
}
Check Validate(const SenderReport& x) {
  return CheckReport(x.report_blocks, x.profile_extension);
}
std::size_t CountField(const SenderReport& x) {
  return x.report_blocks.size();
}
std::uint8_t TypeOf(const SenderReport&) {
  return kRtcpSr;
}
void WriteBody(const SenderReport& x, Writer& w) {
  w.U32(x.sender_ssrc);
  w.U64(x.ntp.value);
  w.U32(x.rtp_timestamp);
  w.U32(x.packet_count);
  w.U32(x.octet_count);
  for (const ReportBlock& b : x.report_blocks) WriteBlock(w, b);
  w.Raw(x.profile_extension);
}

std::size_t BodySize(const ReceiverReport& x) {
  return 4 + x.report_blocks.size() * kReportBlockSize + x.profile_extension.size();
}
Check Validate(const ReceiverReport& x) {
  return CheckReport(x.report_blocks, x.profile_extension);
}
std::size_t CountField(const ReceiverReport& x) {
  return x.report_blocks.size();
}
std::uint8_t TypeOf(const ReceiverReport&) {
  return kRtcpRr;
}
void WriteBody(const ReceiverReport& x, Writer& w) {
  w.U32(x.sender_ssrc);
  for (const ReportBlock& b : x.report_blocks) WriteBlock(w, b);
  w.Raw(x.profile_extension);
}

// A chunk is SSRC, items, then the END item and zero padding: one to four null octets.
std::size_t ChunkSize(const SdesChunk& c) {
  std::size_t items = 0;
  for (const SdesItem& i : c.items) items += 2 + i.value.size();
  return 4 + RoundUp4(items + 1);
}
std::size_t BodySize(const Sdes& x) {
  std::size_t n = 0;
  for (const SdesChunk& c : x.chunks) n += ChunkSize(c);
  return n;
}
Check Validate(const Sdes& x) {
  if (x.chunks.size() > kRtcpMaxCount) return Fail(RtcpError::kTooManyEntries);
  for (const SdesChunk& c : x.chunks) {
    for (const SdesItem& i : c.items) {
      if (i.type == 0) return Fail(RtcpError::kBadItemType);
      if (i.value.size() > 255) return Fail(RtcpError::kValueTooLong);
    }
  }
  return {};
}
std::size_t CountField(const Sdes& x) {
  return x.chunks.size();
}
std::uint8_t TypeOf(const Sdes&) {
  return kRtcpSdes;
}
void WriteBody(const Sdes& x, Writer& w) {
  for (const SdesChunk& c : x.chunks) {
    const std::size_t start = w.pos();
    w.U32(c.ssrc);
    for (const SdesItem& i : c.items) {
      w.U8(i.type);
      w.U8(static_cast<std::uint8_t>(i.value.size()));
      w.Text(i.value);
    }
    w.ZerosTo(start + ChunkSize(c));
  }
}

std::size_t BodySize(const Bye& x) {
  return x.ssrcs.size() * 4 + (x.reason.empty() ? 0 : RoundUp4(1 + x.reason.size()));
}
Check Validate(const Bye& x) {
  if (x.ssrcs.size() > kRtcpMaxCount) return Fail(RtcpError::kTooManyEntries);
  if (x.reason.size() > 255) return Fail(RtcpError::kValueTooLong);
  return {};
}
std::size_t CountField(const Bye& x) {
  return x.ssrcs.size();
}
std::uint8_t TypeOf(const Bye&) {
  return kRtcpBye;
}
void WriteBody(const Bye& x, Writer& w) {
  for (std::uint32_t ssrc : x.ssrcs) w.U32(ssrc);
  if (x.reason.empty()) return;
  const std::size_t start = w.pos();
  w.U8(static_cast<std::uint8_t>(x.reason.size()));
  w.Text(x.reason);
  w.ZerosTo(start + RoundUp4(1 + x.reason.size()));
}

std::size_t BodySize(const App& x) {
  return 8 + x.data.size();
}
Check Validate(const App& x) {
  if (x.subtype > kRtcpMaxCount) return Fail(RtcpError::kBadCountField);
  if (x.data.size() % 4 != 0) return Fail(RtcpError::kUnaligned);
  return {};
}
std::size_t CountField(const App& x) {
  return x.subtype;
}
std::uint8_t TypeOf(const App&) {
  return kRtcpApp;
}
void WriteBody(const App& x, Writer& w) {
  w.U32(x.ssrc);
  for (char c : x.name) w.U8(static_cast<std::uint8_t>(c));
  w.Raw(x.data);
}

std::size_t BodySize(const Nack& x) {
  return 8 + 4 * x.items.size();
}
Check Validate(const Nack&) {
  return {};
}
std::size_t CountField(const Nack&) {
  return kRtpfbNack;
}
std::uint8_t TypeOf(const Nack&) {
  return kRtcpRtpfb;
}
void WriteBody(const Nack& x, Writer& w) {
  w.U32(x.sender_ssrc);
  w.U32(x.media_ssrc);
  for (const NackItem& i : x.items) {
    w.U16(i.pid);
    w.U16(i.blp);
  }
}

std::size_t BodySize(const Pli&) {
  return 8;
}
Check Validate(const Pli&) {
  return {};
}
std::size_t CountField(const Pli&) {
  return kPsfbPli;
}
std::uint8_t TypeOf(const Pli&) {
  return kRtcpPsfb;
}
void WriteBody(const Pli& x, Writer& w) {
  w.U32(x.sender_ssrc);
  w.U32(x.media_ssrc);
}

std::size_t BodySize(const Fir& x) {
  return 8 + 8 * x.entries.size();
}
Check Validate(const Fir&) {
  return {};
}
std::size_t CountField(const Fir&) {
  return kPsfbFir;
}
std::uint8_t TypeOf(const Fir&) {
  return kRtcpPsfb;
}
void WriteBody(const Fir& x, Writer& w) {
  w.U32(x.sender_ssrc);
  w.U32(0);  // media source SSRC: unused, SHALL be 0 (RFC 5104 4.3.1.2)
  for (const FirEntry& e : x.entries) {
    w.U32(e.ssrc);
    w.U8(e.seq_nr);
    w.U24(0);
  }
}

std::size_t BodySize(const UnknownRtcpPacket& x) {
  return x.body.size();
}
Check Validate(const UnknownRtcpPacket& x) {
  if (x.count > kRtcpMaxCount) return Fail(RtcpError::kBadCountField);
  if (x.body.size() % 4 != 0) return Fail(RtcpError::kUnaligned);
  // Types the codec parses itself would come back as another value type.
  const bool known = (x.packet_type >= kRtcpSr && x.packet_type <= kRtcpApp) ||
                     (x.packet_type == kRtcpRtpfb && x.count == kRtpfbNack) ||
                     (x.packet_type == kRtcpPsfb && (x.count == kPsfbPli || x.count == kPsfbFir));
  if (known) return Fail(RtcpError::kReservedType);
  return {};
}
std::size_t CountField(const UnknownRtcpPacket& x) {
  return x.count;
}
std::uint8_t TypeOf(const UnknownRtcpPacket& x) {
  return x.packet_type;
}
void WriteBody(const UnknownRtcpPacket& x, Writer& w) {
  w.Raw(x.body);
}

template <typename T>
std::expected<std::size_t, RtcpError> SerializePacket(const T& x, MutableBytes out) noexcept {
  if (auto ok = Validate(x); !ok) return std::unexpected(ok.error());
  const std::size_t size = kRtcpHeaderSize + BodySize(x);
  if (size > kRtcpMaxPacketSize) return std::unexpected(RtcpError::kPacketTooLong);
  if (out.size() < size) return std::unexpected(RtcpError::kBufferTooSmall);
  Writer w(out.first(size));
  w.U8(static_cast<std::uint8_t>(0x80 | CountField(x)));  // V=2, P=0
  w.U8(TypeOf(x));
  w.U16(static_cast<std::uint16_t>(size / 4 - 1));
  WriteBody(x, w);
  return size;
}

std::vector<ReportBlock> Blocks(const WireList<ReportBlock>& list) {
  std::vector<ReportBlock> out;
  out.reserve(list.size());
  for (ReportBlock b : list) out.push_back(b);
  return out;
}
std::vector<std::uint8_t> Copy(Bytes b) {
  return {b.begin(), b.end()};
}

template <typename T>
RtcpCompound Split(T first) {
  RtcpCompound out;
  std::vector<ReportBlock> rest;
  if (first.report_blocks.size() > kRtcpMaxCount) {
    rest.assign(first.report_blocks.begin() + kRtcpMaxCount, first.report_blocks.end());
    first.report_blocks.resize(kRtcpMaxCount);
  }
  const std::uint32_t ssrc = first.sender_ssrc;
  out.emplace_back(std::move(first));
  for (std::size_t i = 0; i < rest.size(); i += kRtcpMaxCount) {
    ReceiverReport rr;
    rr.sender_ssrc = ssrc;
    const std::size_t n = std::min(kRtcpMaxCount, rest.size() - i);
    rr.report_blocks.assign(rest.begin() + static_cast<std::ptrdiff_t>(i),
                            rest.begin() + static_cast<std::ptrdiff_t>(i + n));
    out.emplace_back(std::move(rr));
  }
  return out;
}

}  // namespace

const std::string* SdesChunk::Find(SdesType type) const noexcept {
  for (const SdesItem& i : items) {
    if (i.type == static_cast<std::uint8_t>(type)) return &i.value;
  }
  return nullptr;
}

SenderReport ToValue(const SenderReportView& v) {
  return SenderReport{v.sender_ssrc,
                      v.ntp,
                      v.rtp_timestamp,
                      v.packet_count,
                      v.octet_count,
                      Blocks(v.report_blocks),
                      Copy(v.profile_extension)};
}
ReceiverReport ToValue(const ReceiverReportView& v) {
  return ReceiverReport{v.sender_ssrc, Blocks(v.report_blocks), Copy(v.profile_extension)};
}
Sdes ToValue(const SdesView& v) {
  Sdes out;
  out.chunks.reserve(v.chunk_count);
  SdesChunkCursor chunks = v.Chunks();
  while (auto c = chunks.Next()) {
    SdesChunk& chunk = out.chunks.emplace_back();
    chunk.ssrc = c->ssrc;
    SdesItemCursor items = c->Items();
    while (auto i = items.Next()) chunk.items.push_back({i->type, std::string(i->value)});
  }
  return out;
}
Bye ToValue(const ByeView& v) {
  Bye out;
  out.ssrcs.reserve(v.ssrcs.size());
  for (std::uint32_t ssrc : v.ssrcs) out.ssrcs.push_back(ssrc);
  out.reason = std::string(v.reason);
  return out;
}
App ToValue(const AppView& v) {
  return App{v.subtype, v.ssrc, v.name, Copy(v.data)};
}
Nack ToValue(const NackView& v) {
  Nack out{v.sender_ssrc, v.media_ssrc, {}};
  out.items.reserve(v.items.size());
  for (NackItem i : v.items) out.items.push_back(i);
  return out;
}
Pli ToValue(const PliView& v) {
  return Pli{v.sender_ssrc, v.media_ssrc};
}
Fir ToValue(const FirView& v) {
  Fir out{v.sender_ssrc, {}};
  out.entries.reserve(v.entries.size());
  for (FirEntry e : v.entries) out.entries.push_back(e);
  return out;
}
UnknownRtcpPacket ToValue(const RtcpPacketView& v) {
  return UnknownRtcpPacket{v.packet_type, v.count, Copy(v.body)};
}
RtcpPacket ToValue(const RtcpView& v) {
  return std::visit([](const auto& view) { return RtcpPacket(ToValue(view)); }, v);
}

std::expected<RtcpCompound, RtcpError> ParseRtcp(Bytes datagram, RtcpParseOptions options) {
  auto compound = ParseRtcpCompound(datagram, options);
  if (!compound) return std::unexpected(compound.error());
  RtcpCompound out;
  out.reserve(compound->packet_count());
  for (RtcpPacketView p : *compound) {
    auto typed = ParseRtcpView(p);
    if (!typed) return std::unexpected(typed.error());  // validated already; kept for safety
    out.push_back(ToValue(*typed));
  }
  return out;
}

std::expected<RtcpPacket, RtcpError> ParseRtcpPacket(Bytes packet) {
  auto compound = ParseRtcp(packet, {.strict = false});
  if (!compound) return std::unexpected(compound.error());
  if (compound->size() != 1) return std::unexpected(RtcpError::kLengthMismatch);
  return std::move(compound->front());
}

std::size_t SerializedSize(const SenderReport& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const ReceiverReport& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const Sdes& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const Bye& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const App& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const Nack& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const Pli& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const Fir& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const UnknownRtcpPacket& x) noexcept {
  return 4 + BodySize(x);
}
std::size_t SerializedSize(const RtcpPacket& x) noexcept {
  return std::visit([](const auto& p) { return SerializedSize(p); }, x);
}
std::size_t SerializedSize(std::span<const RtcpPacket> compound) noexcept {
  std::size_t n = 0;
  for (const RtcpPacket& p : compound) n += SerializedSize(p);
  return n;
}

std::expected<std::size_t, RtcpError> SerializeTo(const SenderReport& x,
                                                  MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const ReceiverReport& x,
                                                  MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const Sdes& x, MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const Bye& x, MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const App& x, MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const Nack& x, MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const Pli& x, MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const Fir& x, MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const UnknownRtcpPacket& x,
                                                  MutableBytes out) noexcept {
  return SerializePacket(x, out);
}
std::expected<std::size_t, RtcpError> SerializeTo(const RtcpPacket& x, MutableBytes out) noexcept {
  return std::visit([out](const auto& p) { return SerializePacket(p, out); }, x);
}
std::expected<std::size_t, RtcpError> SerializeTo(std::span<const RtcpPacket> compound,
                                                  MutableBytes out) noexcept {
  std::size_t pos = 0;
  for (const RtcpPacket& p : compound) {
    auto n = SerializeTo(p, out.subspan(pos));
    if (!n) return std::unexpected(n.error());
    pos += *n;
  }
  return pos;
}

RtcpCompound SplitReportBlocks(SenderReport report) {
  return Split(std::move(report));
}
RtcpCompound SplitReportBlocks(ReceiverReport report) {
  return Split(std::move(report));
}

}  // namespace confcast::rtp
