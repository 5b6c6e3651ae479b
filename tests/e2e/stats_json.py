"""Reads confcast's --stats-json (JSON lines, schema confcast-stats/2, docs/stats-json.md) into
the shape the checks were written for: {"header": ..., "program": ..., "seconds": [<second
lines>], "final": <final line>} ("final" absent when the process did not finish). A file that is
one JSON document (confcast-recv --list, older runs) is returned as it is."""
import json


def loads(text):
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        first = json.loads(lines[0]) if lines else None
    except ValueError:
        first = None
    if not (isinstance(first, dict) and first.get("type") == "header"):
        return json.loads(text)
    doc = {"header": first, "program": first.get("program"), "seconds": []}
    for line in lines[1:]:
        obj = json.loads(line)
        kind = obj.get("type")
        if kind == "second":
            doc["seconds"].append(obj)
        elif kind == "final":
            doc["final"] = obj
    return doc


def load(path):
    with open(path) as f:
        return loads(f.read())
