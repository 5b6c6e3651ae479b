"""Every promise the help and the README make, tried as a user would (issue 17).

Table-driven: the values come from the programs' own --help (every value of --video, --audio,
--video-sink and --audio-sink it lists) and the commands from the README's usage blocks, so a
value or a command added there without a row here fails the test. Each row says how to run it
on the virtual LAN and what a user must see: media that arrives (figures from --stats-json,
frames in the files a sink wrote), or, for a device this machine cannot have, a one-line error
that names the problem and the fix, and a non-zero exit.

Run by promises_test.sh, which builds the LAN; this file gets its names through the environment.
"""
import os
import pathlib
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from stats_json import load  # noqa: E402

SEND, RECV, KEYGEN = os.environ["CONFCAST_SEND"], os.environ["CONFCAST_RECV"], os.environ["CONFCAST_KEYGEN"]
VLAN, LAN, WORK = os.environ["VLAN"], os.environ["LAN"], pathlib.Path(os.environ["WORK"])
README = pathlib.Path(os.environ["README"])
failures = []
_port = [16000]


def next_port():
    """Each case gets its own port pair set, so a late packet of the last case never counts."""
    _port[0] += 10
    return _port[0]


def ok(desc, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + desc + ("" if cond else f" ({detail})"), flush=True)
    if not cond:
        failures.append(desc)


def on(host, argv, stdout=None, stdin=None, display=False):
    """Starts argv in host `host` of the LAN (under a fresh Xvfb when display)."""
    # promises_test.sh runs this under one Xvfb; a program without `display` does not see it.
    cmd = [VLAN, "exec", LAN, str(host)] + ([] if display else ["env", "-u", "DISPLAY"]) + argv
    return subprocess.Popen(cmd, stdout=stdout or subprocess.DEVNULL, stdin=stdin or subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=False)


def finish(p, limit=30):
    try:
        _, err = p.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    return p.returncode, err.decode("utf-8", "replace")


def receiver(host, port, tag, extra=(), display=False, stdout=None, duration=5):
    js = WORK / f"{tag}.json"
    argv = [RECV, "--iface", "vl0", "--port", str(port), "--duration", str(duration), "-q",
            "--stats-json", str(js)] + list(extra)
    if "--video-sink" not in extra:
        argv += ["--video-sink", "null"]
    if "--audio-sink" not in extra:
        argv += ["--audio-sink", "null"]
    return on(host, argv, stdout=stdout, display=display), js


def streams(js, kind):
    try:
        return [s for s in load(js)["final"]["streams"] if s["kind"] == kind]
    except Exception as e:  # a missing or cut file is a failure the row reports
        print(f"   cannot read {js.name}: {e}")
        return []


def shown(js, kind):
    return sum(s["frames_rendered"] for s in streams(js, kind))


def one_line_error(rc, err, prog, must):
    """rc != 0 and the program's last word is one line of its own that says `must`: a usage
    error ("prog: ...") or a log line ("2026-12-05 08:41:02.123 prog: error: ...")."""
    mine = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} )?" + re.escape(prog) + ":")
    lines = [l for l in err.splitlines() if l.strip()]
    last = lines[-1] if lines else ""
    ours = [l for l in lines if not mine.match(l)]
    return rc != 0 and mine.match(last) and re.search(must, last) and not ours, last


# ---- the source files the file:/y4m: rows send -------------------------------------------------

def make_sources():
    mkv, y4m = WORK / "av.mkv", WORK / "in.y4m"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=320x180:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-c:a", "libopus", str(mkv)], check=True)
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=320x180:rate=30", "-frames:v", "60", "-pix_fmt", "yuv420p", str(y4m)],
                   check=True)
    return mkv, y4m


def have_camera():
    return any(pathlib.Path("/dev").glob("video*"))


def have_sound_card():
    cards = pathlib.Path("/proc/asound/cards")
    return cards.exists() and "no soundcards" not in cards.read_text()


