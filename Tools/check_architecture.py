#!/usr/bin/env python3
"""Keeps docs/architecture.md true to the tree. Exit 1, naming each breach.

- every path it names (`Sources/…`, `Tests/…`, `Evhttp/Connection.swift`, …) exists;
- every target in its table is a target of Package.swift, in the folder the table gives;
- every type it names in backticks (`ConnectionTracker`, `RouteTable.resolve`) is declared in
  Sources/ or Tests/;
- every file of the transport (Sources/Evhttp), the layer most often changed, is named in it.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs/architecture.md"
text = PAGE.read_text()
problems = []

tree = [p for folder in ("Sources", "Tests") for p in (ROOT / folder).rglob("*")]
swift_files = [p for p in tree if p.suffix == ".swift"]
# Targets and the folders that are layers are names too.
declared = {p.name for p in tree if p.is_dir()}
for path in swift_files:
    declared.add(path.stem.split("+")[0])
    for match in re.finditer(r"\b(?:class|struct|enum|protocol|actor|typealias|extension|func|case|var|let)\s+(\w+)",
                             path.read_text()):
        declared.add(match.group(1))
# Names the page uses that come from outside this tree.
EXTERNAL = {"SerialExecutor", "TaskExecutor", "OpaquePointer", "Mutex", "Foundation", "Synchronization",
            "ArgumentParser", "RouteCollection", "LibeventTuning", "Accept", "Date", "Host", "Allow"}

spans = re.findall(r"`([^`\n]+)`", text)

# Paths: relative to the repository, or to Sources/ for the `Target/File.swift` shorthand.
for span in spans:
    if span.startswith("<"):
        continue  # a system header
    for token in re.findall(r"[\w./+-]+\.(?:swift|py|sh|h|c|md|yaml|cfg)\b|(?:Sources|Tests|Tools|deploy|Benchmarks)/[\w./+-]+", span):
        token = token.rstrip(".,")
        if not ((ROOT / token).exists() or (ROOT / "Sources" / token).exists()
                or any(p.as_posix().endswith("/" + token) for p in tree)):
            problems.append(f"names a path that does not exist: {token}")

# The table: | `Target` | `Folder` | …
targets = set(re.findall(r'name:\s*"(\w+)"', (ROOT / "Package.swift").read_text()))
for target, folder in re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", text, re.M):
    if target not in targets and target != "eventserver":
        problems.append(f"table names target {target}, which Package.swift does not declare")
    if not (ROOT / folder).is_dir():
        problems.append(f"table gives {target} the folder {folder}, which does not exist")

# Types: a backticked identifier that starts with a capital, or the type before a `.member`.
for span in spans:
    match = re.fullmatch(r"([A-Z][A-Za-z0-9]+)(?:[.+][\w(:)…, ]*)?", span.strip())
    if not match:
        continue
    name = match.group(1)
    if name.isupper() or "_" in name or name in EXTERNAL:
        continue  # constants, environment variables, C names
    if name not in declared:
        problems.append(f"names `{name}`, which no file in Sources/ or Tests/ declares")

# The transport's files, each named.
for path in sorted((ROOT / "Sources/Evhttp").glob("*.swift")):
    stem = path.stem
    if f"`{stem}`" not in text and f"{stem}.swift" not in text:
        problems.append(f"Sources/Evhttp/{path.name} is not named in the page")

for problem in sorted(set(problems)):
    print(f"docs/architecture.md: {problem}")
print(f"architecture check: {len(spans)} names read, {len(set(problems))} breaches")
sys.exit(1 if problems else 0)
