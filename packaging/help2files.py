#!/usr/bin/env python3
"""Turns a program's CLI11 `--help` into its man page and its bash and zsh completion.

Run at build time on the program just built (packaging/CMakeLists.txt), so the man page and
the completion list exactly the options `--help` prints and cannot drift from them.

How our programs lay out --help (cli/src/manual_format.cc, on CLI11 2.x), which is what this
parses; CLI11's own layout parses too:
    NAME: one-line description          <- first line: NAME section
    Usage: NAME [OPTIONS] [sdp]         <- SYNOPSIS
    <blank>
    Positionals:                        <- a section: a line at column 0 ending in ':'
      sdp FILE                    text  <- an entry: column 2, names [TYPE][=DEFAULT], text at 30
    Network:                            <- one section per heading of the help
      --ttl N                     multicast TTL/hops, 0-255 (default: 1)
      --rtx on|off                ...   <- a type of lowercase words is a choice (completion)
      --announce-interval SECONDS       <- names too long: the text goes on the next line
                                  seconds between SAP announcements
      --no-loopback{false}        ...   <- (CLI11's layout) a flag with a default
    Examples:                           <- sections whose entries are not options, and any
      confcast-send --iface eth0           other text at column 0, are kept as prose
    Exit codes:
      0     stopped by Ctrl-C ...
"""
import argparse
import datetime
import os
import re
import subprocess
import sys

NAME_RE = re.compile(r"^-{1,2}[A-Za-z0-9][A-Za-z0-9_-]*$")
FILE_NAME_RE = re.compile(r"(^|-)(sdp|json|file|output|config|frames)$")


class Entry:
    def __init__(self, names, value, default, text):
        self.names = names      # ["-o", "--output"], or ["sdp"] for a positional
        self.value = value      # "TEXT", "INT:INT in [0 - 255]", "" for a flag
        self.default = default  # "1", "" when none is shown
        self.text = text        # lines of description

    def choices(self):
        """Values of an enumerated type: the lowercase words of "on|off" or "auto|off|PCT"
        (PCT is a placeholder), or CLI11's {off->0,on->1} / {ef,af41}; else []."""
        m = re.search(r"\{([^}]*)\}", self.value)
        if m:
            return [c.split("->")[0].strip() for c in m.group(1).split(",") if c.strip()]
        words = self.value.strip("[]").split("|")
        if len(words) < 2:
            return []
        return [w for w in words if re.fullmatch(r"[a-z0-9][a-z0-9-]*", w)]

    def takes_file(self):
        return any(FILE_NAME_RE.search(n.lstrip("-")) for n in self.names)


class Help:
    def __init__(self):
        self.name = ""
        self.summary = ""
        self.usage = ""
        self.sections = []  # (title, [Entry]) for options and positionals
        self.prose = []     # (title or "", [line]) for everything else


def Parse(text, program):
    h = Help()
    lines = text.rstrip("\n").split("\n")
    first = lines[0] if lines else ""
    if first.startswith(program + ":"):
        h.summary = first[len(program) + 1:].strip()
    else:
        h.summary = first.strip()
    h.name = program
    section, entries, prose = None, None, None
    for line in lines[1:]:
        if line.startswith("Usage:"):
            h.usage = line[len("Usage:"):].strip()
            continue
        if not line.strip():
            continue
        if not line.startswith(" "):
            if line.endswith(":"):
                section, entries, prose = line[:-1].strip(), None, None
            else:
                section, entries = None, None
                if prose is None or prose[0]:
                    prose = ("", [])
                    h.prose.append(prose)
                prose[1].append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if indent == 2 and section is not None and (body.startswith("-") or section == "Positionals"):
            if entries is None:
                entries = []
                h.sections.append((section, entries))
            head, _, rest = (re.split(r"(\s{2,})", body, maxsplit=1) + ["", ""])[:3]
            parts = head.split(" ", 1)
            names = re.sub(r"\{[^}]*\}$", "", parts[0]).split(",")
            spec = parts[1] if len(parts) > 1 else ""
            value, default = spec, ""
            m = re.match(r"^(.*?)=([^=\]]*)$", spec) if spec else None
            if m:
                value, default = m.group(1), m.group(2)
            for word in ("(REQUIRED)", "Excludes:", "Needs:"):
                if word in value:
                    value = value.split(word)[0].strip()
            entries.append(Entry(names, value.strip(), default, [rest.strip()] if rest.strip() else []))
        elif entries and indent > 2:
            entries[-1].text.append(body)
        else:
            if prose is None or prose[0] != (section or ""):
                prose = (section or "", [])
                h.prose.append(prose)
            prose[1].append(line[2:] if indent >= 2 else line)
    return h


