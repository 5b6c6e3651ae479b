// Firewall check: does anything on the input path drop the UDP or IGMP that confcast needs?
//
// Both rule sets are read into one small model (a rule is a list of conditions and a verdict)
// and each packet confcast needs is walked through it, the way the kernel would:
//  - iptables-save: the filter table's INPUT chain, its policy, and user chains it jumps to;
//  - nft -j list ruleset: every base chain on the prerouting and input hooks of families ip
//    and inet, prerouting first, then by priority; an accept ends one base chain and the next
//    still runs, a drop anywhere is final (nft(8), "VERDICT STATEMENT").
// Conditions the model understands: protocol, destination port and address, input interface,
// packet type and conntrack state (multicast UDP is always NEW: it never sees a reply). Any
// other condition makes a rule "maybe": a maybe-drop is ignored (no false alarm on
// `ct state invalid drop` or rate limits) and a maybe-accept turns a later drop into a WARN.
#include <fmt/format.h>

#include <algorithm>

#include "doctor_checks.h"
#include "doctor_rules.h"
#include "doctor_text.h"

namespace confcast::net::doctor {
namespace fw {

std::uint32_t AddressValue(const IpAddress& a) {
  return std::uint32_t{a.bytes[0]} << 24 | std::uint32_t{a.bytes[1]} << 16 |
         std::uint32_t{a.bytes[2]} << 8 | a.bytes[3];
}

// "224.0.0.0/4", "239.0.0.11", "10.0.0.0/255.0.0.0" -> a value range.
std::optional<std::pair<std::uint32_t, std::uint32_t>> PrefixRange(std::string_view text) {
  const auto slash = text.find('/');
  auto ip = ParseIpAddress(text.substr(0, slash));
  if (!ip || ip->family != Family::kIpv4) return std::nullopt;
  std::uint32_t mask = 0xffffffffu;
  if (slash != std::string_view::npos) {
    const auto m = text.substr(slash + 1);
    if (auto len = ParseUnsigned(m); len && *len <= 32) {
      mask = *len == 0 ? 0 : 0xffffffffu << (32 - *len);
    } else if (auto dotted = ParseIpAddress(m); dotted && dotted->family == Family::kIpv4) {
      mask = AddressValue(*dotted);
    } else {
      return std::nullopt;
    }
  }
  const std::uint32_t lo = AddressValue(*ip) & mask;
  return std::pair{lo, lo | ~mask};
}

std::optional<std::uint32_t> ProtocolNumber(std::string_view name) {
  if (auto n = ParseUnsigned(name); n && *n < 256) return static_cast<std::uint32_t>(*n);
  if (name == "udp") return 17;
  if (name == "tcp") return 6;
  if (name == "igmp") return 2;
  if (name == "icmp") return 1;
  if (name == "sctp") return 132;
  return std::nullopt;
}

namespace {

bool NameMatches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && (pattern.back() == '+' || pattern.back() == '*')) {
    return name.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return pattern == name;
}

enum class Match : std::uint8_t { kNo, kYes, kMaybe };

Match Evaluate(const Rule& rule, const Traffic& t) {
  for (const Cond& c : rule.conds) {
    bool hit = false;
    auto in = [&](std::uint32_t v) {
      return std::any_of(c.ranges.begin(), c.ranges.end(),
                         [&](const auto& r) { return v >= r.first && v <= r.second; });
    };
    switch (c.kind) {
      case CondKind::kProtocol:
        hit = in(t.protocol);
        break;
      case CondKind::kPort:
        if (t.protocol != 17) return Match::kNo;  // a port match implies UDP/TCP
        hit = in(t.port);
        break;
      case CondKind::kAddress:
        hit = in(AddressValue(t.destination));
        break;
      case CondKind::kInterface:
        hit = std::any_of(c.names.begin(), c.names.end(),
                          [&](const std::string& n) { return NameMatches(n, t.in_interface); });
        break;
      case CondKind::kConst:
        hit = c.value;
        break;
    }
    if (hit == c.negate) return Match::kNo;
  }
  return rule.unknown ? Match::kMaybe : Match::kYes;
}

struct Outcome {
  Verdict verdict = Verdict::kNone;  // kAccept, kDrop, or kNone (fell off / returned)
  const Rule* by = nullptr;          // nullptr: the chain policy
  bool uncertain = false;            // a maybe-accept came first
};

Outcome Walk(const RuleSet& set, const std::string& name, const Traffic& t, int depth) {
  Outcome out;
  const auto it = set.chains.find(name);
  if (it == set.chains.end() || depth > 16) return out;
  for (const Rule& rule : it->second.rules) {
    const Match m = Evaluate(rule, t);
    if (m == Match::kNo || rule.verdict == Verdict::kNone) continue;
    if (m == Match::kMaybe) {
      if (rule.verdict == Verdict::kAccept || rule.verdict == Verdict::kJump ||
          rule.verdict == Verdict::kGoto) {
        out.uncertain = true;
      }
      continue;
    }
    switch (rule.verdict) {
      case Verdict::kAccept:
        out.verdict = Verdict::kAccept;
        return out;
      case Verdict::kDrop:
        out.verdict = Verdict::kDrop;
        out.by = &rule;
        return out;
      case Verdict::kReturn:
        return out;
      case Verdict::kJump:
      case Verdict::kGoto: {
        Outcome sub = Walk(set, rule.target, t, depth + 1);
        sub.uncertain = sub.uncertain || out.uncertain;
        if (sub.verdict != Verdict::kNone || rule.verdict == Verdict::kGoto) return sub;
        out.uncertain = sub.uncertain;
        break;
      }
      case Verdict::kNone:
        break;
    }
  }
  return out;
}

// --- iptables-save ---------------------------------------------------------------------------

std::vector<std::string> Tokenize(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    std::string tok;
    if (line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        tok += line[i];
      }
      ++i;
    } else {
      while (i < line.size() && line[i] != ' ') tok += line[i++];
    }
    out.push_back(std::move(tok));
  }
  return out;
}

