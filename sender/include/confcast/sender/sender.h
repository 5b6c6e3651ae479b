// The sending pipeline: capture -> encode -> packetize -> stamp -> send, per stream, plus the
// RTCP session (sender reports, SDES, BYE out; receiver reports, PLI, FIR, NACK in).
#pragma once

#include <confcast/sender/options.h>

namespace confcast::sender {

// Runs until SIGINT/SIGTERM, --duration, or the end of a source; returns the exit code.
// With --list-devices it lists the capture devices instead and returns 0.
// Errors a user can cause are printed as one line on stderr and give exit code 1.
int RunSender(const SendOptions& options);

}  // namespace confcast::sender
