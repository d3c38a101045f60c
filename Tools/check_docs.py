#!/usr/bin/env python3
"""Lists the public symbols of the documented modules that have no documentation comment.

Reads the symbol graphs `swift package generate-documentation` extracted (`make docs` runs it
first); exit 1 when a symbol lacks a comment. Symbols Swift synthesises or inherits from a
protocol (`==`, `hash(into:)`, a conformance's default implementation, an enum's `rawValue`
initialiser) are documented where they are declared, so they are not required here.
"""
import json
import sys
from pathlib import Path

# The plugin names the folder after the package's directory (a clone's name, in CI): find it.
if len(sys.argv) > 1:
    GRAPHS = Path(sys.argv[1])
else:
    found = sorted(Path(".build-docs").glob("*/extracted-symbols/*/EventServer"))
    if not found:
        sys.exit("no symbol graphs under .build-docs: run `make docs`")
    GRAPHS = found[0].parent
MODULES = ["EventServer", "Routes", "Routing", "HTTPCore", "Maintenance"]
# Symbols declared in this package's sources: the package being documented is the working
# directory's (`make docs` runs from the root).
OWN_SOURCES = "file://" + str(Path.cwd().resolve() / "Sources") + "/"
missing = []
count = 0
for module in MODULES:
    for path in sorted((GRAPHS / module).glob("*.symbols.json")):
        graph = json.loads(path.read_text())
        implementations = {
            relation["source"] for relation in graph.get("relationships", [])
            if relation["kind"] in ("defaultImplementationOf", "requirementOf") or "sourceOrigin" in relation
        }
        for symbol in graph["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            identifier = symbol["identifier"]["precise"]
            location = symbol.get("location", {}).get("uri", "")
            if identifier in implementations or (location and not location.startswith(OWN_SOURCES)):
                continue
            if symbol["kind"]["identifier"] == "swift.extension":
                continue  # an extension block: its members carry the documentation
            count += 1
            if not symbol.get("docComment", {}).get("lines"):
                where = location.split("/Sources/")[-1] if location else path.name
                line = symbol.get("location", {}).get("position", {}).get("line", 0) + 1
                missing.append(f"{where}:{line}: {'.'.join(symbol['pathComponents'])}")
for entry in sorted(set(missing)):
    print(entry)
print(f"{count} public symbols, {len(set(missing))} without documentation", file=sys.stderr)
if count == 0:
    sys.exit(f"no public symbols found in {GRAPHS}: the check would prove nothing")
sys.exit(1 if missing else 0)