// Ports: "15550", "15550:15553", "15550,15552:15553" (multiport).
std::vector<std::pair<std::uint32_t, std::uint32_t>> PortRanges(std::string_view s) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto item = s.substr(0, comma);
    const auto colon = item.find(':');
    auto lo = ParseUnsigned(item.substr(0, colon));
    auto hi = colon == std::string_view::npos ? lo : ParseUnsigned(item.substr(colon + 1));
    if (lo && hi)
      out.emplace_back(static_cast<std::uint32_t>(*lo), static_cast<std::uint32_t>(*hi));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Conntrack states a multicast datagram can be in: always NEW (a group never replies).
bool StatesIncludeNew(std::string_view list) {
  std::string lower(list);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower.find("new") != std::string::npos;
}

template <typename IsChain>
Rule ParseIptablesRule(const std::vector<std::string>& tok, std::string_view line,
                       const IsChain& is_chain) {
  Rule rule;
  rule.text = fmt::format("iptables rule '{}'", line);
  rule.fix = "iptables -D" + std::string(line.substr(2));
  bool negate = false;
  for (std::size_t k = 2; k < tok.size(); ++k) {
    const std::string& o = tok[k];
    const bool has_arg = k + 1 < tok.size();
    const std::string arg = has_arg ? tok[k + 1] : "";
    Cond c;
    c.negate = negate;
    negate = false;
    if (o == "!") {
      negate = true;
    } else if ((o == "-p" || o == "--protocol") && has_arg) {
      ++k;
      if (arg == "all") continue;
      auto n = ProtocolNumber(arg);
      if (!n) rule.unknown = true;
      c.kind = CondKind::kProtocol;
      c.ranges = {{n.value_or(0), n.value_or(0)}};
      if (n) rule.conds.push_back(c);
    } else if ((o == "-d" || o == "--destination") && has_arg) {
      ++k;
      c.kind = CondKind::kAddress;
      std::string_view rest = arg;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        if (auto r = PrefixRange(rest.substr(0, comma))) c.ranges.push_back(*r);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      if (c.ranges.empty())
        rule.unknown = true;
      else
        rule.conds.push_back(c);
    } else if ((o == "-i" || o == "--in-interface") && has_arg) {
      ++k;
      c.kind = CondKind::kInterface;
      c.names = {arg};
      rule.conds.push_back(c);
    } else if ((o == "--dport" || o == "--destination-port" || o == "--dports" ||
                o == "--destination-ports") &&
               has_arg) {
      ++k;
      c.kind = CondKind::kPort;
      c.ranges = PortRanges(arg);
      rule.conds.push_back(c);
    } else if (o == "--pkt-type" && has_arg) {
      ++k;
      c.kind = CondKind::kConst;
      c.value = arg == "multicast";  // everything confcast needs here is multicast
      rule.conds.push_back(c);
    } else if ((o == "--ctstate" || o == "--state") && has_arg) {
      ++k;
      c.kind = CondKind::kConst;
      c.value = StatesIncludeNew(arg);
      rule.conds.push_back(c);
    } else if (o == "-m" || o == "--match") {
      ++k;  // the module's own options say what it matches
    } else if (o == "--comment") {
      ++k;
    } else if ((o == "-j" || o == "--jump" || o == "-g" || o == "--goto") && has_arg) {
      if (arg == "ACCEPT") {
        rule.verdict = Verdict::kAccept;
      } else if (arg == "DROP" || arg == "REJECT") {
        rule.verdict = Verdict::kDrop;
      } else if (arg == "RETURN") {
        rule.verdict = Verdict::kReturn;
      } else if (is_chain(arg)) {
        rule.verdict = o == "-g" || o == "--goto" ? Verdict::kGoto : Verdict::kJump;
        rule.target = arg;
      } else if (arg != "LOG" && arg != "NFLOG" && arg != "MARK" && arg != "CONNMARK" &&
                 arg != "CT" && arg != "TRACE" && arg != "TCPMSS" && arg != "DSCP") {
        // NFQUEUE and friends hand the verdict elsewhere: maybe accepted.
        rule.unknown = true;
        rule.verdict = Verdict::kAccept;
      }
      break;  // target options follow
    } else if (o.starts_with("-")) {
      rule.unknown = true;
      while (k + 1 < tok.size() && !tok[k + 1].starts_with("-") && tok[k + 1] != "!") ++k;
    }
  }
  return rule;
}

}  // namespace

