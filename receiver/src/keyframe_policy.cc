#include "keyframe_policy.h"

#include <algorithm>

namespace confcast::receiver {

void KeyframePolicy::OnPacket(std::uint32_t ssrc, bool keyframe_start) {
  auto it = state_.find(ssrc);
  if (it == state_.end()) return;  // never asked: nothing to learn yet
  ++it->second.packets_since;
  if (keyframe_start) it->second.keyframe_since = true;
}

bool KeyframePolicy::Request(std::uint32_t ssrc, rtp::Timestamp now) {
  State& st = state_[ssrc];
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
  ++sent_;
  return true;
}

}  // namespace confcast::receiver