def have_pulse():
    runtime = os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")
    return bool(os.environ.get("PULSE_SERVER")) or pathlib.Path(runtime, "pulse", "native").exists()


# ---- --help: the values each option lists ------------------------------------------------------

def help_entries(prog):
    """{--option: description} from CLI11's --help, descriptions joined across wrapped lines."""
    text = subprocess.run([prog, "--help"], capture_output=True, text=True).stdout
    entries, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^\s{1,4}(?:-\w,)?(--[\w-]+)(.*)$", line)
        if m:
            current, rest = m.group(1), m.group(2)
            if re.match(r"\s{2,}", rest):  # no type column: the description follows
                entries[current] = rest.strip()
            else:  # a type column, then (maybe on the next line) the description
                parts = re.split(r"\s{2,}", rest.strip(), maxsplit=1)
                entries[current] = parts[1] if len(parts) > 1 else ""
        elif current and line.startswith(" " * 10) and line.strip():
            entries[current] = (entries[current] + " " + line.strip()).strip()
        else:
            current = None
    return entries


def listed_values(desc):
    """'video source: test, v4l2[:/dev/videoN], none' -> ['test', 'v4l2[:/dev/videoN]', 'none']."""
    desc = re.sub(r"\(default:.*?\)", "", desc.split(":", 1)[1] if re.match(r"^[a-z ]+source:", desc) else desc)
    return [v.strip() for v in desc.split(",") if v.strip()]


# ---- rows ---------------------------------------------------------------------------------------

def send_case(tag, send_args, check, stdin_path=None, display=False, recv_extra=()):
    """One sender value: a job for a host pair (a sender, a receiver with null sinks), on a
    port of its own."""
    def start(send_host, recv_host):
        port = next_port()
        rp, js = receiver(recv_host, port, tag.replace(" ", "_").replace("/", "_"), recv_extra, duration=3.5)
        time.sleep(0.3)
        stdin = open(stdin_path, "rb") if stdin_path else None
        sp = on(send_host, [SEND, "--iface", "vl0", "--port", str(port), "--duration", "2", "--size",
                            "320x180", "--bitrate", "500"] + send_args, stdin=stdin, display=display)

        def end():
            src, serr = finish(sp)
            finish(rp)
            if stdin:
                stdin.close()
            check(tag, src, serr, js)
        return end
    return start


def run_jobs(jobs, pairs=((1, 2), (3, 4), (5, 6))):
    """Runs jobs a batch at a time, one per host pair, each on its own ports."""
    for i in range(0, len(jobs), len(pairs)):
        ends = [job(*pair) for job, pair in zip(jobs[i:i + len(pairs)], pairs)]
        for end in ends:
            end()


def flows(kind_counts):
    """A check: the sender exits 0 and the receiver showed media of each kind (or none of it)."""
    def check(tag, rc, err, js):
        parts = []
        good = rc == 0
        for kind, want in kind_counts.items():
            n = shown(js, kind)
            parts.append(f"{kind} {n}")
            good = good and ((n > 0) if want else (not streams(js, kind)))
        ok(f"{tag}: arrives ({', '.join(parts)})", good, f"sender exit {rc}: {err.strip()[-300:]}")
    return check


def refused(must):
    def check(tag, rc, err, js):
        good, last = one_line_error(rc, err, "confcast-send", must)
        ok(f"{tag}: one-line error and exit {rc}: {last!r}", good, err.strip()[-400:])
    return check


