#include "keyframe_policy.h"

#include <algorithm>

namespace confcast::receiver {

void KeyframePolicy::OnPacket(std::uint32_t ssrc, bool keyframe_start) {
  auto it = state_.find(ssrc);
  if (it == state_.end()) return;  // never asked: nothing to learn yet
  ++it->second.packets_since;
  if (keyframe_start) {
    it->second.keyframe_since = true;
    if (it->second.held.Cancel()) ++cancelled_;  // the answer came: no need to ask
  }
}

void KeyframePolicy::OnRequestHeard(std::uint32_t ssrc) {
  auto it = state_.find(ssrc);
  if (it != state_.end() && it->second.held.Cancel()) ++cancelled_;
}

std::vector<std::uint32_t> KeyframePolicy::Due(rtp::Timestamp now) {
  std::vector<std::uint32_t> out;
  for (auto& [ssrc, st] : state_) {
    if (!st.held.Due(now)) continue;
    ++sent_;
    out.push_back(ssrc);
  }
  return out;
}

std::optional<rtp::Timestamp> KeyframePolicy::NextDue() const {
  std::optional<rtp::Timestamp> next;
  for (const auto& [ssrc, st] : state_) {
    if (st.held.due() && (!next || *st.held.due() < *next)) next = st.held.due();
  }
  return next;
}

bool KeyframePolicy::Request(std::uint32_t ssrc, rtp::Timestamp now, double uniform01) {
  State& st = state_[ssrc];
  if (st.held.due()) {  // already waiting for its back-off
    ++suppressed_;
    return false;
  }
  const int unanswered = st.keyframe_since ? 0 : st.unanswered;
  const rtp::Duration gap = min_interval_ * (1 << std::min(unanswered, 5));
  if (st.asked && now - st.last < gap) {
    ++suppressed_;
    return false;
  }
  if (st.keyframe_since) {
    st.unanswered = 0;
  } else if (st.asked && st.packets_since > 0) {
    ++st.unanswered;
  }
  st.asked = true;
  st.last = now;
  st.packets_since = 0;
  st.keyframe_since = false;
  if (rtp::IsLargeGroup(members_)) {
    (void)st.held.Arm(now, rtp::DrawBackoff(members_, rtt_, uniform01));
    return false;  // Due() sends it, unless someone else asks first
  }
  ++sent_;
  return true;
}

}  // namespace confcast::receiver
