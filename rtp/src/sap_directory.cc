// A SAP listener's session directory (RFC 2974 4 and 5).
//
// Announcements are keyed by (originating source, message id hash). A known key is only a
// refresh: its payload is not parsed again, which is what the hash is for (RFC 2974 5). A new
// key is parsed as SDP; when the same source already announced a session with the same SDP
// origin (o= username, session id, address), the new announcement is a modification and
// replaces it. Sessions leave on an explicit deletion for their key, or when not heard for
// max(10 announcement periods, 1 hour) (section 4, implicit timeout); the period is the gap
// between a session's last two announcements, unknown until it has been heard twice.
// A deletion or modification from an address other than the origin it names (when the caller
// knows the datagram's source) is a forgery from another host: counted and ignored.
#include <algorithm>

#include "confcast/rtp/sap.h"

namespace confcast::rtp {
namespace {

bool SameSdpSession(const SdpOrigin& a, const SdpOrigin& b) {
  return a.username == b.username && a.session_id == b.session_id && a.net_type == b.net_type &&
         a.addr_type == b.addr_type && a.address == b.address;
}

}  // namespace

std::string_view ToString(SapEvent event) {
  switch (event) {
    case SapEvent::kNew:
      return "new";
    case SapEvent::kRefreshed:
      return "refreshed";
    case SapEvent::kModified:
      return "modified";
    case SapEvent::kDeleted:
      return "deleted";
    case SapEvent::kIgnored:
      return "ignored";
  }
  return "unknown";
}

SapUpdate SapDirectory::OnDatagram(Bytes datagram, Timestamp now,
                                   const std::optional<SapOrigin>& sent_from) {
  auto view = ParseSap(datagram);
  if (!view) {
    if (view.error() == SapParseError::kEncrypted) {
      ++counters_.encrypted;
    } else if (view.error() == SapParseError::kCompressed) {
      ++counters_.compressed;
    } else {
      ++counters_.malformed;
    }
    return {};
  }
  if (!view->IsSdp()) {
    ++counters_.not_sdp;
    return {};
  }
  if (view->msg_id_hash == 0) {
    // SAPv0 style: the hash means nothing, so neither refresh nor deletion could be matched.
    ++counters_.zero_hash;
    return {};
  }
  if (view->type == SapMessageType::kDeletion) return OnDeletion(*view, sent_from);

  const SapKey key{view->origin, view->msg_id_hash};
  if (auto it = sessions_.find(key); it != sessions_.end()) {
    SapSession& s = it->second;
    if (now > s.last_heard) s.period = now - s.last_heard;
    s.last_heard = now;
    ++s.announcements;
    return SapUpdate{SapEvent::kRefreshed, key, std::nullopt};
  }
  auto sdp = ParseSdp(view->payload);
  if (!sdp) {
    ++counters_.bad_sdp;
    return {};
  }
  SapSession fresh;
  fresh.key = key;
  fresh.sdp_text.assign(view->PayloadText());
  fresh.sdp = std::move(*sdp);
  fresh.first_heard = now;
  fresh.last_heard = now;
  fresh.announcements = 1;
  SapUpdate update{SapEvent::kNew, key, std::nullopt};
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->first.origin == key.origin && SameSdpSession(it->second.sdp.origin, fresh.sdp.origin)) {
      if (sent_from && *sent_from != key.origin) {
        ++counters_.spoofed_origin;
        return {};
      }
      fresh.first_heard = it->second.first_heard;  // the same session, a new version
      update = SapUpdate{SapEvent::kModified, key, std::move(it->second)};
      sessions_.erase(it);
      break;
    }
  }
  sessions_.emplace(key, std::move(fresh));
  return update;
}

SapUpdate SapDirectory::OnDeletion(const SapView& view, const std::optional<SapOrigin>& sent_from) {
  const SapKey key{view.origin, view.msg_id_hash};
  auto it = sessions_.find(key);
  if (it == sessions_.end()) {
    ++counters_.unknown_deletions;
    return {};
  }
  if (sent_from && *sent_from != key.origin) {
    ++counters_.spoofed_origin;
    return {};
  }
  SapUpdate update{SapEvent::kDeleted, key, std::move(it->second)};
  sessions_.erase(it);
  return update;
}

Duration SapDirectory::TimeoutOf(const SapSession& session) const {
  if (!session.period) return config_.min_timeout;
  return std::max(config_.min_timeout, *session.period * config_.timeout_periods);
}

std::vector<SapSession> SapDirectory::Expire(Timestamp now) {
  std::vector<SapSession> gone;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_heard > TimeoutOf(it->second)) {
      gone.push_back(std::move(it->second));
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

}  // namespace confcast::rtp
