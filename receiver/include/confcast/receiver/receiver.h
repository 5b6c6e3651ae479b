// The receiving pipeline: join -> validate -> jitter buffer -> depacketize -> decode -> render,
// for every participant (SSRC) in the group, with its RTCP session.
#pragma once

#include <confcast/receiver/options.h>

namespace confcast::receiver {

// Runs until SIGINT/SIGTERM or --duration; returns the exit code. Errors a user can cause are
// one line on stderr and exit code 1. Standard output carries only media (y4m:-).
int RunReceiver(const RecvOptions& options);

}  // namespace confcast::receiver
