// RTP packet parsing and serialization (RFC 3550 5.1, RFC 8285). See packet.h.
#include <confcast/rtp/packet.h>

#include <algorithm>
#include <cstring>

namespace confcast::rtp {
namespace {

constexpr bool IsTwoByteProfile(std::uint16_t profile) noexcept {
  return (profile & 0xFFF0) == kTwoByteExtensionProfile;
}

// Size of the RFC 8285 element list (without the 4-byte block header), padded to 4 bytes.
std::size_t ExtensionBlockSize(const std::vector<Extension>& extensions, bool one_byte) noexcept {
  std::size_t size = 0;
  for (const Extension& e : extensions) size += (one_byte ? 1 : 2) + e.data.size();
  return (size + 3) & ~std::size_t{3};
}

bool Representable(const RtpPacket& p) noexcept {
  if (p.csrcs.size() > kMaxCsrcs) return false;
  for (const Extension& e : p.extensions) {
    if (e.id == 0 || e.data.size() > 255) return false;
  }
  if (p.extensions.empty() && p.raw_extension && p.raw_extension->data.size() % 4 != 0) {
    return false;
  }
  return p.raw_extension || p.extensions.empty() ||
         ExtensionBlockSize(p.extensions, FitsOneByteForm(p.extensions)) / 4 <= 0xFFFF;
}

}  // namespace

std::string_view Describe(RtpError error) noexcept {
  switch (error) {
    case RtpError::kTooShort: return "shorter than the 12-byte RTP header";
    case RtpError::kBadVersion: return "RTP version is not 2";
    case RtpError::kCsrcOverrun: return "CSRC count runs past the end of the datagram";
    case RtpError::kExtensionOverrun: return "header extension runs past the end of the datagram";
    case RtpError::kBadExtensionElement: return "a header extension element runs past its block";
    case RtpError::kBadPadding: return "padding count is zero or larger than the payload";
  }
  return "unknown RTP error";
}

bool RtpView::has_rfc8285_extensions() const noexcept {
  return has_extension &&
         (extension_profile == kOneByteExtensionProfile || IsTwoByteProfile(extension_profile));
}

std::optional<Bytes> RtpView::FindExtension(std::uint8_t id) const noexcept {
  std::optional<Bytes> found;
  ForEachExtension([&](const ExtensionView& e) {
    if (!found && e.id == id) found = e.data;
  });
  return found;
}

std::expected<RtpView, RtpError> ParseRtp(Bytes datagram) noexcept {
  if (datagram.size() < kRtpHeaderSize) return std::unexpected(RtpError::kTooShort);
  const std::uint8_t b0 = datagram[0];
  if ((b0 >> 6) != 2) return std::unexpected(RtpError::kBadVersion);
  RtpView v;
  v.marker = (datagram[1] & 0x80) != 0;
  v.payload_type = datagram[1] & 0x7F;
  v.sequence_number = ReadU16(datagram, 2);
  v.timestamp = ReadU32(datagram, 4);
  v.ssrc = ReadU32(datagram, 8);

  std::size_t at = kRtpHeaderSize;
  const std::size_t csrc_size = 4u * (b0 & 0x0F);
  if (datagram.size() < at + csrc_size) return std::unexpected(RtpError::kCsrcOverrun);
  v.csrc_bytes = datagram.subspan(at, csrc_size);
  at += csrc_size;

  if (b0 & 0x10) {
    if (datagram.size() < at + 4) return std::unexpected(RtpError::kExtensionOverrun);
    v.has_extension = true;
    v.extension_profile = ReadU16(datagram, at);
    const std::size_t block = 4u * ReadU16(datagram, at + 2);
    at += 4;
    if (datagram.size() < at + block) return std::unexpected(RtpError::kExtensionOverrun);
    v.extension_data = datagram.subspan(at, block);
    at += block;
    if (v.has_rfc8285_extensions() &&
        !detail::WalkExtensions(v.extension_profile, v.extension_data, [](const ExtensionView&) {})) {
      return std::unexpected(RtpError::kBadExtensionElement);
    }
  }
  v.header_size = at;

  std::size_t end = datagram.size();
  if (b0 & 0x20) {
    const std::uint8_t padding = datagram[end - 1];
    if (padding == 0 || padding > end - at) return std::unexpected(RtpError::kBadPadding);
    v.padding_size = padding;
    end -= padding;
  }
  v.payload = datagram.subspan(at, end - at);
  return v;
}

bool LooksLikeRtcp(Bytes datagram) noexcept {
  return datagram.size() >= 2 && datagram[1] >= 192 && datagram[1] <= 223;
}

const Extension* RtpPacket::FindExtension(std::uint8_t id) const noexcept {
  auto it = std::find_if(extensions.begin(), extensions.end(),
                         [id](const Extension& e) { return e.id == id; });
  return it == extensions.end() ? nullptr : &*it;
}

void RtpPacket::SetExtension(std::uint8_t id, Bytes data) {
  for (Extension& e : extensions) {
    if (e.id == id) {
      e.data.assign(data.begin(), data.end());
      return;
    }
  }
  extensions.push_back(Extension{id, std::vector<std::uint8_t>(data.begin(), data.end())});
}

RtpPacket ToPacket(const RtpView& view) {
  RtpPacket p;
  p.marker = view.marker;
  p.payload_type = view.payload_type;
  p.sequence_number = view.sequence_number;
  p.timestamp = view.timestamp;
  p.ssrc = view.ssrc;
  p.csrcs.reserve(view.csrc_count());
  for (std::size_t i = 0; i < view.csrc_count(); ++i) p.csrcs.push_back(view.csrc(i));
  if (view.has_rfc8285_extensions()) {
    view.ForEachExtension([&](const ExtensionView& e) {
      p.extensions.push_back(Extension{e.id, std::vector<std::uint8_t>(e.data.begin(), e.data.end())});
    });
  } else if (view.has_extension) {
    p.raw_extension = RawExtension{
        view.extension_profile,
        std::vector<std::uint8_t>(view.extension_data.begin(), view.extension_data.end())};
  }
  p.payload.assign(view.payload.begin(), view.payload.end());
  p.padding_size = view.padding_size;
  return p;
}

bool FitsOneByteForm(const std::vector<Extension>& extensions) noexcept {
  return std::all_of(extensions.begin(), extensions.end(), [](const Extension& e) {
    return e.id >= 1 && e.id <= 14 && !e.data.empty() && e.data.size() <= 16;
  });
}

std::size_t SerializedSize(const RtpPacket& p) noexcept {
  std::size_t size = kRtpHeaderSize + 4 * p.csrcs.size();
  if (!p.extensions.empty()) {
    size += 4 + ExtensionBlockSize(p.extensions, FitsOneByteForm(p.extensions));
  } else if (p.raw_extension) {
    size += 4 + p.raw_extension->data.size();
  }
  return size + p.payload.size() + p.padding_size;
}

std::size_t SerializeTo(const RtpPacket& p, MutableBytes out) noexcept {
  const std::size_t size = SerializedSize(p);
  if (out.size() < size || !Representable(p)) return 0;
  const bool has_extension = !p.extensions.empty() || p.raw_extension.has_value();
  out[0] = static_cast<std::uint8_t>(0x80 | (p.padding_size ? 0x20 : 0) | (has_extension ? 0x10 : 0) |
                                     p.csrcs.size());
  out[1] = static_cast<std::uint8_t>((p.marker ? 0x80 : 0) | (p.payload_type & 0x7F));
  WriteU16(out, 2, p.sequence_number);
  WriteU32(out, 4, p.timestamp);
  WriteU32(out, 8, p.ssrc);
  std::size_t at = kRtpHeaderSize;
  for (std::uint32_t csrc : p.csrcs) {
    WriteU32(out, at, csrc);
    at += 4;
  }
  if (!p.extensions.empty()) {
    const bool one_byte = FitsOneByteForm(p.extensions);
    const std::size_t block = ExtensionBlockSize(p.extensions, one_byte);
    WriteU16(out, at, one_byte ? kOneByteExtensionProfile : kTwoByteExtensionProfile);
    WriteU16(out, at + 2, static_cast<std::uint16_t>(block / 4));
    at += 4;
    const std::size_t block_end = at + block;
    for (const Extension& e : p.extensions) {
      if (one_byte) {
        out[at++] = static_cast<std::uint8_t>(e.id << 4 | (e.data.size() - 1));
      } else {
        out[at++] = e.id;
        out[at++] = static_cast<std::uint8_t>(e.data.size());
      }
      if (!e.data.empty()) std::memcpy(&out[at], e.data.data(), e.data.size());
      at += e.data.size();
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(at),
              out.begin() + static_cast<std::ptrdiff_t>(block_end), std::uint8_t{0});
    at = block_end;
  } else if (p.raw_extension) {
    WriteU16(out, at, p.raw_extension->profile);
    WriteU16(out, at + 2, static_cast<std::uint16_t>(p.raw_extension->data.size() / 4));
    at += 4;
    if (!p.raw_extension->data.empty()) {
      std::memcpy(&out[at], p.raw_extension->data.data(), p.raw_extension->data.size());
    }
    at += p.raw_extension->data.size();
  }
  if (!p.payload.empty()) std::memcpy(&out[at], p.payload.data(), p.payload.size());
  at += p.payload.size();
  if (p.padding_size) {
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(at),
              out.begin() + static_cast<std::ptrdiff_t>(at + p.padding_size - 1), std::uint8_t{0});
    out[at + p.padding_size - 1] = p.padding_size;
    at += p.padding_size;
  }
  return at;
}

std::vector<std::uint8_t> Serialize(const RtpPacket& packet) {
  std::vector<std::uint8_t> out(SerializedSize(packet));
  out.resize(SerializeTo(packet, out));
  return out;
}

}  // namespace confcast::rtp
