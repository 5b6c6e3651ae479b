// Loss-repair figures of one received video stream (the "repair" object of --stats-json, named
// as agreed for all repair schemes: RTX, FEC).
#pragma once

#include <cstdint>
#include <optional>

namespace confcast::receiver {

struct RepairFigures {
  std::uint64_t recovered_rtx = 0;     // holes filled by a retransmission
  std::uint64_t recovered_fec = 0;     // holes filled by FEC
  std::uint64_t lost_for_good = 0;     // NACKed numbers given up (retry limit or deadline)
  std::uint64_t nacks_sent = 0;        // sequence numbers we requested (retries included)
  std::uint64_t nacks_suppressed = 0;  // requests not sent: another receiver asked first
  std::uint64_t rtx_received = 0;      // RTX packets for this stream
  std::uint64_t fec_received = 0;
  std::uint64_t duplicates = 0;  // repairs of packets already present
  std::uint64_t rtx_late = 0;    // repairs that came after their frame was played or dropped
  // NACK -> retransmission round trip (smoothed); none until a retransmission has answered a
  // NACK: the tracker's starting guess is not a measurement.
  std::optional<double> rtt_ms;
};

}  // namespace confcast::receiver
