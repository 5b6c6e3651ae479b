#!/usr/bin/env bash
# confcast-send --list-devices as a user runs it: exit 0; a "video capture devices:" and an
# "audio capture devices:" heading, each followed by device lines ("--video v4l2:...",
# "--audio pulse:...|alsa:...") or by one "none found" line; nothing on stderr but GStreamer's
# own warnings; a v4l2 value only for a /dev/video* node that exists. On a machine without
# cameras or sound cards this checks the "none found" lines; nothing is faked.
set -euo pipefail
send=$1
fail() { echo "list_devices_test: FAIL: $*" >&2; exit 1; }

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$send" --list-devices >"$out" 2>"$err" || fail "exit $? (stderr: $(head -3 "$err"))"
cat "$out"

awk '
  /^video capture devices:$/ { kind = "video"; seen[kind]++; next }
  /^audio capture devices:$/ { kind = "audio"; seen[kind]++; next }
  kind == "" { print "text before the first heading: " $0; bad = 1; next }
  /^  none found \(/ { none[kind]++; next }
  kind == "video" && /^  --video (v4l2:\/dev\/[^ ]+) / { devices[kind]++; next }
  kind == "audio" && /^  --audio (pulse|alsa):[^ ]+ / { devices[kind]++; next }
  /^  \(.*\)$/ { devices[kind]++; next }   # a device confcast-send cannot capture from
  { print "unexpected line: " $0; bad = 1 }
  END {
    for (k in seen) if (seen[k] != 1) { print k ": heading " seen[k] " times"; bad = 1 }
    if (!("video" in seen) || !("audio" in seen)) { print "a heading is missing"; bad = 1 }
    for (k in seen) if ((none[k] > 0) == (devices[k] > 0) || none[k] > 1) {
      print k ": needs either devices or exactly one none-found line"; bad = 1 }
    exit bad
  }' "$out" || fail "output does not have the documented shape (above)"

while read -r dev; do
  [ -e "$dev" ] || fail "offers --video v4l2:$dev, but $dev does not exist"
done < <(sed -n 's/^  --video v4l2:\([^ ]*\) .*/\1/p' "$out")
if ! compgen -G '/dev/video*' >/dev/null; then
  grep -q '^  --video v4l2:' "$out" && fail "offers a v4l2 camera on a machine with no /dev/video*"
fi
echo "list_devices_test: ok"
