#!/usr/bin/env python3
"""Every --option that a user-facing message names exists in the program that prints it.

Messages are string literals in the sources; a program's options are the names given to CLI11's
add_option/add_flag in its option parser. A message in a file that several programs use (net/src,
media/src) must name an option every one of them has, unless only one can reach it (listed
below, with why); when the clause names a program ("confcast-keygen --suite"), that program
must have it. This is what let five messages send
users to --interface, which no program of ours had."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
parsers = {
    "confcast-send": ["sender/src/options.cc"],
    "confcast-recv": ["receiver/src/options.cc"],
    "confcast-probe": ["net/tools/probe.cc"],
    "confcast-doctor": ["net/tools/doctor.cc"],
    "confcast-keygen": ["net/tools/keygen.cc"],
    "confcast-impair": ["net/tools/impair.cc"],
    "confcast-sim": ["sim/src/main.cc"],
}
users = {  # source folder -> programs whose messages come from it
    "sender/src": ["confcast-send"],
    "receiver/src": ["confcast-recv"],
    "net/src": ["confcast-send", "confcast-recv"],
    "media/src": ["confcast-send", "confcast-recv"],
    "sim/src": ["confcast-sim"],
}
# Messages on paths only one of a shared file's programs can reach, with why.
reached_by_one = {
    ("net/src/endpoint.cc", "--source"): "only receivers pass a source filter",
    ("net/src/srtp_key.cc", "--force"): "printed when confcast-keygen would overwrite a key file",
    ("media/src/audio_source.cc", "--audio"): "capture: the sender's",
    ("media/src/video_source.cc", "--video"): "capture: the sender's",
    ("media/src/video_sink.cc", "--video-sink"): "rendering: the receiver's",
}
# Options a parser gets from a shared helper: the helper's file is read as part of the parser.
helpers = {"AddLogOptions(": "net/src/log.cc"}
defined = {}
for prog, files in parsers.items():
    names = {"--help", "--version"}  # CLI11's own (set_version_flag in every program)
    for f in files:
        text = (root / f).read_text()
        for call, helper in helpers.items():
            if call in text:
                text += (root / helper).read_text()
        for m in re.finditer(r'add_(?:option|flag)\w*\(\s*"([^"]+)"', text):
            names.update(n for n in m.group(1).split(",") if n.startswith("--"))
    if names == {"--help", "--version"}:
        sys.exit(f"no options found in {files}: the parser moved; update this test")
    defined[prog] = names
names_all = set().union(*defined.values())

literal = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
option = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
problems = []
checked = 0
for folder, progs in users.items():
    for path in sorted((root / folder).rglob("*.cc")):
        if path.name in ("options.cc",):
            continue  # the parsers themselves (help texts name their own options)
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if line.strip().startswith("//"):
                continue
            for lit in literal.findall(line):
                for m in option.finditer(lit):
                    name = m.group(1)
                    checked += 1
                    # "confcast-keygen --suite aes-cm": the program named just before the
                    # option, in the same clause, must have it.
                    before = re.split(r"[;.,(]", lit[:m.start()])[-1]
                    named = [p for p in defined if p in before]
                    if named:
                        owner = named[-1]
                        if name not in defined[owner]:
                            problems.append(f"{path.relative_to(root)}:{lineno}: {name} is not an "
                                            f"option of {owner}")
                    elif (str(path.relative_to(root)), name) in reached_by_one:
                        if name not in names_all:
                            problems.append(f"{path.relative_to(root)}:{lineno}: {name} is not an "
                                            f"option of any program")
                    else:
                        missing = [p for p in progs if name not in defined[p]]
                        if missing:
                            problems.append(f"{path.relative_to(root)}:{lineno}: {name} is not an "
                                            f"option of {', '.join(missing)}")
for p in problems:
    print(p)
print(f"{checked} option names in messages checked, {len(problems)} not defined")
sys.exit(1 if problems else 0)
