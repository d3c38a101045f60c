# eventserver: `make run` serves on 127.0.0.1:8080, `make test` runs every test.
# Both install what they need on a fresh Debian machine (run as root, or with sudo available).

SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8080
APT_PACKAGES := libevent-dev libnghttp2-dev libssl-dev pkg-config curl openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps test-deps example build release run test check-embed docs bench check-robust check-robust-quick check-upgrade check-upgrade-quick fleet-deps check-fleet check-fleet-quick clean

all: release

# Installs only what is missing, so repeated runs stay offline and fast.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The metrics test validates /metrics with the reference Prometheus parser (prometheus_client);
# the durable-state test watches system calls with strace; the HTTP/2 test loads with h2load.
test-deps: deps
	@command -v strace >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq strace; }
	@command -v h2load >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nghttp2-client; }
	@python3 -c 'import prometheus_client' 2>/dev/null || python3 -m pip install -q prometheus_client 2>/dev/null \
		|| { $(SUDO) apt-get install -y -qq python3 python3-prometheus-client; }

# A target may import only what Package.swift says it depends on: the compiler checks the layers.
IMPORT_CHECK := --explicit-target-dependency-import-check error

build: deps
	$(SWIFT) build $(IMPORT_CHECK)

# The static Swift standard library maps fewer pages than its shared libraries; Package.swift adds
# the rest of the release link (packed relocations, static libstdc++): 11 MiB under load, rss.sh.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

run: release
	exec .build/release/eventserver --host $(HOST) --port $(PORT)

test: build test-deps example
	python3 Tools/check_layers.py
	python3 Tools/check_architecture.py
	$(SWIFT) test $(IMPORT_CHECK)

# The embedding example's binary, which a live test starts. Its build folder caches the build
# plan of this package (a path dependency), which then misses files added here since: planning
# anew costs a second and always sees them.
example: deps
	$(SWIFT) build --package-path Examples/Inventory --disable-build-manifest-caching

# eventserver as a stranger's dependency: a tagged copy of this tree, a fresh package that depends
# on it by URL and version, and Examples/Inventory depending the same way, each built in release
# and started: GET 200, SIGUSR1 503, SIGUSR2 200, SIGTERM exit 0 (Tools/check_embed.sh).
check-embed: deps
	Tools/check_embed.sh

# API documentation (DocC, through swiftlang/swift-docc-plugin, fetched only here): one site for
# EventServer, Routes and the libraries they re-export, in .build-docs/site; then every public
# symbol must carry a documentation comment.
DOCC_TARGETS := EventServer Routes HTTPCore Routing Maintenance
docs: deps
	EVENTSERVER_DOCS=1 $(SWIFT) package --scratch-path .build-docs --allow-writing-to-directory .build-docs/site \
		generate-documentation $(addprefix --target ,$(DOCC_TARGETS)) --enable-experimental-combined-documentation \
		--output-path .build-docs/site --transform-for-static-hosting --hosting-base-path docs --warnings-as-errors
	python3 Tools/check_docs.py
	@echo "documentation: .build-docs/site; to read it: .build/debug/eventserver --root .build-docs/site --static-prefix /docs, then http://127.0.0.1:8080/docs/documentation/eventserver/index.html"

bench: deps
	@python3 -c 'import matplotlib' 2>/dev/null || python3 -m pip install -q matplotlib 2>/dev/null \
		|| { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-matplotlib; }
	Benchmarks/load.sh
	python3 Benchmarks/chart.py
	Benchmarks/h2.sh

# Hostile input, conformance, signal storm, slow clients, drain, memory, fuzzing, AddressSanitizer
# (about 5 minutes; the suites' own durations are in Robustness/README.md).
check-robust: test-deps example
	Robustness/run.sh full

# The bounded subset CI runs: hostile input, a 200-signal storm, the drain test.
check-robust-quick: deps
	Robustness/run.sh quick

# Hitless replacement under wrk -c50: 5 `ctl upgrade`s of one process, then 5 socket-activation
# restarts of `--workers 2`, 16 s each; 0 socket errors and 0 non-2xx required.
check-upgrade: release
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	EVENTSERVER_BINARY=$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/eventserver python3 -m Robustness.upgrade 16 5

# CI's short form: 3 replacements in 6 s each.
check-upgrade-quick: release
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	EVENTSERVER_BINARY=$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/eventserver python3 -m Robustness.upgrade 6 3

fleet-deps: deps
	@for p in haproxy nginx; do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$(SUDO) apt-get install -y -qq haproxy nginx-light; fi

# Rolling maintenance behind HAProxy, HAProxy speaking the PROXY protocol (an allowed client
# served through it during maintenance), then nginx, under load (about 30 s each).
check-fleet: fleet-deps release
	EVENTSERVER_BINARY=$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/eventserver python3 -m Fleet.check_fleet haproxy
	EVENTSERVER_BINARY=$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/eventserver python3 -m Fleet.check_fleet haproxy-proxy
	EVENTSERVER_BINARY=$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/eventserver python3 -m Fleet.check_fleet nginx

# CI's short form: the same sequence with shorter holds.
check-fleet-quick: fleet-deps release
	EVENTSERVER_BINARY=$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/eventserver python3 -m Fleet.check_fleet haproxy --short
	EVENTSERVER_BINARY=$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/eventserver python3 -m Fleet.check_fleet haproxy-proxy --short
	EVENTSERVER_BINARY=$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/eventserver python3 -m Fleet.check_fleet nginx --short

clean:
	rm -rf .build
