#!/usr/bin/env bash
# SRTP with a group key (--key-file): a receiver with the key renders the stream; one with
# another key renders nothing and reports authentication failures; one without a key renders
# nothing, says the payload looks encrypted, and does not crash; on the wire the payloads carry
# no H.264 structure. Key files: confcast-keygen writes 0600, refuses to overwrite, and a
# world-readable key is refused. An SDP with a=crypto names the suite, never the key by default.
source "$(dirname "$0")/lib.sh"
KEYGEN=${CONFCAST_KEYGEN:-$(dirname "$SEND")/../net/confcast-keygen}
need_exe "$KEYGEN" confcast-keygen

"$KEYGEN" -o "$WORK/group.key" 2>"$WORK/keygen.log" || fail "keygen failed: $(cat "$WORK/keygen.log")"
"$KEYGEN" -o "$WORK/other.key" 2>>"$WORK/keygen.log" || fail "keygen failed"
[ "$(stat -c %a "$WORK/group.key")" = 600 ] || fail "keygen wrote mode $(stat -c %a "$WORK/group.key")"
if "$KEYGEN" -o "$WORK/group.key" 2>"$WORK/again.log"; then fail "keygen overwrote a key without --force"; fi
grep -q -- "--force" "$WORK/again.log" || fail "keygen's refusal does not mention --force"
echo "ok: keygen writes mode 0600 and refuses to overwrite"
cp "$WORK/group.key" "$WORK/open.key" && chmod 644 "$WORK/open.key"
if "$RECV" --key-file "$WORK/open.key" --video-sink null --duration 1 -q 2>"$WORK/open.log"; then
  fail "a world-readable key file was accepted"
fi
grep -q "chmod 600 $WORK/open.key" "$WORK/open.log" || fail "no 'chmod 600' advice: $(cat "$WORK/open.log")"
echo "ok: a world-readable key is refused with 'chmod 600'"

e2e_lan 4
cap=""
if command -v tshark >/dev/null; then
  LOG=tshark on 4 tshark -q -i any -f "udp dst port 15550" -a duration:6 -w "$WORK/cap.pcapng"
  cap=$LAST
fi
LOG=recv2 on 2 "$RECV" --key-file "$WORK/group.key" --video-sink null --audio-sink null \
    --duration 9 -q --stats-json "$WORK/recv2.json"
good=$LAST
LOG=recv3 on 3 "$RECV" --key-file "$WORK/other.key" --video-sink null --audio-sink null \
    --duration 9 -q --stats-json "$WORK/recv3.json"
wrong=$LAST
LOG=recv4 on 4 "$RECV" --video-sink null --audio-sink null --duration 9 -q \
    --stats-json "$WORK/recv4.json"
plain=$LAST
sleep 1
LOG=send on 1 "$SEND" --key-file "$WORK/group.key" --size 640x360 --fps 30 --duration 6 \
    --sdp "$WORK/session.sdp" --sdp-crypto --stats-json "$WORK/send.json"
send=$LAST
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$good" 30 || fail "the receiver with the key exited non-zero"
set +e
wait_pid "$wrong" 30; wrong_rc=$?
wait_pid "$plain" 30; plain_rc=$?
set -e
[ -n "$cap" ] && { wait "$cap" || true; }

frames=$(json "$WORK/send.json" "d['final']['video']['frames']")
note "sender sent $frames frames; SRTP: $(json "$WORK/send.json" "d['final']['srtp']")"
check "sender protected its RTP" "d['final']['srtp']['protected_rtp'] >= $frames" "$WORK/send.json"
video="[s for s in d['final']['streams'] if s['kind']=='video']"
rendered="sum(s['frames_rendered'] for s in $video)"
check "the receiver with the key rendered >= 95% of $frames frames" "$rendered >= 0.95*$frames" "$WORK/recv2.json"
check "the receiver with the key authenticated RTP" "d['final']['srtp']['unprotected_rtp'] > 500" "$WORK/recv2.json"

[ "$wrong_rc" -eq 3 ] || fail "the receiver with another key exited $wrong_rc, expected 3 (nothing passed SRTP)"
check "the receiver with another key rendered nothing" "$rendered == 0 and d['final']['srtp']['unprotected_rtp'] == 0" "$WORK/recv3.json"
check "the receiver with another key counted authentication failures" "d['final']['srtp']['auth_fail'] > 500" "$WORK/recv3.json"
grep -q "failed SRTP authentication: wrong --key-file" "$WORK/recv3.log" || fail "no authentication-failure line from recv3"
echo "ok: the receiver with another key names the failure"

[ "$plain_rc" -eq 0 ] || fail "the receiver without a key exited $plain_rc (crash?)"
check "the receiver without a key rendered nothing" "$rendered == 0" "$WORK/recv4.json"
check "the receiver without a key dropped SRTCP as malformed" "d['final']['malformed_rtcp'] > 0" "$WORK/recv4.json"
grep -q "payload undecodable: .*use --key-file" "$WORK/recv4.log" || fail "no 'payload undecodable' hint from recv4"
echo "ok: the receiver without a key says the stream looks encrypted"
grep -q "RTCP packets failed SRTP authentication" "$WORK/send.log" || fail "the sender did not name the plain receiver's RTCP"
echo "ok: the sender names RTCP that failed authentication"

grep -q "^m=video .* RTP/SAVPF 96" "$WORK/session.sdp" || fail "SDP media is not RTP/SAVPF"
grep -q "^a=crypto:1 AES_CM_128_HMAC_SHA1_80" "$WORK/session.sdp" || fail "SDP has no a=crypto"
if grep -q "inline:" "$WORK/session.sdp"; then fail "the SDP carries the key without --sdp-crypto=with-key"; fi
echo "ok: the SDP names the suite and not the key"
if "$RECV" "$WORK/session.sdp" --video-sink null --duration 1 -q 2>"$WORK/sdp.log"; then
  fail "a receiver without --key-file accepted an encrypted SDP"
fi
grep -q "pass the group's key with --key-file" "$WORK/sdp.log" || fail "no --key-file advice: $(cat "$WORK/sdp.log")"
echo "ok: an SDP with a=crypto and no --key-file is refused with one line"

if [ -n "$cap" ]; then
  # First payload byte of each video packet: a plain H.264 stream has a valid NAL header
  # (F=0, type 1-24 or 28) in every packet; SRTP ciphertext in about 39% of them.
  tshark -r "$WORK/cap.pcapng" -d udp.port==15550,rtp -T fields -e rtp.payload 2>/dev/null |
    python3 -c '
import sys
heads = [int(l.strip().replace(":", "")[:2], 16) for l in sys.stdin if l.strip()]
valid = sum(1 for b in heads if b & 0x80 == 0 and (1 <= b & 0x1f <= 24 or b & 0x1f == 28))
print(f"{len(heads)} video payloads on the wire, {valid} start like H.264")
sys.exit(0 if len(heads) > 300 and valid < 0.6 * len(heads) else 1)' ||
    fail "payloads on the wire look like plain H.264"
  echo "ok: no H.264 structure on the wire"
fi
