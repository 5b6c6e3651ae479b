#!/usr/bin/env bash
# --log-level, -q and -v on every program, from real runs (net/include/confcast/net/log.h):
#  - a bad level, and -q with -v, are one-line usage errors with a non-zero exit, for each program;
#  - log lines read "<date> <time>.<ms> <program>: <level>: <text>";
#  - a debug line appears only at debug (-v or --log-level debug), -q leaves no info line and no
#    status line, errors still show under -q, --log-level off shows nothing;
#  - with stderr in a file there is no status line (no \r); on a terminal (script(1) gives a
#    pty) confcast-recv and confcast-send draw one that fits the terminal's width.
# confcast-keygen runs anywhere; the others run on a two-host virtual LAN (root).
source "$(dirname "$0")/../e2e/lib.sh"
KEYGEN=${CONFCAST_KEYGEN:?CONFCAST_KEYGEN must name confcast-keygen}
DOCTOR=${CONFCAST_DOCTOR:?CONFCAST_DOCTOR must name confcast-doctor}
PROBE=${CONFCAST_PROBE:?CONFCAST_PROBE must name confcast-probe}
IMPAIR=${CONFCAST_IMPAIR:-}
for exe in "$SEND" "$RECV" "$KEYGEN" "$DOCTOR" "$PROBE"; do need_exe "$exe" "$(basename "$exe")"; done
need script bsdutils

stamp='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}'
# lines FILE PROGRAM LEVEL: how many log lines of that level the program wrote.
lines() { grep -Ec "^$stamp $2: $3: " "$1" || true; }
# expect WHAT ACTUAL OP N: a count compared with test(1)'s OP.
expect() { [ "$2" "$3" "$4" ] || fail "$1: $2 (want $3 $4)"; echo "ok: $1 ($2)"; }
# no_stray FILE PROGRAM: every line of FILE is a log line of PROGRAM (no hand-made prefixes).
no_stray() {
  local bad; bad=$(grep -Evc "^$stamp $2: (trace|debug|info|warning|error|critical): " "$1" || true)
  [ "$bad" -eq 0 ] || fail "$(basename "$1"): $bad lines that are not log lines: $(grep -Ev "^$stamp $2: " "$1" | head -3)"
}
no_cr() { if grep -q $'\r' "$1"; then fail "$(basename "$1"): a status line (\\r) in a file"; fi; }

# 1. Usage errors: one line, non-zero exit, for every program. Each gets otherwise valid
#    arguments, so the error is about the log options.
usage_error() {
  local name=$1; shift
  set +e
  "$@" >"$WORK/usage.out" 2>"$WORK/usage.err"
  local rc=$?
  set -e
  [ $rc -ne 0 ] || fail "$name: '$*' exited 0"
  [ "$(wc -l <"$WORK/usage.err")" -eq 1 ] || fail "$name: not one line: $(cat "$WORK/usage.err")"
  [ ! -s "$WORK/usage.out" ] || fail "$name: a usage error on stdout"
  cat "$WORK/usage.err"
}
programs=("$SEND" "$RECV" "$KEYGEN" "$DOCTOR" "$PROBE")
[ -n "$IMPAIR" ] && programs+=("$IMPAIR")
for exe in "${programs[@]}"; do
  p=$(basename "$exe")
  args=()
  [ "$p" = confcast-probe ] && args=(--recv --group 239.0.0.11:15550)
  usage_error "$p" "$exe" "${args[@]}" --log-level bogus
  grep -q -- "--log-level: 'bogus' is not a level; use trace, debug, info, warn, error or off" "$WORK/usage.err" ||
    fail "$p: the bad level is not named with the choices"
  usage_error "$p" "$exe" "${args[@]}" -q -v
  grep -q -- "-q.*excludes.*-v\|--quiet.*excludes.*--verbose" "$WORK/usage.err" || fail "$p: -q -v not refused"
  "$exe" --help >"$WORK/help.out"
  for opt in "--log-level LEVEL" "-q, ?--quiet" "-v, ?--verbose"; do
    grep -Eq -- "$opt" "$WORK/help.out" || fail "$p --help does not list $opt"
  done
  echo "ok: $p: bad --log-level and -q -v refused in one line; --help lists the options"
