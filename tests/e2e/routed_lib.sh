# Routed topology for end-to-end tests: two subnets joined by a multicast router. Source it
# after lib.sh. Built here rather than in scripts/vlan, which is one flat LAN.
#
#   subnet A 10.78.1.0/24         router            subnet B 10.78.2.0/24
#   PFX-s vl0 10.78.1.10 ---- vla 10.78.1.1  PFX-r  vlb 10.78.2.1 ---- PFX-b br0 --+-- PFX-h1 vl0 10.78.2.11
#   (sender)           veth                         veth           (bridge)  +-- PFX-h2 vl0 10.78.2.12
#
# The router namespace forwards unicast (ip_forward) and runs pimd (PIM-SM, RFC 7761): it is
# its own bootstrap router and rendezvous point, the IGMP querier on subnet B, and at once
# first-hop and last-hop router, so a receiver's IGMP join on B becomes (*,G) state and
# the first datagram from A an (S,G) entry in the kernel's multicast forwarding cache
# (/proc/net/ip_mr_cache of the router namespace). Multicast routers decrement the TTL and drop
# a datagram whose TTL would reach 0 (RFC 1112 section 6.4), so TTL 1 never leaves subnet A.
#
# Namespaces are named PFX-{s,r,b,h1,h2} with PFX unique per run; routed_down (called by the
# EXIT trap that routed_up installs, before lib.sh's cleanup) deletes them even on failure.
# pimd runs in a private mount namespace with its own /run, so its pid file and control socket
# never meet another pimd on this machine.

RT=""          # namespace prefix, set by routed_up
PIMD_PID=""    # the pimd process (in the router namespace)
RT_HOSTS=2     # receivers on subnet B

routed_ns() { echo "$RT-$1"; }  # routed_ns s|r|b|h1|h2

routed_down() {
  [ -n "$RT" ] || return 0
  if [ -n "$PIMD_PID" ]; then
    kill "$PIMD_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PIMD_PID" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$PIMD_PID" 2>/dev/null || true
  fi
  # Anything still running inside our namespaces is ours (their names are unique to this run):
  # stop it, so no process outlives the test holding a namespace alive.
  local ns pids
  local -a ours
  mapfile -t ours < <(ip netns list | awk '{print $1}' | grep -E "^$RT-(s|r|b|h[0-9]+)\$" || true)
  for ns in "${ours[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill $pids 2>/dev/null || true
  done
  for ns in "${ours[@]}"; do
    for _ in $(seq 20); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.05; done
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}

routed_exit() {
  local rc=$?
  set +e
  [ $rc -ne 0 ] && [ $rc -ne 77 ] && routed_dump >"$WORK/router.log" 2>&1
  (exit $rc)
  cleanup  # lib.sh: stops the test's processes, prints logs on failure, removes $WORK
  routed_down
  exit $rc
}

# What the router knows, for failure logs.
routed_dump() {
  echo "--- ip mroute"; ip -n "$(routed_ns r)" mroute show
  echo "--- ip_mr_vif"; ip netns exec "$(routed_ns r)" cat /proc/net/ip_mr_vif
  echo "--- igmp (router)"; ip netns exec "$(routed_ns r)" cat /proc/net/igmp
  if [ -n "$PIMD_PID" ] && kill -0 "$PIMD_PID" 2>/dev/null; then
    echo "--- pimd -r"; nsenter -t "$PIMD_PID" -m -n pimd -r 2>&1 | head -60
  fi
  echo "--- pimd log"; tail -n 30 "$WORK/pimd.log" 2>/dev/null
}

# rexec NODE CMD...: run CMD in a node of the routed topology (s, r, b, h1, h2).
rexec() { local n=$1; shift; ip netns exec "$(routed_ns "$n")" "$@"; }

# ron NODE CMD...: like lib.sh's `on`, in the background, pid in LAST, logs $WORK/$LOG.{out,log}.
ron() {
  local node=$1; shift
  local log=${LOG:-$node}
  ip netns exec "$(routed_ns "$node")" "$@" >"$WORK/$log.out" 2>"$WORK/$log.log" &
  LAST=$!
  PIDS+=("$LAST")
}

routed_host() {  # routed_host NS ADDR/LEN GATEWAY
  local ns=$1 addr=$2 gw=$3
  ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
  ip -n "$ns" link set vl0 up
  ip -n "$ns" addr add "$addr" dev vl0
  ip -n "$ns" route add default via "$gw"
  ip -n "$ns" route add 224.0.0.0/4 dev vl0
}

