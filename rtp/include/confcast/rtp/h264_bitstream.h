// Questions about an H.264 bitstream that the receive path asks before anything is decoded:
// where a slice starts in its picture (ITU-T H.264 7.3.3), whether an RTP payload
// (RFC 6184 packetization-mode 1) is where an IDR access unit begins, and whether a payload can
// be H.264 at all. Pure functions over spans; malformed input gives "no", never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace confcast::rtp {

// first_mb_in_slice, the first field of the slice header (H.264 7.3.3, ue(v)), of a coded slice
// NAL unit (type 1, 2 or 5), header byte first, emulation prevention bytes (0x000003, 7.4.1)
// still in place. nullopt for another NAL unit type, or when the bytes end before the field
// does or the code is longer than 32 bits.
std::optional<std::uint32_t> FirstMbInSlice(std::span<const std::uint8_t> slice_nal) noexcept;

// True when an RFC 6184 mode-1 payload can be the first packet of an IDR access unit, the point
// where a receiver that lost its reference chain may start again: it carries an SPS (single NAL
// unit packet, or inside a STAP-A), or the top of an IDR picture, i.e. an IDR slice with
// first_mb_in_slice == 0 (single NAL unit packet, inside a STAP-A, or the start fragment of an
// FU-A: only that fragment holds the slice header). Every other packet of an IDR access unit is
// false: in particular the slices below the top of a multi-slice IDR picture, which a receiver
// must never start from. Packets of the same access unit may still precede a true one (an access
// unit delimiter or SEI in packets of their own, or the SPS/PPS before the top slice); the
// jitter buffer walks back to them. A malformed STAP-A is false: the depacketizer drops it whole.
bool StartsKeyframe(std::span<const std::uint8_t> rtp_payload) noexcept;

// True when an RTP payload's first NAL unit (single NAL unit packet, first unit of a STAP-A,
// start fragment of an FU-A) is an access unit delimiter or an SPS. An AUD is first in its
// access unit (H.264 7.4.1.2.3); before an SPS only an AUD, SEI or another parameter set of the
// same access unit may come, nothing a decoder joining there needs. So a receiver joining a
// stream need not wait for packets before this one to start its first keyframe.
bool BeginsAccessUnit(std::span<const std::uint8_t> rtp_payload) noexcept;

// True when an RTP payload's first NAL unit is an IDR slice (any fragment of it) or a PPS: the
// packet is part of a keyframe's access unit, after its start when the SPS comes first. A
// receiver whose first packet is one of these joined inside a keyframe and can ask for the
// packets before it (NackTracker::OnJoinedInsideKeyframe).
bool InsideKeyframe(std::span<const std::uint8_t> rtp_payload) noexcept;

// True when a payload cannot be plain H.264 in packetization mode 1: it starts with the
// forbidden bit set or with a NAL unit type outside 1-24 and 28 (RFC 6184 5.2, 5.3). An SRTP
// payload is random, so about 61% of them look like this; plain H.264 never does. An empty
// payload proves nothing: false.
bool LooksEncrypted(std::span<const std::uint8_t> rtp_payload) noexcept;

}  // namespace confcast::rtp