def sender_rows(mkv, y4m):
    rows = {
        "video": {
            "test": [(["--video", "test", "--audio", "none"], flows({"video": True}), {})],
            "v4l2[:/dev/videoN]": (
                [(["--video", "v4l2"], flows({"video": True}), {})] if have_camera() else
                [(["--video", "v4l2"], refused(r"not found; cameras present: none found"), {}),
                 (["--video", "v4l2:/dev/video9"], refused(r"'v4l2:/dev/video9' not found"), {})]),
            "screen": [(["--video", "screen", "--audio", "none"], flows({"video": True}), {"display": True}),
                       (["--video", "screen"], refused(r"needs an X11 display.*DISPLAY"), {})],
            "file:PATH": [(["--video", f"file:{mkv}", "--audio", "none"], flows({"video": True}), {}),
                          (["--video", f"file:{WORK}/missing.mkv"], refused(r"not found; give an existing file"), {})],
            "y4m:PATH": [(["--video", f"y4m:{y4m}", "--audio", "none"], flows({"video": True}), {})],
            "y4m:-": [(["--video", "y4m:-", "--audio", "none"], flows({"video": True}), {"stdin_path": y4m})],
            "none": [(["--video", "none", "--audio", "test"], flows({"video": False, "audio": True}), {})],
        },
        "audio": {
            "test": [(["--video", "none", "--audio", "test"], flows({"audio": True}), {})],
            "auto": [(["--video", "none", "--audio", "auto"],
                      flows({"audio": True}) if have_sound_card() or have_pulse()
                      else refused(r"no capture device; use --audio test or none"), {})],
            "alsa[:DEV]": (
                [(["--video", "none", "--audio", "alsa"], flows({"audio": True}), {})] if have_sound_card() else
                [(["--video", "none", "--audio", "alsa"], refused(r"sound cards present: none found"), {}),
                 (["--video", "none", "--audio", "alsa:hw:9"], refused(r"'alsa:hw:9' not found"), {})]),
            "pulse[:DEV]": [(["--video", "none", "--audio", "pulse"],
                             flows({"audio": True}) if have_pulse() else refused(r"PulseAudio server running"), {}),
                            (["--video", "none", "--audio", "pulse:confcast-no-such-source"],
                             refused(r"PulseAudio server running.*--list-devices"), {})],
            "file:PATH": [(["--video", "none", "--audio", f"file:{mkv}"], flows({"audio": True}), {})],
            "none": [(["--video", "test", "--audio", "none"], flows({"video": True, "audio": False}), {})],
        },
    }
    return rows


def sink_rows():
    """Receiver sink values: (extra receiver args, display, check(js, stdout_path))."""
    def frames_in_y4m(path):
        return path.read_bytes().count(b"FRAME") if path.exists() else 0

    def probe_frames(path, stream):
        if not path.exists():
            return 0
        r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-count_packets",
                            "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
                           capture_output=True, text=True)
        try:
            return int(r.stdout.strip().splitlines()[0])
        except (ValueError, IndexError):
            return 0

    png = WORK / "png"
    png.mkdir(exist_ok=True)
    return {
        "video-sink": {
            "window": ([], True, lambda js, out: ("window shows frames", shown(js, "video"))),
            "null": ([], False, lambda js, out: ("frames decoded", shown(js, "video"))),
            "y4m:PATH": ([f"y4m:{WORK}/sink.y4m"], False,
                         lambda js, out: ("frames in the y4m file", frames_in_y4m(WORK / "sink.y4m"))),
            "y4m:-": (["y4m:-"], False, lambda js, out: ("frames on stdout", frames_in_y4m(out))),
            "record:PATH.mkv": ([f"record:{WORK}/rec.mkv"], False,
                                lambda js, out: ("H.264 packets in the recording",
                                                 probe_frames(WORK / "rec.mkv", "v:0"))),
            "png:DIR": ([f"png:{png}"], False, lambda js, out: ("PNG snapshots", len(list(png.glob("*.png"))))),
        },
        "audio-sink": {
            "auto": ([], False, None),  # judged below: no sound device here, or it plays
            "null": ([], False, lambda js, out: ("audio frames played", shown(js, "audio"))),
            "record:PATH.mkv": ([f"record:{WORK}/arec.mkv"], False,
                                lambda js, out: ("Opus packets in the recording",
                                                 probe_frames(WORK / "arec.mkv", "a:0"))),
        },
    }


