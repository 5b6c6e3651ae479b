// confcast-recv's status line (once a second on a terminal, net/status_line.h; every figure as
// a debug line with -v), --stats-json (JSON lines: a header, one line per second, the final
// figures per participant; docs/stats-json.md) and the summary printed on exit. Nothing per second is kept: each second is written and forgotten.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <confcast/net/srtp_group.h>
#include <confcast/rtp/rtp_session.h>

#include "drop_counters.h"
#include "participants.h"
#include "receive_stream.h"
#include "signal_watch.h"

namespace confcast::receiver {

using Streams = std::map<std::uint32_t, std::unique_ptr<ReceiveStream>>;

// Final figures about the receiver itself (not about one stream).
struct FinalExtras {
  std::uint32_t own_ssrc = 0;
  std::uint64_t own_ssrc_changes = 0;  // our SSRC collided and was replaced (RFC 3550 8.2)
  std::uint64_t plis_suppressed = 0;   // keyframe requests held back by the PLI policy
  std::uint64_t gate_evicted = 0;      // candidate sources pushed out of the source gate
  rtp::IgnoredCounts rtcp_ignored;     // RTP/RTCP the sessions left unused (forged BYE, ...)
  std::uint64_t feedback_sent = 0;     // early RTCP packets with NACK/PLI/FIR (RFC 4585)
  std::uint64_t feedback_held = 0;     // feedback not sent: no early slot (large groups)
};

// Streams that left are reported in full up to this many (the latest); older ones are summed
// into "retired_older", so a room where people come and go for days stays bounded.
inline constexpr std::size_t kRetiredKept = 64;

class RecvStatsReporter {
 public:
  RecvStatsReporter(std::string json_path, bool status_line);
  ~RecvStatsReporter();
  // --key-file: SRTP figures go into --stats-json ("srtp") and failures are named once.
  void set_srtp(const net::SrtpGroup* srtp);
  void Tick(const Participants& participants, const Streams& streams,
            std::uint64_t plis_sent, std::uint64_t dropped_total, const SignalFigures& signal);
  // A stream that left: its figures stay in the final report.
  void Retire(std::uint32_t ssrc, MediaKind kind, const StreamFigures& figures);
  void Final(const Participants& participants, const Streams& streams,
             std::uint64_t plis_sent, std::chrono::steady_clock::duration elapsed,
             const std::string& reason, std::uint64_t malformed_rtp, std::uint64_t malformed_rtcp,
             std::uint64_t stray_after_bye, const DropCounters& dropped, const FinalExtras& extras,
             const SignalFigures& signal);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace confcast::receiver
