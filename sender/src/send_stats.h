// The sender's status line (once a second on a terminal, net/status_line.h; every figure as a
// debug line with -v), --stats-json output (JSON lines: header, one per second, final;
// docs/stats-json.md; nothing per second is kept) and final summary.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <confcast/net/srtp_group.h>

#include "keyframe_control.h"
#include "rtcp_session.h"
#include "rtx_sender.h"
#include "send_counters.h"

namespace confcast::sender {

class SendStatsReporter {
 public:
  SendStatsReporter(std::string json_path, bool status_line);
  ~SendStatsReporter();
  // --key-file: SRTP figures go into --stats-json ("srtp") and failures are named once.
  void set_srtp(const net::SrtpGroup* srtp);
  // --rtx on: retransmission figures, refusals by reason, go into --stats-json ("repair").
  void set_rtx(const RtxSender* rtx);
  void Tick(const StreamCounters* video, const StreamCounters* audio, const RtcpSession& rtcp,
            const KeyframeControl& keyframes);
  void Final(const StreamCounters* video, const StreamCounters* audio, const RtcpSession& rtcp,
             const KeyframeControl& keyframes, std::chrono::steady_clock::duration elapsed,
             const std::string& reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace confcast::sender
