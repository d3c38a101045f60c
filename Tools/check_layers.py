#!/usr/bin/env python3
"""Checks the layer rules the compiler cannot see (docs/architecture.md). Exit 1 on a breach.

- only the transport target (Sources/Evhttp) imports CEvent or names OpaquePointer;
- Routes and the executable import neither CEvent nor Evhttp;
- EventServer imports Evhttp only as `internal import`, so no libevent-facing type leaks;
- inside Sources/EventServer, folders are layers (Signals, Operations, Server, Workers): a file
  names no type declared in a folder after its own.

Target-level cycles cannot compile (SwiftPM refuses cyclic target graphs, and `make test` builds
with --explicit-target-dependency-import-check error, so a target cannot import what it does not
declare either).
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "Sources"
FOLDER_ORDER = ["Signals", "Operations", "Server", "Workers"]
problems = []


def swift_files(folder):
    return sorted(folder.rglob("*.swift"))


def code_of(path):
    """The file without comments and string literals, so prose cannot trip a rule."""
    text = path.read_text()
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*[\s\S]*?\*/", "", text)


for path in swift_files(SOURCES):
    relative = path.relative_to(SOURCES)
    target = relative.parts[0]
    code = code_of(path)
    if target != "Evhttp":
        if re.search(r"^\s*(?:@_implementationOnly |internal |package |public )?import CEvent\b", code, re.M):
            problems.append(f"{relative}: imports CEvent outside the transport")
        if "OpaquePointer" in code:
            problems.append(f"{relative}: names OpaquePointer outside the transport")
    if target in ("Routes", "EventServerCommand") and re.search(r"\bimport Evhttp\b", code):
        problems.append(f"{relative}: imports the transport")
    if target == "EventServer" and re.search(r"^\s*(?:public |package |@_exported )?import Evhttp\b", code, re.M):
        problems.append(f"{relative}: imports Evhttp without `internal`")

declared = {}
for index, folder in enumerate(FOLDER_ORDER):
    for path in swift_files(SOURCES / "EventServer" / folder):
        for name in re.findall(r"\b(?:class|struct|enum|protocol|typealias)\s+([A-Z]\w*)", code_of(path)):
            declared[name] = index
for index, folder in enumerate(FOLDER_ORDER):
    for path in swift_files(SOURCES / "EventServer" / folder):
        used = set(re.findall(r"\b([A-Z]\w*)\b", code_of(path)))
        for name in sorted(used):
            if declared.get(name, -1) > index:
                problems.append(
                    f"{path.relative_to(SOURCES)}: names {name} from EventServer/{FOLDER_ORDER[declared[name]]}, a higher layer")

# The DocC catalog holds articles, not code.
unplaced = [
    p for p in (SOURCES / "EventServer").iterdir()
    if p.is_dir() and p.name not in FOLDER_ORDER and p.suffix != ".docc"
]
problems += [f"EventServer/{p.name}: folder not in the layer order {FOLDER_ORDER}" for p in unplaced]

if problems:
    print("layer check failed:\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"layer check: {len(list(swift_files(SOURCES)))} files, 0 breaches")
