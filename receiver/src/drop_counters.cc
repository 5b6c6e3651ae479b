#include "drop_counters.h"

namespace confcast::receiver {

std::string_view DropReason(rtp::RtpError error) noexcept {
  switch (error) {
    case rtp::RtpError::kTooShort: return "rtp_too_short";
    case rtp::RtpError::kBadVersion: return "rtp_bad_version";
    case rtp::RtpError::kCsrcOverrun: return "rtp_csrc_overrun";
    case rtp::RtpError::kExtensionOverrun: return "rtp_extension_overrun";
    case rtp::RtpError::kBadExtensionElement: return "rtp_bad_extension_element";
    case rtp::RtpError::kBadPadding: return "rtp_bad_padding";
  }
  return "rtp_malformed";
}

std::string_view DropReason(rtp::RtcpError error) noexcept {
  switch (error) {
    case rtp::RtcpError::kEmpty: return "rtcp_empty";
    case rtp::RtcpError::kTooShort: return "rtcp_too_short";
    case rtp::RtcpError::kBadVersion: return "rtcp_bad_version";
    case rtp::RtcpError::kLengthOverrun: return "rtcp_length_overrun";
    case rtp::RtcpError::kLengthMismatch: return "rtcp_length_mismatch";
    case rtp::RtcpError::kFirstNotReport: return "rtcp_first_not_report";
    case rtp::RtcpError::kPaddingNotLast: return "rtcp_padding_not_last";
    case rtp::RtcpError::kBadPadding: return "rtcp_bad_padding";
    case rtp::RtcpError::kPacketTooShort: return "rtcp_packet_too_short";
    case rtp::RtcpError::kCountOverrun: return "rtcp_count_overrun";
    case rtp::RtcpError::kItemOverrun: return "rtcp_item_overrun";
    case rtp::RtcpError::kReasonOverrun: return "rtcp_reason_overrun";
    case rtp::RtcpError::kBadFciLength: return "rtcp_bad_fci_length";
    default: return "rtcp_malformed";
  }
}

DropCounters::DropCounters() {
  // The RTP reasons are always present, so a report shows the zeros too.
  for (auto e : {rtp::RtpError::kTooShort, rtp::RtpError::kBadVersion, rtp::RtpError::kCsrcOverrun,
                 rtp::RtpError::kExtensionOverrun, rtp::RtpError::kBadExtensionElement,
                 rtp::RtpError::kBadPadding}) {
    by_reason_.emplace(std::string(DropReason(e)), 0);
  }
}

}  // namespace confcast::receiver