done

# 2. confcast-keygen, no network needed.
k() { local log=$1; shift; set +e; "$KEYGEN" "$@" >"$WORK/$log.out" 2>"$WORK/$log.log"; RC=$?; set -e; }
k keygen -o "$WORK/k1.key"
expect "keygen: info lines by default" "$(lines "$WORK/keygen.log" confcast-keygen info)" -eq 1
expect "keygen: no debug line by default" "$(lines "$WORK/keygen.log" confcast-keygen debug)" -eq 0
no_stray "$WORK/keygen.log" confcast-keygen
k keygen_debug --log-level debug -o "$WORK/k2.key"
expect "keygen: a debug line at --log-level debug" "$(lines "$WORK/keygen_debug.log" confcast-keygen debug)" -ge 1
k keygen_v -v -o "$WORK/k3.key"
expect "keygen: a debug line with -v" "$(lines "$WORK/keygen_v.log" confcast-keygen debug)" -ge 1
k keygen_q -q -o "$WORK/k4.key"
[ "$RC" -eq 0 ] && [ -s "$WORK/k4.key" ] || fail "keygen -q did not write its key"
expect "keygen -q: nothing on stderr" "$(wc -c <"$WORK/keygen_q.log")" -eq 0
k keygen_q_err -q -o "$WORK/k4.key"
[ "$RC" -ne 0 ] || fail "keygen overwrote a key under -q"
expect "keygen -q: the error still shows" "$(lines "$WORK/keygen_q_err.log" confcast-keygen error)" -eq 1
grep -q -- "--force" "$WORK/keygen_q_err.log" || fail "keygen's refusal lost its text: $(cat "$WORK/keygen_q_err.log")"
k keygen_off --log-level off -o "$WORK/k4.key"
[ "$RC" -ne 0 ] || fail "keygen overwrote a key at --log-level off"
expect "keygen --log-level off: nothing at all" "$(wc -c <"$WORK/keygen_off.log")" -eq 0

# 3. The rest on a virtual LAN.
e2e_lan 2
h() { local host=$1; shift; "$VLAN" exec "$LAN" "$host" "$@"; }

# confcast-doctor: its checks go to stdout at every level; the commands it runs are debug lines.
for level in default debug quiet; do
  args=()
  [ $level = debug ] && args=(--log-level debug)
  [ $level = quiet ] && args=(-q)
  set +e
  h 1 "$DOCTOR" "${args[@]}" >"$WORK/doctor_$level.out" 2>"$WORK/doctor_$level.log"
  set -e
  grep -Eq "^(OK|WARN|FAIL|SKIP) +loopback" "$WORK/doctor_$level.out" || fail "doctor ($level) printed no checks: $(head -5 "$WORK/doctor_$level.out")"
  no_stray "$WORK/doctor_$level.log" confcast-doctor
done
expect "doctor: debug lines at --log-level debug" "$(lines "$WORK/doctor_debug.log" confcast-doctor debug)" -ge 1
grep -q "debug: iptables-save: exit status" "$WORK/doctor_debug.log" || fail "doctor: no debug line for iptables-save"
expect "doctor: no debug line by default" "$(lines "$WORK/doctor_default.log" confcast-doctor debug)" -eq 0
expect "doctor -q: no info line" "$(lines "$WORK/doctor_quiet.log" confcast-doctor info)" -eq 0

