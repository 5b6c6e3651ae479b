// The video repair budget: the jitter buffer's waits and the NACK tracker's deadline come from
// one --latency ceiling, so the tracker stops asking exactly when the buffer stops waiting.
#include <gtest/gtest.h>

#include <chrono>

#include "receive_stream.h"

namespace confcast::receiver {
namespace {

using std::chrono::milliseconds;

TEST(VideoRepairBudget, NackWaitsTheCeilingThenAsLongAgain) {
  const RepairBudget b = VideoRepairBudget(milliseconds(40), true);
  EXPECT_EQ(b.repair_wait, milliseconds(40));
  EXPECT_EQ(b.salvage_wait, milliseconds(40));
  EXPECT_EQ(b.nack_deadline, b.repair_wait + b.salvage_wait);
}

TEST(VideoRepairBudget, WithoutNackNothingWaitsButLossesAreStillTimed) {
  const RepairBudget b = VideoRepairBudget(milliseconds(40), false);
  EXPECT_EQ(b.repair_wait, rtp::Duration{0});
  EXPECT_EQ(b.salvage_wait, rtp::Duration{0});
  EXPECT_EQ(b.nack_deadline, milliseconds(80));
}

TEST(VideoRepairBudget, ZeroLatencyKeepsATrackerDeadline) {
  const RepairBudget b = VideoRepairBudget(milliseconds(0), true);
  EXPECT_EQ(b.repair_wait, rtp::Duration{0});
  EXPECT_EQ(b.nack_deadline, milliseconds(2));
}

}  // namespace
}  // namespace confcast::receiver
