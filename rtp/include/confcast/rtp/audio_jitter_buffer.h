// Receive-side audio jitter buffer: turns RTP audio packets (Opus, RFC 7587) into a steady
// sequence of fixed-duration slots, one per frame_samples of RTP time. Pure: time is passed in.
//
// A slot cursor walks RTP time in steps of frame_samples; slot k is due at
// PlayoutTiming::Playout(ts_k) (min transit + adaptive target, see jitter_buffer.h; here the
// jitter is the RFC 3550 A.8 interarrival jitter of packets). For each due slot:
//   - the buffered packet with that timestamp       -> kPacket
//   - none, but the next buffered packet follows the last played one in sequence (the sender
//     skipped RTP time without skipping sequence numbers: DTX, RFC 7587 3.1.3) -> kSilence
//   - none, and a sequence number is missing          -> kMissing (the decoder conceals; if the
//     next packet is already here, next_payload carries it for Opus in-band FEC)
//   - nothing buffered at all                          -> kMissing (underrun), until
//     max_concealment has passed beyond the newest packet; then the buffer idles and resumes
//     at the timestamp of the next packet that comes.
// Packets whose slot has already been played are late and dropped.
#pragma once

#include <confcast/rtp/jitter_buffer.h>
#include <confcast/rtp/seq.h>
#include <confcast/rtp/time.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace confcast::rtp {

struct AudioJitterConfig {
  int clock_rate = 48000;
  std::uint32_t frame_samples = 960;  // 20 ms; 480 for 10 ms
  Duration min_delay{5'000};          // floor of the target delay
  Duration max_delay{50'000};         // ceiling (the --latency option)
  std::size_t capacity = 256;         // packets held at most
  double jitter_multiplier = 3.0;
  Duration max_concealment{100'000};  // slots played with nothing buffered before idling
  std::int64_t restart_seq_distance = 1000;
};

enum class AudioSlotKind { kPacket, kMissing, kSilence };

struct AudioSlot {
  AudioSlotKind kind = AudioSlotKind::kMissing;
  std::uint32_t rtp_ts = 0;  // the slot's RTP time (the packet's own timestamp for kPacket)
  std::uint16_t seq = 0;     // kPacket only
  Timestamp playout_time{0};
  std::vector<std::uint8_t> payload;  // kPacket only
  // kMissing: the packet of the next slot is already buffered (a copy is in next_payload), so
  // the decoder can recover this slot from its in-band FEC.
  bool next_available = false;
  std::vector<std::uint8_t> next_payload;
  friend bool operator==(const AudioSlot&, const AudioSlot&) = default;
};

enum class AudioInsertStatus { kStored, kDuplicate, kLate, kOverflow, kRestartProbe, kRestarted };

struct AudioPollResult {
  std::vector<AudioSlot> slots;  // in playout order
};

struct AudioJitterStats {
  std::uint64_t packets_received = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t late = 0;
  std::uint64_t reordered = 0;
  std::uint64_t lost = 0;  // sequence numbers never played
  std::uint64_t overflows = 0;
  std::uint64_t restarts = 0;
  std::uint64_t slots_packet = 0;
  std::uint64_t slots_missing = 0;   // kMissing with a known gap in sequence numbers
  std::uint64_t slots_underrun = 0;  // kMissing with nothing buffered (loss or DTX)
  std::uint64_t slots_silence = 0;
  Duration target_delay{0};
  Duration jitter{0};
};

class AudioJitterBuffer {
 public:
  explicit AudioJitterBuffer(AudioJitterConfig config = {});

  [[nodiscard]] AudioInsertStatus Insert(std::uint16_t seq, std::uint32_t rtp_ts,
                                         std::vector<std::uint8_t> payload, Timestamp arrival);
  // Every slot due by `now`, in order.
  [[nodiscard]] AudioPollResult Poll(Timestamp now);
  // When the next slot is due; empty before the first packet and while idle.
  std::optional<Timestamp> NextWakeup() const noexcept;
  // Forgets the stream (new SSRC). Statistics are kept.
  void Reset();

  AudioJitterStats stats() const noexcept;
  std::size_t packets_buffered() const noexcept { return packets_.size(); }
  // Nothing to play and max_concealment already played: no wakeups until the next packet.
  bool idle() const noexcept { return started_ && ConcealedEnough(); }

 private:
  struct Entry {
    std::int64_t useq = 0;
    std::uint16_t seq = 0;
    std::uint32_t rtp_ts = 0;
    std::vector<std::uint8_t> payload;
  };
  AudioInsertStatus Store(std::uint16_t seq, std::uint32_t rtp_ts,
                          std::vector<std::uint8_t>& payload, Timestamp arrival);
  // Nothing buffered and max_concealment played past the newest packet: time to idle.
  bool ConcealedEnough() const noexcept;
  bool WasPlayed(std::int64_t useq) const noexcept;
  void MarkPlayed(std::int64_t useq) noexcept;
  void ResetStream();

  AudioJitterConfig config_;
  PlayoutTiming timing_;
  SeqUnwrapper seq_unwrapper_;
  TsUnwrapper ts_unwrapper_;
  std::map<std::int64_t, Entry> packets_;  // by unwrapped timestamp
  bool started_ = false;
  std::int64_t next_uts_ = 0;  // the next slot's RTP time
  std::int64_t highest_useq_ = 0;
  std::int64_t highest_uts_ = 0;
  std::optional<std::int64_t> last_played_useq_;
  std::uint64_t played_mask_ = 0;  // bit i: last_played_useq_ - i was played
  struct Probe {
    std::uint16_t seq;
    std::uint32_t rtp_ts;
    std::vector<std::uint8_t> payload;
    Timestamp arrival;
  };
  std::optional<Probe> restart_probe_;
  AudioJitterStats stats_;
};

}  // namespace confcast::rtp
