#!/usr/bin/env bash
# Every promise of --help and the README, tried on a virtual LAN: each value --help lists for
# --video, --audio, --video-sink and --audio-sink, and each command of the README's usage
# section (tests/e2e/promises.py has the table and says what a user must see for each).
source "$(dirname "$0")/lib.sh"
need xvfb-run xvfb
need ffmpeg ffmpeg
need ffprobe ffmpeg
need ffplay ffmpeg
need_exe "$CONFCAST_KEYGEN" confcast-keygen
e2e_lan 6
export VLAN LAN WORK README="$E2E_ROOT/README.md"
# One X server for the rows that need a display (windows, screen capture, ffplay).
xvfb-run -a -s "-screen 0 1024x768x24" python3 "$E2E_ROOT/tests/e2e/promises.py" ||
  fail "a promise of --help or the README is broken (above)"
