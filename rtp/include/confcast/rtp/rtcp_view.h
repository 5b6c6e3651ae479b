// Allocation-free RTCP parsing: views that borrow the datagram.
//
// ParseRtcpCompound walks the compound once (RFC 3550 A.2: version, lengths adding up to the
// datagram, padding, and in strict mode SR/RR first and padding only on the last packet) and
// also validates the contents of every packet type it knows, so iterating a returned
// RtcpCompoundView cannot meet a malformed packet. Each RtcpPacketView is then turned into a
// typed view with ParseRtcpView (or ParseSenderReport, ParseSdes, ...). Lists inside packets
// (report blocks, SSRCs, FCI entries) are WireList views that decode one entry at a time; SDES
// chunks and items are walked with cursors. Nothing here allocates.
//
//   auto compound = ParseRtcpCompound(datagram);
//   if (!compound) { count(compound.error()); return; }
//   for (RtcpPacketView p : *compound) {
//     auto typed = ParseRtcpView(p);  // cannot fail after ParseRtcpCompound succeeded
//     if (auto* sr = std::get_if<SenderReportView>(&*typed)) { ... }
//   }
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>
#include <variant>

#include "confcast/rtp/bytes.h"
#include "confcast/rtp/report_block.h"
#include "confcast/rtp/rtcp_common.h"
#include "confcast/rtp/time.h"

namespace confcast::rtp {

// How fixed-size wire entries are decoded (specialized for ReportBlock, SSRCs, NACK, FIR).
template <typename T>
struct WireTraits;
template <>
struct WireTraits<ReportBlock> {
  static constexpr std::size_t kSize = kReportBlockSize;
  static ReportBlock Read(Bytes b) noexcept;
};
template <>
struct WireTraits<std::uint32_t> {
  static constexpr std::size_t kSize = 4;
  static std::uint32_t Read(Bytes b) noexcept { return ReadU32(b, 0); }
};
template <>
struct WireTraits<NackItem> {
  static constexpr std::size_t kSize = 4;
  static NackItem Read(Bytes b) noexcept { return {ReadU16(b, 0), ReadU16(b, 2)}; }
};
template <>
struct WireTraits<FirEntry> {
  static constexpr std::size_t kSize = 8;  // SSRC, seq nr, 24 reserved bits
  static FirEntry Read(Bytes b) noexcept { return {ReadU32(b, 0), b[4]}; }
};

// A run of fixed-size entries in the datagram, decoded on access.
template <typename T>
class WireList {
 public:
  static constexpr std::size_t kEntrySize = WireTraits<T>::kSize;
  class Iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Iterator(const WireList* list, std::size_t i) : list_(list), i_(i) {}
    T operator*() const { return (*list_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++i_;
      return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.i_ == b.i_; }

   private:
    const WireList* list_ = nullptr;
    std::size_t i_ = 0;
  };

  WireList() = default;
  // `data` must hold a whole number of entries (the parsers guarantee it).
  explicit WireList(Bytes data) noexcept : data_(data) {}
  std::size_t size() const noexcept { return data_.size() / kEntrySize; }
  bool empty() const noexcept { return size() == 0; }
  T operator[](std::size_t i) const noexcept {
    return WireTraits<T>::Read(data_.subspan(i * kEntrySize, kEntrySize));
  }
  Iterator begin() const noexcept { return Iterator(this, 0); }
  Iterator end() const noexcept { return Iterator(this, size()); }
  Bytes bytes() const noexcept { return data_; }

 private:
  Bytes data_;
};

// One packet of a compound, framed but not interpreted.
struct RtcpPacketView {
  std::uint8_t packet_type = 0;
  std::uint8_t count = 0;  // the 5-bit field: RC, SC, FMT or APP subtype
  bool padding = false;
  Bytes packet;  // the whole packet as on the wire, header and padding included
  Bytes body;    // after the 4-byte common header, padding removed
};

struct SenderReportView {
  std::uint32_t sender_ssrc = 0;
  NtpTime ntp;
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
  WireList<ReportBlock> report_blocks;
  Bytes profile_extension;  // whatever follows the report blocks (RFC 3550 6.4.1)
};

struct ReceiverReportView {
  std::uint32_t sender_ssrc = 0;
  WireList<ReportBlock> report_blocks;
  Bytes profile_extension;
};

struct SdesItemView {
  std::uint8_t type = 0;  // an SdesType value, or any other non-zero type
  std::string_view value;
};

// Walks the items of one validated chunk.
class SdesItemCursor {
 public:
  SdesItemCursor() = default;
  explicit SdesItemCursor(Bytes items) noexcept : items_(items) {}
  std::optional<SdesItemView> Next() noexcept;