def Troff(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return s


def TroffLine(s):
    s = Troff(s)
    return "\\&" + s if s[:1] in (".", "'") else s


def Man(h, version, date, see_also):
    out = [f'.\\" Generated from `{h.name} --help` by packaging/help2files.py; do not edit.',
           f'.TH {h.name.upper()} 1 "{date}" "confcast {version}" "User Commands"', ".nh",
           ".SH NAME", f"{Troff(h.name)} \\- {TroffLine(h.summary)}",
           ".SH SYNOPSIS", f".B {Troff(h.name)}", TroffLine(h.usage.split(" ", 1)[1] if " " in h.usage else ""),
           ".SH DESCRIPTION", TroffLine(h.summary[:1].upper() + h.summary[1:] + ".")]
    # Positionals get a section of their own; the option headings of the help become
    # subsections of OPTIONS (CLI11's one "Options" heading is OPTIONS itself).
    options_open = False
    for title, entries in h.sections:
        if title == "Positionals":
            out.append(f".SH {Troff(title.upper())}")
        else:
            if not options_open:
                out.append(".SH OPTIONS")
                options_open = True
            if title != "Options":
                out.append(f".SS {TroffLine(title)}")
        for e in entries:
            out.append(".TP")
            names = ", ".join(f"\\fB{Troff(n)}\\fR" for n in e.names)
            if e.value:
                names += f" \\fI{Troff(e.value)}\\fR"
            if e.default:
                names += f" (default: {Troff(e.default)})"
            out.append(names)
            out.append(TroffLine(" ".join(e.text)) if e.text else "")
    for title, lines in h.prose:
        out.append(f".SH {Troff(title.upper())}" if title else ".PP")
        out.append(".nf")
        out += [TroffLine(l) for l in lines]
        out.append(".fi")
    others = [p for p in see_also if p != h.name]
    if others:
        out.append(".SH SEE ALSO")
        out.append(",\n".join(f".BR {Troff(p)} (1)" for p in others))
        out.append(".PP\nThe README in /usr/share/doc/confcast (or the doc directory of the install"
                   " prefix) describes the whole system.")
    return "\n".join(l for l in out if l is not None) + "\n"


def Options(h):
    return [e for title, entries in h.sections if title != "Positionals" for e in entries]


def Bash(h):
    fn = "_" + re.sub(r"[^A-Za-z0-9]", "_", h.name)
    opts = Options(h)
    words = " ".join(n for e in opts for n in e.names)
    cases = []
    for e in opts:
        if not e.value:
            continue
        pat = "|".join(e.names)
        if e.choices():
            cases.append(f'    {pat}) COMPREPLY=($(compgen -W "{" ".join(e.choices())}" -- "$cur")); return ;;')
        elif e.takes_file():
            cases.append(f'    {pat}) COMPREPLY=($(compgen -f -- "$cur")); return ;;')
        else:
            cases.append(f"    {pat}) return ;;  # {e.value}")
    positional = any(t == "Positionals" for t, _ in h.sections)
    tail = 'COMPREPLY=($(compgen -f -- "$cur"))' if positional else "return 0"
    return "\n".join([
        f"# bash completion for {h.name}: generated from `{h.name} --help` by",
        "# packaging/help2files.py; do not edit.",
        f"{fn}() {{",
        '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}',
        '  case $prev in',
        *cases,
        '  esac',
        '  if [[ $cur == -* ]]; then',
        f'    COMPREPLY=($(compgen -W "{words}" -- "$cur"))',
        '    return 0',
        '  fi',
        f"  {tail}",
        "}",
        f"complete -o filenames -F {fn} {h.name}",
        ""])


def ZshQuote(s):
    return s.replace("'", "'\\''")


def Zsh(h):
    specs = []
    for e in Options(h):
        text = " ".join(e.text)
        text = re.sub(r"\s+", " ", text)
        if len(text) > 70:
            text = text[:67].rstrip() + "..."
        text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        if e.value:
            if e.choices():
                action = f":value:({' '.join(e.choices())})"
            elif e.takes_file():
                action = ":file:_files"
            else:
                action = ":" + e.value.split(":")[0].lower() + ": "
        else:
            action = ""
        exclusive = f"({' '.join(e.names)})" if len(e.names) > 1 else ""
        for n in e.names:
            eq = "=" if e.value and n.startswith("--") else ""
            specs.append(f"'{ZshQuote(exclusive)}{n}{eq}[{ZshQuote(text)}]{ZshQuote(action)}'")
    for title, entries in h.sections:
        if title == "Positionals":
            for i, e in enumerate(entries, 1):
                specs.append(f"'{i}:{ZshQuote(e.names[0])}:_files'")
    body = " \\\n  ".join(specs)
    return "\n".join([
        f"#compdef {h.name}",
        f"# zsh completion for {h.name}: generated from `{h.name} --help` by",
        "# packaging/help2files.py; do not edit.",
        f"_arguments -s \\\n  {body}",
        ""])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--program", required=True, help="the built program to run")
    p.add_argument("--name", required=True, help="its installed name")
    p.add_argument("--see-also", default="", help="comma-separated programs for SEE ALSO")
    p.add_argument("--man", help="write the man page here")
    p.add_argument("--bash", help="write the bash completion here")
    p.add_argument("--zsh", help="write the zsh completion here")
    a = p.parse_args()
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", COLUMNS="200")
    help_text = subprocess.run([a.program, "--help"], check=True, capture_output=True, text=True,
                               env=env).stdout
    version_line = subprocess.run([a.program, "--version"], check=True, capture_output=True,
                                  text=True, env=env).stdout.strip()
    version = version_line.split(" ", 1)[1] if " " in version_line else version_line
    h = Parse(help_text, a.name)
    if not Options(h):
        sys.exit(f"help2files: no options found in `{a.name} --help`; has its layout changed?")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch
           else datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%d")
    outputs = {a.man: lambda: Man(h, version, day, [s for s in a.see_also.split(",") if s]),
               a.bash: lambda: Bash(h), a.zsh: lambda: Zsh(h)}
    for path, make in outputs.items():
        if path:
            with open(path, "w", encoding="utf-8") as f:
                f.write(make())


if __name__ == "__main__":
    main()
