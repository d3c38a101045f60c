#!/usr/bin/env bash
# make check-embed: eventserver as a stranger's dependency, by URL and version.
#
# The working tree is committed into a temporary repository and tagged with this version; a
# fresh package outside the tree (Tools/EmbedCheck) depends on it by `file://` URL with `from:`,
# as a Package.swift depends on https://github.com/…, and so does a copy of Examples/Inventory
# whose path dependency is replaced by the same URL. SwiftPM refuses such a graph when a target
# the library products reach has unsafe flags, before compiling anything. Each is built in
# release, started on a free port, and checked: GET 200, SIGUSR1 → 503, SIGUSR2 → 200, SIGTERM
# → exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/EventServerSupport/EventServerVersion.swift)
work=$(mktemp -d /tmp/eventserver-embed.XXXXXX)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "check-embed: $*" >&2; [ -f "$work/server.log" ] && sed 's/^/  log: /' "$work/server.log" >&2; exit 1; }

# The tree as it is now (committed or not), as a tagged repository.
mkdir "$work/eventserver"
git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2>/dev/null \
    | tar -xf - -C "$work/eventserver"
git -C "$work/eventserver" init -q
git -C "$work/eventserver" add -A
git -C "$work/eventserver" -c user.name=check-embed -c user.email=check-embed@localhost commit -qm "snapshot for check-embed"
git -C "$work/eventserver" tag "$version"
url="file://$work/eventserver"
echo "check-embed: eventserver $version at $url"

# Waits (bounded) until `url` answers with `status`.
await_status() { # url status
    for _ in $(seq 1 200); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = "$2" ] && return 0
        sleep 0.05
    done
    fail "$1 did not answer $2 (last: $(curl -s -o /dev/null -w '%{http_code}' "$1"))"
}

# Starts `binary args…` on a free port, checks GET/503/200/graceful stop on `path`.
exercise() { # name path binary args…
    local name=$1 path=$2; shift 2
    : > "$work/server.log"
    "$@" --port 0 2> "$work/server.log" &
    server_pid=$!
    local port=""
    for _ in $(seq 1 300); do
        port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
        [ -n "$port" ] && break
        kill -0 "$server_pid" 2>/dev/null || fail "$name exited before listening"
        sleep 0.1
    done
    [ -n "$port" ] || fail "$name did not listen within 30 s"
    grep -m1 "listening on" "$work/server.log" | sed "s/^/check-embed: $name: /"
    local base="http://127.0.0.1:$port"
    await_status "$base$path" 200
    await_status "$base/" 200
    kill -USR1 "$server_pid"
    await_status "$base$path" 503
    await_status "$base/" 503
    kill -USR2 "$server_pid"
    await_status "$base$path" 200
    kill -TERM "$server_pid"
    local status=0
    wait "$server_pid" || status=$?
    server_pid=""
    [ "$status" = 0 ] || fail "$name exited $status after SIGTERM"
    echo "check-embed: $name: GET $path 200, SIGUSR1 503, SIGUSR2 200, SIGTERM exit 0"
}

# A fresh package, as a stranger writes it.
cp -R Tools/EmbedCheck "$work/consumer"
sed -i "s|EVENTSERVER_URL|$url|; s|EVENTSERVER_VERSION|$version|" "$work/consumer/Package.swift"
echo "check-embed: building the consumer (release)"
swift build -c release --package-path "$work/consumer" 2>&1 | tail -n 3
exercise consumer /invoices/7 "$(swift build -c release --package-path "$work/consumer" --show-bin-path)/consumer"

# The embedding example, depending by version instead of by path.
mkdir "$work/inventory"
cp -R Examples/Inventory/Package.swift Examples/Inventory/Sources "$work/inventory/"
sed -i "s|\.package(name: \"eventserver\", path: \"\.\./\.\.\")|.package(url: \"$url\", from: \"$version\")|" \
    "$work/inventory/Package.swift"
grep -q "$url" "$work/inventory/Package.swift" || fail "Examples/Inventory/Package.swift has no path dependency to replace"
echo "check-embed: building Examples/Inventory by version (release)"
swift build -c release --package-path "$work/inventory" 2>&1 | tail -n 3
exercise inventory /items/2 "$(swift build -c release --package-path "$work/inventory" --show-bin-path)/inventory-server" \
    --database "$work/inventory.sqlite"
echo "check-embed: passed"
