// Test support: run a test body on a thread with its own network namespace (loopback up, with
// multicast on), so multicast in unit tests never touches a real interface. Needs root.
#pragma once

#include <functional>
#include <string>

namespace confcast::net::testing {

// Returns the reason it could not run `body` (empty when it ran).
std::string RunInPrivateNetns(const std::function<void()>& body);

}  // namespace confcast::net::testing
