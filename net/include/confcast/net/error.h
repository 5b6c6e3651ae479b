// Errors a user can cause in the network layer. Each carries one line that names the problem
// and the fix, ready to print before a non-zero exit.
#pragma once

#include <string>

namespace confcast::net {

enum class ErrorCode {
  kBadAddress,        // not an IPv4/IPv6 literal, or malformed "[v6]:port"
  kBadPort,           // missing, non-numeric or out of range
  kNotMulticast,      // a unicast address where a group was expected
  kControlBlock,      // 224.0.0.0/24 or a permanent ff02:: control group
  kOddPort,           // RTP needs the even port of an even/odd pair
  kZeroPort,          // port 0 cannot be joined or announced
  kSourceRequired,    // 232/8 or ff3x:: without a source
  kSourceNotAllowed,  // a source given for an any-source group
  kFamilyMismatch,    // group, source or interface of different families
  kNoInterface,       // named interface or address not found / not usable
  kSystem,            // a system call failed (message names it and errno)
};

struct Error {
  ErrorCode code;
  std::string message;  // one line: what was wrong and what to do
};

}  // namespace confcast::net