def run_sinks():
    entries = help_entries(RECV)
    table = sink_rows()
    jobs = []
    for option in ("video-sink", "audio-sink"):
        values = listed_values(entries.get("--" + option, ""))
        ok(f"--{option} lists its values in --help ({', '.join(values)})", len(values) >= 2, "none parsed")
        for value in values:
            row = table[option].get(value)
            if row is None:
                ok(f"--{option} {value}: a row in tests/e2e/promises.py", False, "listed in --help, never tried")
                continue
            jobs.append(sink_case(option, value, row))
    run_jobs(jobs)


def sink_case(option, value, row):
    args, display, check = row
    tag = f"recv --{option} {value}"
    spec = args[0] if args else value

    def start(send_host, recv_host):
        port = next_port()
        out = WORK / f"stdout-{option}-{port}"
        so = open(out, "wb")
        rp, js = receiver(recv_host, port, f"sink{port}", [f"--{option}", spec], display=display, stdout=so,
                          duration=3.5)
        time.sleep(0.3)
        sp = on(send_host, [SEND, "--iface", "vl0", "--port", str(port), "--duration", "2", "--size",
                            "320x180", "--bitrate", "500"])

        def end():
            finish(sp)
            rc, err = finish(rp)
            so.close()
            if option == "audio-sink" and value == "auto":
                if have_sound_card() or have_pulse():
                    ok(f"{tag}: audio plays", rc == 0 and shown(js, "audio") > 0, err[-300:])
                else:
                    # No sound device here: the receiver says so once and goes on with video.
                    warned = [l for l in err.splitlines() if re.search(r"no audio output.*audio is dropped", l)]
                    ok(f"{tag}: no sound device here: warned once ({warned[:1]}) and still shows video",
                       rc == 0 and len(warned) == 1 and shown(js, "video") > 0, err[-400:])
                return
            what, n = check(js, out)
            ok(f"{tag}: {what}: {n}", rc == 0 and n > 0, f"exit {rc}: {err.strip()[-300:]}")
        return end
    return start


def run_sources():
    mkv, y4m = make_sources()
    entries = help_entries(SEND)
    table = sender_rows(mkv, y4m)
    jobs = []
    for option in ("video", "audio"):
        values = listed_values(entries.get("--" + option, ""))
        ok(f"--{option} lists its values in --help ({', '.join(values)})", len(values) >= 3, "none parsed")
        for value in values:
            cases = table[option].get(value)
            if cases is None:
                ok(f"--{option} {value}: a row in tests/e2e/promises.py", False, "listed in --help, never tried")
                continue
            for args, check, kw in cases:
                jobs.append(send_case(f"send {' '.join(args)}".replace(str(WORK) + "/", ""), args, check, **kw))
    run_jobs(jobs)


# ---- the README's usage commands ---------------------------------------------------------------