void ReadIptables(std::string_view text, RuleSet& set) {
  bool filter = false;
  for (std::string_view raw : Lines(text)) {
    const std::string_view line = Trim(raw);
    if (line.starts_with("*")) {
      filter = line == "*filter";
      continue;
    }
    if (!filter) continue;
    if (line.starts_with(":")) {
      auto f = Fields(line.substr(1));
      if (f.size() < 2) continue;
      Chain& c = set.chains["ipt/" + std::string(f[0])];
      c.text = fmt::format("iptables filter {}", f[0]);
      c.accept_cmd = fmt::format("iptables -I {}", f[0]);
      c.policy = f[1] == "DROP" ? Verdict::kDrop : Verdict::kAccept;
      if (f[0] == "INPUT") set.base.push_back("ipt/INPUT");
    } else if (line.starts_with("-A ")) {
      auto tok = Tokenize(line);
      if (tok.size() < 2) continue;
      Rule r = ParseIptablesRule(
          tok, line, [&](const std::string& chain) { return set.chains.contains("ipt/" + chain); });
      if (!r.target.empty()) r.target = "ipt/" + r.target;
      set.chains["ipt/" + tok[1]].rules.push_back(std::move(r));
      ++set.rule_count;
    }
  }
}

}  // namespace fw

namespace {

using namespace fw;

struct Finding {
  bool certain = true;
  std::string who;  // rule text or "... policy drop"
  std::string fix;
};

std::optional<Finding> Judge(const RuleSet& set, const Traffic& t) {
  bool uncertain = false;
  for (const auto& name : set.base) {
    const Chain& chain = set.chains.at(name);
    Outcome o = Walk(set, name, t, 0);
    uncertain = uncertain || o.uncertain;
    if (o.verdict == Verdict::kAccept) continue;  // the next base chain still runs (nft)
    if (o.verdict == Verdict::kNone && chain.policy == Verdict::kAccept) continue;
    Finding f{!uncertain, "", ""};
    if (o.by != nullptr) {
      f.who = o.by->text;
      f.fix = o.by->fix;
    } else {
      f.who = chain.text + " policy drop";
      if (t.protocol == 2) {
        f.fix = chain.accept_cmd + (chain.nft ? " ip protocol igmp accept" : " -p igmp -j ACCEPT");
      } else {
        const unsigned lo = t.base_port, hi = t.base_port + 3u;
        f.fix = chain.accept_cmd + (chain.nft ? fmt::format(" ip daddr {} udp dport {}-{} accept",
                                                            t.destination.ToString(), lo, hi)
                                              : fmt::format(" -d {} -p udp --dport {}:{} -j ACCEPT",
                                                            t.destination.ToString(), lo, hi));
      }
    }
    return f;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Traffic> TrafficFor(const MulticastEndpoint& ep, std::string_view iface) {
  const std::string i(iface);
  const auto p = ep.port;
  const std::string g = ep.group.ToString();
  auto udp = [&](int off, std::string_view what) {
    const auto port = static_cast<std::uint16_t>(p + off);
    return Traffic{17, ep.group, port, p, i, fmt::format("UDP {}:{} ({})", g, port, what)};
  };
  return {udp(0, "video RTP"), udp(1, "video RTCP"), udp(2, "audio RTP"), udp(3, "audio RTCP"),
          Traffic{2, IpAddress::V4(224, 0, 0, 1), 0, 0, i, "IGMP queries"}};
}

CheckResult CheckFirewall(std::string_view iptables_save, std::string_view nft_json,
                          const std::vector<Traffic>& traffic) {
  CheckResult r{"firewall", Status::kOk, "", ""};
  RuleSet set;
  ReadIptables(iptables_save, set);
  ReadNft(nft_json, iptables_save.find("iptables-nft-save") != std::string_view::npos, set);
  // Group the packets each rule drops, in first-seen order, to print one line per rule.
  std::vector<std::pair<Finding, std::vector<std::string>>> found;
  for (const Traffic& t : traffic) {
    auto f = Judge(set, t);
    if (!f) continue;
    auto same = std::find_if(found.begin(), found.end(), [&](const auto& e) {
      return e.first.who == f->who && e.first.fix == f->fix;
    });
    if (same == found.end()) {
      found.push_back({*f, {t.label}});
    } else {
      same->second.push_back(t.label);
    }
  }
  if (found.empty()) {
    r.detail =
        set.rule_count == 0
            ? "no firewall rules on the input path"
            : fmt::format("{} rules read; none drops confcast's UDP ports or IGMP", set.rule_count);
    return r;
  }
  bool certain = false;
  for (const auto& [f, labels] : found) {
    certain = certain || f.certain;
    std::string what;
    for (const auto& l : labels) what += (what.empty() ? "" : ", ") + l;
    r.detail += fmt::format("{}{} {}drops {}", r.detail.empty() ? "" : "; ", f.who,
                            f.certain ? "" : "may (after rules it cannot judge) ", what);
    r.fix += (r.fix.empty() ? "" : "; ") + f.fix;
  }
  r.status = certain ? Status::kFail : Status::kWarn;
  return r;
}

}  // namespace confcast::net::doctor
