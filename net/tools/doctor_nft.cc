// confcast-doctor: reads `nft -j list ruleset` into the firewall rule model (doctor_rules.h).
// The JSON schema is libnftables-json(5): a flat list of table, chain and rule objects; a
// rule's "expr" list holds matches ({"match": {op, left, right}}) and statements/verdicts.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "doctor_rules.h"

namespace confcast::net::doctor::fw {
namespace {

using Json = nlohmann::json;

std::vector<std::string> Strings(const Json& right) {
  std::vector<std::string> out;
  const Json& items = right.is_object() && right.contains("set") ? right["set"] : right;
  if (items.is_array()) {
    for (const auto& i : items) {
      if (i.is_string()) out.push_back(i.get<std::string>());
    }
  } else if (items.is_string()) {
    out.push_back(items.get<std::string>());
  }
  return out;
}

// Number, "udp", "239.0.0.11", {"prefix":...}, {"range":[a,b]}, {"set":[...]} or an array.
bool Ranges(const Json& v, bool addresses,
            std::vector<std::pair<std::uint32_t, std::uint32_t>>& out) {
  if (v.is_array()) {
    for (const auto& i : v) {
      if (!Ranges(i, addresses, out)) return false;
    }
    return true;
  }
  if (v.is_object() && v.contains("set")) return Ranges(v["set"], addresses, out);
  if (v.is_object() && v.contains("range") && v["range"].is_array() && v["range"].size() == 2) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> lo, hi;
    if (!Ranges(v["range"][0], addresses, lo) || !Ranges(v["range"][1], addresses, hi) ||
        lo.size() != 1 || hi.size() != 1) {
      return false;
    }
    out.emplace_back(lo[0].first, hi[0].second);
    return true;
  }
  if (v.is_object() && v.contains("prefix")) {
    const Json& p = v["prefix"];
    if (!p.contains("addr") || !p.contains("len") || !p["addr"].is_string()) return false;
    auto r = PrefixRange(fmt::format("{}/{}", p["addr"].get<std::string>(), p["len"].dump()));
    if (!r) return false;
    out.push_back(*r);
    return true;
  }
  if (v.is_number_unsigned()) {
    const auto n = v.get<std::uint32_t>();
    out.emplace_back(n, n);
    return true;
  }
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    auto r = addresses ? PrefixRange(s) : std::nullopt;
    if (!addresses) {
      if (auto n = ProtocolNumber(s)) r = std::pair{*n, *n};
    }
    if (!r) return false;
    out.push_back(*r);
    return true;
  }
  return false;
}

void AddNftMatch(const Json& m, Rule& rule) {
  const std::string op = m.value("op", "==");
  if (op != "==" && op != "!=" && op != "in") {
    rule.unknown = true;
    return;
  }
  const Json& left = m.value("left", Json());
  const Json& right = m.value("right", Json());
  Cond c;
  c.negate = op == "!=";
  if (left.contains("payload")) {
    const Json& p = left["payload"];
    const std::string proto = p.value("protocol", ""), field = p.value("field", "");
    if (field == "dport" && (proto == "udp" || proto == "tcp" || proto == "th")) {
      Cond pc;  // a transport header match implies the protocol, whatever the operator
      pc.kind = CondKind::kProtocol;
      if (proto == "udp")
        pc.ranges = {{17, 17}};
      else if (proto == "tcp")
        pc.ranges = {{6, 6}};
      else
        pc.ranges = {{6, 6}, {17, 17}, {33, 33}, {132, 132}};
      rule.conds.push_back(pc);
      c.kind = CondKind::kPort;
    } else if (proto == "ip" && field == "daddr") {
      c.kind = CondKind::kAddress;
    } else if (proto == "ip" && field == "protocol") {
      c.kind = CondKind::kProtocol;
    } else {
      rule.unknown = true;
      return;
    }
    if (!Ranges(right, c.kind == CondKind::kAddress, c.ranges)) {
      rule.unknown = true;
      return;
    }
  } else if (left.contains("meta")) {
    const std::string key = left["meta"].value("key", "");
    if (key == "l4proto") {
      c.kind = CondKind::kProtocol;
      if (!Ranges(right, false, c.ranges)) {
        rule.unknown = true;
        return;
      }
    } else if (key == "iifname" || key == "iif") {
      c.kind = CondKind::kInterface;
      c.names = Strings(right);
    } else if (key == "pkttype" || key == "nfproto") {
      const auto v = Strings(right);
      c.kind = CondKind::kConst;
      c.value = std::find(v.begin(), v.end(), key == "pkttype" ? "multicast" : "ipv4") != v.end();
    } else {
      rule.unknown = true;
      return;
    }
  } else if (left.contains("ct") && left["ct"].value("key", "") == "state") {
    const auto v = Strings(right);
    c.kind = CondKind::kConst;
    c.value = std::find(v.begin(), v.end(), "new") != v.end();
  } else {
    rule.unknown = true;
    return;
  }
  rule.conds.push_back(std::move(c));
}

