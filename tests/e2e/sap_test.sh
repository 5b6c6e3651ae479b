#!/usr/bin/env bash
# SAP discovery (RFC 2974) on a virtual LAN: confcast-send --announce on host 1; on host 2
# confcast-recv --list shows the session (name, group, media, origin) and a second, longer
# --list sees the deletion the sender sends when it stops; on host 3 --join NAME plays it. An
# independent listener sees it too: VLC's own SAP discovery (cvlc -S sap) when VLC is
# installed. On the wire (tshark on host 2) every SAP packet goes to 224.2.127.254:9875 with
# the session's TTL: 2 here, because 1 is the kernel's default multicast TTL and a test at 1
# could not tell whether the sender applied it.
source "$(dirname "$0")/lib.sh"
need tshark tshark
e2e_lan 3
origin=$(addr 1)

LOG=cap on 2 tshark -q -i vl0 -f "udp port 9875" -a duration:10 -w "$WORK/sap.pcapng"
cap=$LAST
need cvlc vlc-bin
ls /usr/lib/*/vlc/plugins/services_discovery/libsap_plugin.so >/dev/null 2>&1 ||
  fail "VLC's SAP plugin missing: scripts/install-deps installs vlc-plugin-base"
vlc=""
if true; then
  # VLC refuses to run as root: run it as nobody. Its command-line interface prints the
  # playlist, where the SAP discovery adds what it heard under "Network streams (SAP)".
  # --no-sap-parse: VLC 3's own SDP shortcut takes single-port sessions only and drops a
  # video+audio one ("Multiple media ports not supported -> live555"); without the shortcut
  # it lists every announced session and hands its SDP to the SDP demuxer.
  LOG=vlc on 2 bash -c '(sleep 6; echo playlist; sleep 0.5; echo quit) |
    runuser -u nobody -- env HOME=/tmp cvlc -I cli -S sap --no-sap-parse --no-audio --no-video 2>/dev/null'
  vlc=$LAST
fi
LOG=list1 on 2 "$RECV" --list --duration 5 --stats-json "$WORK/list1.json"
list1=$LAST
LOG=list2 on 2 "$RECV" --list --duration 10 --stats-json "$WORK/list2.json"
list2=$LAST
LOG=join on 3 "$RECV" --join alice --join-timeout 8 --video-sink null --audio-sink null \
    --duration 4 --stats-json "$WORK/join.json"
join=$LAST
sleep 1
LOG=send on 1 "$SEND" --announce --announce-interval 1 --name alice --ttl 2 --size 320x240 \
    --fps 15 --duration 6
send=$LAST

wait_pid "$list1" 20 || fail "confcast-recv --list exited non-zero (nothing listed?)"
cat "$WORK/list1.out"
check "--list shows alice" "[s['name'] for s in d['sessions']] == ['alice']" "$WORK/list1.json"
check "--list shows the group" "d['sessions'][0]['group'] == '239.0.0.11'" "$WORK/list1.json"
check "--list shows video and audio" \
  "d['sessions'][0]['media'] == 'video 15550 H264, audio 15552 opus'" "$WORK/list1.json"
check "--list shows the origin" "d['sessions'][0]['origin'] == '$origin'" "$WORK/list1.json"
grep -q "^alice  *239.0.0.11  *video 15550 H264, audio 15552 opus  *$origin " "$WORK/list1.out" ||
  fail "the --list table has no row for alice"
echo "ok: --list table row"

wait_pid "$send" 20 || fail "confcast-send exited non-zero"
wait_pid "$join" 20 || fail "confcast-recv --join exited non-zero"
grep -q "joining 'alice' 239.0.0.11" "$WORK/join.log" || fail "--join did not report what it joined"
video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
check "--join alice rendered frames" "$video['frames_rendered'] >= 20" "$WORK/join.json"

rc=0
wait_pid "$list2" 20 || rc=$?
grep -q "SAP: + 'alice'" "$WORK/list2.log" || fail "the running --list never saw alice"
grep -q "SAP: - 'alice'.*deleted by its announcer" "$WORK/list2.log" ||
  fail "the running --list did not see the deletion when the sender stopped"
[ "$rc" -eq 3 ] || fail "after the deletion --list should list nothing (exit 3), got $rc"
check "after the deletion nothing is listed" "d['sessions'] == []" "$WORK/list2.json"

wait_pid "$cap" 15 || true
tshark -r "$WORK/sap.pcapng" -T fields -e ip.dst -e ip.ttl -e sap.flags.t 2>/dev/null | sort | uniq -c \
  >"$WORK/ttl.txt" || true
cat "$WORK/ttl.txt"
python3 - "$WORK/ttl.txt" <<'PY' || fail "SAP packets must go to 224.2.127.254 with the session's TTL 2"
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
assert rows, "no SAP packet captured"
for count, dst, ttl, *t in rows:
    assert dst == "224.2.127.254" and ttl == "2", (dst, ttl)
assert any(r[3:] and r[3] in ("1", "True") for r in rows), "no deletion on the wire"
PY
echo "ok: SAP on the wire goes to 224.2.127.254 with TTL 2, deletion included"
bad=$(tshark -r "$WORK/sap.pcapng" -Y "sap && (_ws.malformed || _ws.expert.severity >= warning)" 2>/dev/null | wc -l)
[ "$bad" -eq 0 ] || fail "tshark flags $bad SAP packets as malformed"
echo "ok: tshark dissects every SAP packet without complaint"

if [ -n "$vlc" ]; then
  wait_pid "$vlc" 20 || true
  cat "$WORK/vlc.out"
  grep -q "^|   [0-9]* - alice" "$WORK/vlc.out" || fail "VLC's SAP discovery did not list alice"
  echo "ok: VLC's SAP discovery lists alice"
else
  note "VLC (vlc-bin, vlc-plugin-base) not installed: skipped the VLC discovery check"
fi
