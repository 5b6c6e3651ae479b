// What to join and how to read it: from an SDP file (ours, ffmpeg's, GStreamer's) or from the
// addressing options. Each stream is one even port (RTCP on the next odd one or a=rtcp).
#pragma once

#include <confcast/net/endpoint.h>
#include <confcast/receiver/options.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

namespace confcast::receiver {

struct MediaPlan {
  std::uint16_t port = 0;
  std::uint8_t payload_type = 0;
  std::uint8_t abs_capture_time_id = 1;
  int channels = 1;
};

struct SessionPlan {
  net::IpAddress group;
  std::optional<net::IpAddress> source;  // source-specific join
  std::optional<MediaPlan> video;        // H.264, 90 kHz
  std::optional<MediaPlan> audio;        // Opus, 48 kHz
  std::string session_name;
  // The SDP says the media is SRTP: an RTP/SAVP(F) proto or a=crypto (RFC 4568).
  bool encrypted = false;
  std::string crypto_suite;  // from a=crypto, when given
};

std::expected<SessionPlan, std::string> PlanFromSdpText(const std::string& text);
std::expected<SessionPlan, std::string> PlanFromSdpFile(const std::string& path);
std::expected<SessionPlan, std::string> PlanFromOptions(const RecvOptions& options);

}  // namespace confcast::receiver