Rule ParseNftRule(const Json& r, const std::string& where) {
  Rule rule;
  const std::string handle = r.contains("handle") ? r["handle"].dump() : "?";
  rule.text = fmt::format("nft rule in {} (handle {})", where, handle);
  rule.fix = fmt::format("nft delete rule {} handle {}", where, handle);
  const Json& exprs = r.value("expr", Json::array());
  for (const auto& e : exprs) {
    if (!e.is_object() || e.empty()) continue;
    const std::string key = e.begin().key();
    if (key == "match") {
      AddNftMatch(e["match"], rule);
    } else if (key == "accept") {
      rule.verdict = Verdict::kAccept;
    } else if (key == "drop" || key == "reject") {
      rule.verdict = Verdict::kDrop;
    } else if (key == "return") {
      rule.verdict = Verdict::kReturn;
    } else if (key == "jump" || key == "goto") {
      rule.verdict = key == "jump" ? Verdict::kJump : Verdict::kGoto;
      rule.target = e[key].value("target", "");
    } else if (key != "counter" && key != "log" && key != "comment") {
      rule.unknown = true;  // limit, quota, xt, queue, set updates...
    }
  }
  return rule;
}

}  // namespace

void ReadNft(std::string_view text, bool skip_iptables_tables, RuleSet& set) {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("nftables") ||
      !doc["nftables"].is_array()) {
    return;
  }
  auto owned_by_iptables = [&](const std::string& family, const std::string& table) {
    return skip_iptables_tables && family == "ip" &&
           (table == "filter" || table == "raw" || table == "mangle" || table == "nat" ||
            table == "security");
  };
  struct Base {
    int hook_order;
    long long prio;
    std::string key;
  };
  std::vector<Base> bases;
  for (const auto& item : doc["nftables"]) {
    if (!item.is_object()) continue;
    if (item.contains("chain")) {
      const Json& c = item["chain"];
      const std::string family = c.value("family", ""), table = c.value("table", "");
      const std::string name = c.value("name", "");
      if ((family != "ip" && family != "inet") || owned_by_iptables(family, table)) continue;
      const std::string where = fmt::format("{} {} {}", family, table, name);
      Chain& chain = set.chains["nft/" + where];
      chain.text = "nft chain " + where;
      chain.accept_cmd = "nft insert rule " + where;
      chain.nft = true;
      chain.policy = c.value("policy", "accept") == "drop" ? Verdict::kDrop : Verdict::kAccept;
      const std::string hook = c.value("hook", "");
      if ((hook == "input" || hook == "prerouting") && c.value("type", "filter") == "filter") {
        const long long prio =
            c.contains("prio") && c["prio"].is_number_integer() ? c["prio"].get<long long>() : 0;
        bases.push_back({hook == "prerouting" ? 0 : 1, prio, "nft/" + where});
      }
    } else if (item.contains("rule")) {
      const Json& r = item["rule"];
      const std::string family = r.value("family", ""), table = r.value("table", "");
      if ((family != "ip" && family != "inet") || owned_by_iptables(family, table)) continue;
      const std::string where = fmt::format("{} {} {}", family, table, r.value("chain", ""));
      Rule rule = ParseNftRule(r, where);
      if (!rule.target.empty())
        rule.target = fmt::format("nft/{} {} {}", family, table, rule.target);
      set.chains["nft/" + where].rules.push_back(std::move(rule));
      ++set.rule_count;
    }
  }
  std::stable_sort(bases.begin(), bases.end(), [](const Base& a, const Base& b) {
    return std::tie(a.hook_order, a.prio) < std::tie(b.hook_order, b.prio);
  });
  for (const auto& b : bases) set.base.push_back(b.key);
}

}  // namespace confcast::net::doctor::fw