# confcast-probe: the receiver on host 2 at one level, the sender on host 1 at another.
probe_pair() {
  local name=$1 recv_level=$2 send_level=$3
  LOG=probe_recv_$name on 2 "$PROBE" --recv --group 239.0.0.11:15560 --count 50 --timeout 10 $recv_level
  local recv=$LAST
  for _ in $(seq 100); do grep -q ready "$WORK/probe_recv_$name.out" 2>/dev/null && break; sleep 0.05; done
  h 1 "$PROBE" --send --group 239.0.0.11:15560 --count 50 --rate 500 $send_level \
    >"$WORK/probe_send_$name.out" 2>"$WORK/probe_send_$name.log"
  wait_pid "$recv" 15
  grep -q "^result received=50 " "$WORK/probe_recv_$name.out" || fail "probe $name: $(cat "$WORK/probe_recv_$name.out")"
  no_stray "$WORK/probe_recv_$name.log" confcast-probe
  no_stray "$WORK/probe_send_$name.log" confcast-probe
}
probe_pair a "-v" "-q"
probe_pair b "" "--log-level debug"
expect "probe -v: debug lines" "$(lines "$WORK/probe_recv_a.log" confcast-probe debug)" -ge 1
expect "probe -q: no info line" "$(lines "$WORK/probe_send_a.log" confcast-probe info)" -eq 0
expect "probe -q: nothing at all here" "$(wc -c <"$WORK/probe_send_a.log")" -eq 0
expect "probe: an info line by default" "$(lines "$WORK/probe_recv_b.log" confcast-probe info)" -ge 1
expect "probe: no debug line by default" "$(lines "$WORK/probe_recv_b.log" confcast-probe debug)" -eq 0
expect "probe --log-level debug: debug lines" "$(lines "$WORK/probe_send_b.log" confcast-probe debug)" -ge 1

# confcast-send and confcast-recv: three runs, each program at each of default, -v and -q.
av_pair() {
  local name=$1 recv_level=$2 send_level=$3
  LOG=recv_$name on 2 "$RECV" --port 15570 --video-sink null --audio-sink null --duration 5 \
    --stats-json "$WORK/recv_$name.json" $recv_level
  local recv=$LAST
  sleep 0.3
  LOG=send_$name on 1 "$SEND" --port 15570 --size 320x180 --bitrate 300 --audio test --duration 3.5 $send_level
  local send=$LAST
  wait_pid "$send" 20
  wait_pid "$recv" 20
  check "recv $name: frames shown" "d['final']['streams'] and max(s['frames_rendered'] for s in d['final']['streams']) > 30" "$WORK/recv_$name.json"
  for f in recv_$name send_$name; do no_cr "$WORK/$f.log"; done
  no_stray "$WORK/recv_$name.log" confcast-recv
  no_stray "$WORK/send_$name.log" confcast-send
}
av_pair a "-v" ""
av_pair b "-q" "-v"
av_pair c "" "-q"
# program RUN: confcast-recv for recv_a, confcast-send for send_b.
program() { local r=${1%_*}; echo "confcast-$r"; }
for run in recv_a send_b; do
  p=$(program $run)
  expect "$p -v: debug lines" "$(lines "$WORK/$run.log" "$p" debug)" -ge 3
  expect "$p -v: the status details each second" \
    "$(grep -Ec "^$stamp $p: debug: status [0-9]+ s: " "$WORK/$run.log" || true)" -ge 2
done
grep -q "debug: new video source [0-9a-f]\{8\}$" "$WORK/recv_a.log" || fail "recv -v: no 'new video source' line"
for run in recv_c send_a; do
  p=$(program $run)
  expect "$p: info lines by default" "$(lines "$WORK/$run.log" "$p" info)" -ge 2
  expect "$p: no debug line by default" "$(lines "$WORK/$run.log" "$p" debug)" -eq 0
done
grep -q "info: multicast .* on interface vl0 " "$WORK/recv_c.log" || fail "recv: no startup line at info"
grep -q "info: --duration reached after" "$WORK/send_a.log" || fail "send: no summary at info"
for run in recv_b send_c; do
  p=$(program $run)
  expect "$p -q: no info line" "$(lines "$WORK/$run.log" "$p" info)" -eq 0
  expect "$p -q: no debug line" "$(lines "$WORK/$run.log" "$p" debug)" -eq 0
done