 private:
  Bytes items_;  // from the first item up to (not including) the END item
  std::size_t pos_ = 0;
};

struct SdesChunkView {
  std::uint32_t ssrc = 0;
  Bytes items;  // item bytes without the END item and chunk padding
  SdesItemCursor Items() const noexcept { return SdesItemCursor(items); }
  // The first item of this type, if any (CNAME, NAME, TOOL, ...).
  std::optional<std::string_view> Find(SdesType type) const noexcept;
};

// Walks the chunks of a validated SDES packet.
class SdesChunkCursor {
 public:
  SdesChunkCursor() = default;
  SdesChunkCursor(Bytes body, std::size_t count) noexcept : body_(body), remaining_(count) {}
  std::optional<SdesChunkView> Next() noexcept;

 private:
  Bytes body_;
  std::size_t pos_ = 0;
  std::size_t remaining_ = 0;
};

struct SdesView {
  std::size_t chunk_count = 0;
  Bytes body;
  SdesChunkCursor Chunks() const noexcept { return SdesChunkCursor(body, chunk_count); }
};

struct ByeView {
  WireList<std::uint32_t> ssrcs;
  std::string_view reason;  // empty when absent
};

struct AppView {
  std::uint8_t subtype = 0;
  std::uint32_t ssrc = 0;
  std::array<char, 4> name{};
  Bytes data;
};

struct NackView {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
  WireList<NackItem> items;
};

struct PliView {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
};

struct FirView {
  std::uint32_t sender_ssrc = 0;
  WireList<FirEntry> entries;
};

// A packet of a type (or feedback FMT) this codec does not interpret stays an RtcpPacketView.
using RtcpView = std::variant<SenderReportView, ReceiverReportView, SdesView, ByeView, AppView,
                              NackView, PliView, FirView, RtcpPacketView>;

// Typed parsers. Each checks that the packet has its type and that its contents fit its body.
std::expected<SenderReportView, RtcpError> ParseSenderReport(const RtcpPacketView& p) noexcept;
std::expected<ReceiverReportView, RtcpError> ParseReceiverReport(const RtcpPacketView& p) noexcept;
std::expected<SdesView, RtcpError> ParseSdes(const RtcpPacketView& p) noexcept;
std::expected<ByeView, RtcpError> ParseBye(const RtcpPacketView& p) noexcept;
std::expected<AppView, RtcpError> ParseApp(const RtcpPacketView& p) noexcept;
std::expected<NackView, RtcpError> ParseNack(const RtcpPacketView& p) noexcept;
std::expected<PliView, RtcpError> ParsePli(const RtcpPacketView& p) noexcept;
std::expected<FirView, RtcpError> ParseFir(const RtcpPacketView& p) noexcept;
// Dispatches on packet type and FMT; unknown ones come back as the RtcpPacketView itself.
std::expected<RtcpView, RtcpError> ParseRtcpView(const RtcpPacketView& p) noexcept;

// A validated compound packet: iterating yields each packet's framing.
class RtcpCompoundView {
 public:
  class Iterator {
   public:
    using value_type = RtcpPacketView;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(Bytes rest) noexcept : rest_(rest) {}
    RtcpPacketView operator*() const noexcept;
    Iterator& operator++() noexcept;
    Iterator operator++(int) noexcept {
      Iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) noexcept {
      return a.rest_.size() == b.rest_.size();
    }

   private:
    Bytes rest_;  // from the current packet to the end of the datagram
  };

  RtcpCompoundView() = default;
  Iterator begin() const noexcept { return Iterator(data_); }
  Iterator end() const noexcept { return Iterator(data_.last(0)); }
  Bytes bytes() const noexcept { return data_; }
  std::size_t packet_count() const noexcept { return packet_count_; }

 private:
  friend std::expected<RtcpCompoundView, RtcpError> ParseRtcpCompound(Bytes,
                                                                      RtcpParseOptions) noexcept;
  Bytes data_;
  std::size_t packet_count_ = 0;
};

// Validates a whole datagram as a compound RTCP packet (see the top of this file).
std::expected<RtcpCompoundView, RtcpError> ParseRtcpCompound(
    Bytes datagram, RtcpParseOptions options = {}) noexcept;

}  // namespace confcast::rtp