# routed_up: build the topology and start pimd; waits until pimd has its interfaces (vifs).
routed_up() {
  [ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces (CI runs as root)"
  need pimd pimd
  need nsenter util-linux
  [ -e /proc/net/ip_mr_cache ] || skip_kernel "no multicast routing (CONFIG_IP_MROUTE: /proc/net/ip_mr_cache is absent)"
  RT="rt$$$(printf '%04x' $((RANDOM)))"
  trap routed_exit EXIT
  local s r b
  s=$(routed_ns s) r=$(routed_ns r) b=$(routed_ns b)
  ip netns add "$s"; ip netns add "$r"; ip netns add "$b"
  # Subnet A: one veth, sender to router.
  ip -n "$s" link add vl0 type veth peer name vla netns "$r"
  routed_host "$s" 10.78.1.10/24 10.78.1.1
  # Subnet B: a bridge with the router's vlb and one port per receiver. Snooping off: the
  # bridge floods, so the router (not the switch) decides what reaches subnet B.
  ip -n "$b" link set lo up
  ip -n "$b" link add br0 type bridge mcast_snooping 0
  ip -n "$b" link set br0 up
  ip -n "$b" link add pr type veth peer name vlb netns "$r"
  ip -n "$b" link set pr master br0 up
  local i h
  for i in $(seq "$RT_HOSTS"); do
    h=$(routed_ns "h$i")
    ip netns add "$h"
    ip -n "$b" link add "p$i" type veth peer name vl0 netns "$h"
    ip -n "$b" link set "p$i" master br0 up
    routed_host "$h" "10.78.2.$((10 + i))/24" 10.78.2.1
  done
  # The router.
  ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1
  ip -n "$r" link set lo up
  ip -n "$r" link set vla up
  ip -n "$r" link set vlb up
  ip -n "$r" addr add 10.78.1.1/24 dev vla
  ip -n "$r" addr add 10.78.2.1/24 dev vlb
  # The router is its own bootstrap router (BSR) and rendezvous point for 239/8 (232/8 stays
  # SSM). A static `rp-address` would skip the election, but pimd 2.3.2 never matches groups
  # to a static RP here (no (*,G) state, nothing forwarded in 20 s), so the RP is elected
  # through BSR (RFC 5059): 6-11 s after start here, and routed_up waits for it. IGMP queries
  # every 2 s. Subnet B speaks IGMPv2: pimd 2.3.2 acts on a v2 leave with last-member queries
  # (pruned in about 4 s), while after an IGMPv3 leave it waits for the membership to time out
  # (8-12 s measured), which would make the test longer for no extra proof.
  cat >"$WORK/pimd.conf" <<EOF
igmp-query-interval 2
igmp-querier-timeout 11
phyint vla enable
phyint vlb enable igmpv2
bsr-candidate vla priority 5
rp-candidate 10.78.1.1 time 10 priority 20
group-prefix 239.0.0.0/8
spt-threshold infinity
EOF
  # A private mount namespace with a fresh /run: pimd's pid file and socket stay ours.
  ip netns exec "$r" unshare -m --propagation private sh -c \
    'mount -t tmpfs tmpfs /run && mkdir -p /run/pimd && exec pimd -f -N $2 -c "$1"' \
    sh "$WORK/pimd.conf" "--debug=${PIMD_DEBUG:-pim_cand_rp}" >"$WORK/pimd.log" 2>&1 &
  PIMD_PID=$!
  for _ in $(seq 100); do
    [ "$(ip netns exec "$r" awk 'NR>1' /proc/net/ip_mr_vif | wc -l)" -ge 2 ] && break
    kill -0 "$PIMD_PID" 2>/dev/null || break
    sleep 0.05
  done
  [ "$(ip netns exec "$r" awk 'NR>1' /proc/net/ip_mr_vif | wc -l)" -ge 2 ] ||
    fail "pimd did not start in a network namespace here: $(tail -n 5 "$WORK/pimd.log")"
  # Joins and traffic before pimd knows the RP are not routed, and pimd does not revisit them:
  # wait for the RP (its debug line "New RP candidate ..."), at most 30 s.
  local t0=$SECONDS
  for _ in $(seq 300); do
    grep -q "New RP candidate 10.78.1.1" "$WORK/pimd.log" && break
    kill -0 "$PIMD_PID" 2>/dev/null || fail "pimd exited: $(tail -n 5 "$WORK/pimd.log")"
    sleep 0.1
  done
  grep -q "New RP candidate 10.78.1.1" "$WORK/pimd.log" ||
    fail "pimd elected no rendezvous point within 30 s: $(tail -n 5 "$WORK/pimd.log")"
  RT_CONVERGED=$((SECONDS - t0))
}

# mfc_entry GROUP: the router's forwarding-cache lines for GROUP (hex as the kernel prints it).
mfc_entry() {
  local hex
  hex=$(printf '%02X%02X%02X%02X' $(echo "$1" | tr . ' ' | awk '{print $4, $3, $2, $1}'))
  rexec r awk -v g="$hex" 'NR>1 && $1==g' /proc/net/ip_mr_cache
}