# On a terminal: the receiver and the sender draw a status line that fits the terminal's width,
# 80 columns by default (79 used) and 50 after `stty cols 50`; -q draws none. script(1) runs them
# on a pty and records what they wrote (with the pty's \r\n for \n).
# tty_run NAME COLUMNS HOST CMD...: CMD on host HOST on a pty (COLUMNS wide unless 0), what it
# wrote in $WORK/NAME.tty.
tty_run() {
  local name=$1 cols=$2 host=$3; shift 3
  local size=""
  [ "$cols" -gt 0 ] && size="stty cols $cols rows 24; "
  h "$host" script -qefc "${size}exec $(printf '%q ' "$@")" /dev/null >"$WORK/$name.tty" 2>&1 &
  TTY_PIDS+=($!)
  PIDS+=($!)
}
TTY_PIDS=()
tty_run tty_recv 0 2 "$RECV" --port 15580 --video-sink null --audio-sink null --duration 4.5
tty_run tty_recv_narrow 50 2 "$RECV" --port 15580 --video-sink null --audio-sink null --duration 4.5
tty_run tty_recv_quiet 0 2 "$RECV" --port 15580 --video-sink null --audio-sink null --duration 4.5 -q
sleep 0.3
tty_run tty_send 0 1 "$SEND" --port 15580 --size 320x180 --bitrate 300 --duration 3.5
for pid in "${TTY_PIDS[@]}"; do wait_pid "$pid" 20; done
python3 - "$WORK" <<'PY' || fail "status lines on a terminal (above)"
import re, sys
w = sys.argv[1]
ok = True
def status_lines(name):
    text = open(f"{w}/{name}.tty", "rb").read().decode("utf-8", "replace").replace("\r\n", "\n")
    # A status line is drawn after "\r\033[K" and ends at the next \r or \n; a log message
    # written over it starts the same way, with its time stamp.
    drawn = re.findall(r"\r\x1b\[K([^\r\n]*)", text)
    return [l for l in drawn if not re.match(r"\d{4}-\d\d-\d\d ", l)]
for name, width, want in (("tty_recv", 79, True), ("tty_recv_narrow", 49, True),
                          ("tty_send", 79, True), ("tty_recv_quiet", 79, False)):
    lines = [l for l in status_lines(name) if l]
    longest = max((len(l) for l in lines), default=0)
    print(f"== {name}: {len(lines)} status lines, longest {longest} columns"
          + (f": {max(lines, key=len)!r}" if lines else ""))
    if want and len(lines) < 2:
        print(f"FAIL: {name}: fewer than 2 status lines on a terminal"); ok = False
    if not want and lines:
        print(f"FAIL: {name}: -q drew a status line"); ok = False
    if longest > width:
        print(f"FAIL: {name}: a status line of {longest} columns (at most {width})"); ok = False
recv = status_lines("tty_recv")
if not any(re.match(r"shown \d+ \(\d+ fps\) \| lost \d+ \| ", l) for l in recv):
    print("FAIL: the receiver's status line does not start with frames shown and loss"); ok = False
send = status_lines("tty_send")
if not any(re.match(r"\d+ fps \| \d+\+\d+ kbit/s \| \d+ receivers? \| ", l) for l in send):
    print("FAIL: the sender's status line does not start with fps, bitrate, receivers"); ok = False
sys.exit(0 if ok else 1)
PY
echo "ok: status lines fit the terminal, -q draws none"

# confcast-impair (NFQUEUE in host 1's namespace): the seed is a debug line, the settings info.
if [ -n "$IMPAIR" ]; then
  for level in default debug quiet; do
    args=()
    [ $level = debug ] && args=(--log-level debug)
    [ $level = quiet ] && args=(-q)
    set +e
    h 1 timeout -s TERM 1 "$IMPAIR" --queue 7 --delay-ms 5 "${args[@]}" \
      >"$WORK/impair_$level.out" 2>"$WORK/impair_$level.log"
    set -e
    grep -q "^packets=0 dropped=0" "$WORK/impair_$level.out" || fail "impair ($level) did not run: $(cat "$WORK/impair_$level.log")"
    no_stray "$WORK/impair_$level.log" confcast-impair
  done
  expect "impair: the settings at info" "$(lines "$WORK/impair_default.log" confcast-impair info)" -eq 1
  expect "impair: no debug line by default" "$(lines "$WORK/impair_default.log" confcast-impair debug)" -eq 0
  expect "impair --log-level debug: the seed" "$(lines "$WORK/impair_debug.log" confcast-impair debug)" -eq 1
  expect "impair -q: nothing" "$(wc -c <"$WORK/impair_quiet.log")" -eq 0
fi
echo "PASS"
