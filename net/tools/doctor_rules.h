// The firewall check's rule model, shared by the iptables-save reader and the evaluator
// (doctor_firewall.cc) and the nft JSON reader (doctor_nft.cc). Private to confcast-doctor.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confcast/net/endpoint.h"

namespace confcast::net::doctor::fw {

enum class CondKind : std::uint8_t { kProtocol, kPort, kAddress, kInterface, kConst };
struct Cond {
  CondKind kind = CondKind::kConst;
  bool negate = false;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;  // inclusive value ranges
  std::vector<std::string> names;                               // interfaces ("eth+", "eth*")
  bool value = true;                                            // kConst
};

enum class Verdict : std::uint8_t { kNone, kAccept, kDrop, kReturn, kJump, kGoto };
struct Rule {
  std::vector<Cond> conds;
  bool unknown = false;  // has a condition the model does not understand
  Verdict verdict = Verdict::kNone;
  std::string target;  // jump/goto
  std::string text;    // how to name the rule in a message
  std::string fix;     // the command that deletes it
};
struct Chain {
  std::vector<Rule> rules;
  Verdict policy = Verdict::kAccept;
  std::string text;        // "iptables filter INPUT"
  std::string accept_cmd;  // prefix of a command inserting a rule at its top
  bool nft = false;
};
struct RuleSet {
  std::map<std::string, Chain> chains;
  std::vector<std::string> base;  // in evaluation order
  std::size_t rule_count = 0;
};

std::uint32_t AddressValue(const IpAddress& a);
// "224.0.0.0/4", "239.0.0.11", "10.0.0.0/255.0.0.0" -> an inclusive value range.
std::optional<std::pair<std::uint32_t, std::uint32_t>> PrefixRange(std::string_view text);
std::optional<std::uint32_t> ProtocolNumber(std::string_view name);  // "udp" or "17" -> 17

// Adds the filter table's chains and rules; INPUT becomes a base chain.
void ReadIptables(std::string_view text, RuleSet& set);
// Adds the ip/inet chains of `nft -j list ruleset`; base chains on prerouting, then input,
// by priority. With skip_iptables_tables, iptables-nft's tables (ip filter, ...) are left out.
void ReadNft(std::string_view text, bool skip_iptables_tables, RuleSet& set);

}  // namespace confcast::net::doctor::fw