def readme_commands():
    """The command lines of the sh blocks under 'Using it' (up to 'Layout'), comments dropped."""
    text = README.read_text()
    usage = text[text.index("## Using it"):text.index("## Layout")]
    cmds = []
    for block in re.findall(r"```sh\n(.*?)```", usage, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                cmds.append(line)
    return cmds


def as_run(cmd, seconds=3):
    """A README line as it runs here: our binaries, the LAN's interface, files in WORK, a
    --duration (and a small picture, unless the line sets one) so that it ends by itself."""
    cmd = cmd.replace("IFACE", "vl0").replace("/tmp/", f"{WORK}/").replace("room.key", f"{WORK}/room.key")
    small = "" if "--size" in cmd else " --size 320x180 --bitrate 500"
    cmd = re.sub(r"\bconfcast-send\b", f"{SEND} --duration {seconds}{small}", cmd)
    cmd = re.sub(r"\bconfcast-recv\b(?! --list)", f"{RECV} --duration {seconds + 1} --stats-json {{json}}", cmd)
    cmd = re.sub(r"\bconfcast-recv --list\b", RECV + " --list --stats-json {json}", cmd)
    cmd = re.sub(r"\bconfcast-keygen\b", KEYGEN, cmd)
    return cmd


def sh(host, cmd, tag, display=False, seconds=3):
    js = WORK / f"{tag}.json"
    line = as_run(cmd, seconds).replace("{json}", str(js))
    if "ffplay" in line:
        line = line.replace("ffplay -i -", "timeout 6 ffplay -loglevel error -autoexit -i -")
    return on(host, ["bash", "-c", line], display=display), js


# Each README command, with the counterpart it needs and what the user must see. A README
# command with no row fails the test.
def readme_rows():
    return {
        'confcast-send --iface IFACE --name "Room A" --sdp /tmp/room-a.sdp': "sdp",
        "confcast-send --iface IFACE --video v4l2:/dev/video0 --audio pulse --size 1280x720 --bitrate 2500": "camera",
        "confcast-recv --iface IFACE": "sdp",
        "confcast-recv /tmp/room-a.sdp --video-sink y4m:- | ffplay -i -": "sdp",
        'confcast-send --iface IFACE --name "Room A" --announce': "sap",
        "confcast-recv --list": "sap",
        'confcast-recv --join "Room A"': "sap",
        "confcast-keygen -o room.key": "srtp",
        "confcast-send --key-file room.key --sdp /tmp/room.sdp --sdp-crypto": "srtp",
        "confcast-recv /tmp/room.sdp --key-file room.key": "srtp",
        "cmake --install build/release --prefix ~/.local": "install",
        "(cd build/release && cpack -G DEB) && sudo apt install ./build/release/confcast_*_amd64.deb": "install",
    }


def wait_for(path, seconds=5):
    for _ in range(int(seconds * 10)):
        if path.exists() and path.stat().st_size > 0:
            return True
        time.sleep(0.1)
    return False


def run_readme():
    cmds = readme_commands()
    rows = readme_rows()
    ok(f"README usage has commands ({len(cmds)})", len(cmds) >= 5, "none found")
    for c in cmds:
        ok(f"README command has a row: {c}", c in rows, "add it to readme_rows()")
    by = {}
    for c in cmds:
        by.setdefault(rows.get(c), []).append(c)

    if "sdp" in by:
        send, window, sdp_recv = by["sdp"]
        sp, _ = sh(1, send, "r-send")
        ok("README: the sender writes its SDP", wait_for(WORK / "room-a.sdp"), "no room-a.sdp")
        wp, wjs = sh(2, window, "r-window", display=True)
        fp, fjs = sh(3, sdp_recv, "r-ffplay", display=True)
        finish(sp)
        wrc, werr = finish(wp)
        frc, ferr = finish(fp)
        ok(f"README: `{window}` shows the participant in a window ({shown(wjs, 'video')} frames)",
           wrc == 0 and shown(wjs, "video") > 0, werr[-300:])
        ok(f"README: `{sdp_recv}` decodes from the SDP ({shown(fjs, 'video')} frames piped to ffplay)",
           shown(fjs, "video") > 0, ferr[-300:])
    if "camera" in by:
        (cam,) = by["camera"]
        p, _ = sh(1, cam, "r-cam")
        rc, err = finish(p)
        if have_camera():
            ok(f"README: `{cam}` runs", rc == 0, err[-300:])
        else:
            good, last = one_line_error(rc, err, "confcast-send", r"not found; cameras present")
            ok(f"README: `{cam}` on a machine without a camera: one-line error {last!r}", good, err[-400:])
    if "sap" in by:
        send, lst, join = by["sap"]
        # The sender outlives the 3 s --list: a sender that stops sends a deletion, and the
        # listing would rightly be empty.
        sp, _ = sh(1, send, "r-announce", seconds=6)
        time.sleep(0.5)
        lp, ljs = sh(2, lst, "r-list")
        jp, jjs = sh(3, join, "r-join")
        finish(sp)
        lrc, lerr = finish(lp)
        jrc, jerr = finish(jp)
        try:
            names = [s.get("name") for s in load(ljs)["sessions"]]
        except Exception:
            names = []
        ok(f"README: `{lst}` lists Room A ({names})", lrc == 0 and "Room A" in names, lerr[-300:])
        ok(f"README: `{join}` plays it ({shown(jjs, 'video')} frames)", jrc == 0 and shown(jjs, "video") > 0,
           jerr[-300:])
    if "srtp" in by:
        keygen, send, recv = by["srtp"]
        kp, _ = sh(1, keygen, "r-keygen")
        krc, kerr = finish(kp)
        ok("README: confcast-keygen writes the key", krc == 0 and (WORK / "room.key").exists(), kerr[-300:])
        sp, _ = sh(1, send, "r-srtp-send")
        ok("README: the encrypting sender writes its SDP", wait_for(WORK / "room.sdp"), "no room.sdp")
        rp, rjs = sh(2, recv, "r-srtp-recv")
        finish(sp)
        rrc, rerr = finish(rp)
        ok(f"README: `{recv}` decrypts and shows ({shown(rjs, 'video')} frames)",
           rrc == 0 and shown(rjs, "video") > 0, rerr[-300:])
    if "install" in by:
        run_install(*by["install"])


# What cmake --install puts in bin/: packaging/CMakeLists.txt's list, passed by tests/e2e.
PROGRAMS = os.environ["CONFCAST_INSTALLED"].split()


def run(argv, limit=300, cwd=None):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=limit, cwd=cwd)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def run_install(prefix_cmd, deb_cmd):
    """The README's two install lines, on this test's build tree (the one CONFCAST_SEND is in)
    instead of build/release, into WORK instead of ~/.local. The .deb is built and unpacked, not
    installed with apt: that would change the machine the tests run on."""
    build = pathlib.Path(SEND).resolve().parent.parent
    prefix = WORK / "local"
    ok(f"the build installs the user-facing programs ({PROGRAMS})", len(PROGRAMS) >= 5, "CONFCAST_INSTALLED")
    argv = shlex.split(prefix_cmd.replace("build/release", str(build)).replace("~/.local", str(prefix)))
    rc, out = run(argv)
    ok(f"README: `{prefix_cmd}` installs", rc == 0, out[-300:])
    for prog in PROGRAMS:
        rc, out = run([str(prefix / "bin" / prog), "--version"], 30)
        ok(f"README: {prog} from the installed prefix answers --version ({out.strip()!r})",
           rc == 0 and out.startswith(prog), out[-300:])
    debs = WORK / "deb"
    rc, out = run(["cpack", "-G", "DEB", "-B", str(debs)], cwd=build)
    found = sorted(debs.glob("confcast_*_amd64.deb"))
    ok(f"README: `{deb_cmd.split(' && sudo')[0]}` builds a .deb ({[f.name for f in found]})",
       rc == 0 and len(found) == 1, out[-300:])
    if not found:
        return
    rc, listing = run(["dpkg-deb", "-c", str(found[0])])
    for prog in PROGRAMS:
        for path in (f"./usr/bin/{prog}", f"./usr/share/man/man1/{prog}.1",
                     f"./usr/share/bash-completion/completions/{prog}",
                     f"./usr/share/zsh/vendor-completions/_{prog}"):
            ok(f"README: the .deb holds {path}", path in listing.split(), "not in dpkg-deb -c")
    rc, depends = run(["dpkg-deb", "-f", str(found[0]), "Depends"])
    ok(f"README: the .deb declares its runtime dependencies ({len(depends.split(','))})",
       rc == 0 and "libavcodec" in depends and "libopus" in depends and "gstreamer" in depends, depends)
    root = WORK / "deb-root"
    rc, out = run(["dpkg-deb", "-x", str(found[0]), str(root)])
    rc, out = run([str(root / "usr/bin/confcast-recv"), "--version"], 30)
    ok(f"README: confcast-recv from the unpacked .deb runs ({out.strip()!r})", rc == 0, out[-300:])


def main():
    run_sources()
    run_sinks()
    run_readme()
    if failures:
        print(f"FAIL: {len(failures)} promise(s) broken: " + "; ".join(failures))
        return 1
    print("ok: every promise kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
