#!/usr/bin/env python3
"""Draws Benchmarks/results/load.png from the rows load.sh saved in Benchmarks/results/latest.tsv.

One panel per mode (in service, in maintenance); bars are the median req/s over the rounds for
each server at each connection count, with the ratio to the C evhttp server tuned with libevent's
change list on top (to the plain C server when the tuned one was not run), and eventserver's ratio
to nginx inside its bars when nginx was run.
Needs matplotlib (pip install matplotlib, or apt-get install python3-matplotlib).
"""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from table import median_rps, read_runs  # noqa: E402  (Benchmarks/table.py, beside this script)

results = Path(__file__).resolve().parent / "results"
medians = {key: median_rps(runs) for key, runs in read_runs(results / "latest.tsv").items()}

order = ["eventserver", "c-evhttp", "c-evhttp-changelist", "go-nethttp", "nginx", "hummingbird"]
servers = [s for s in order if any(k[2] == s for k in medians)] + sorted({k[2] for k in medians} - set(order))
modes = [m for m in ["service", "maintenance"] if any(k[0] == m for k in medians)]
connections = sorted({k[1] for k in medians})
baseline = "c-evhttp-changelist" if "c-evhttp-changelist" in servers else "c-evhttp"
colors = {"eventserver": "#d9480f", "c-evhttp": "#495057", "c-evhttp-changelist": "#868e96", "go-nethttp": "#1c7ed6", "nginx": "#2b8a3e", "hummingbird": "#7048e8"}

figure, axes = plt.subplots(1, len(modes), figsize=(6 * len(modes), 4.5), sharey=True, squeeze=False)
width = 0.8 / len(servers)
for axis, mode in zip(axes[0], modes):
    for index, server in enumerate(servers):
        xs = [c + (index - (len(servers) - 1) / 2) * width for c in range(len(connections))]
        ys = [medians.get((mode, conns, server), 0) for conns in connections]
        bars = axis.bar(xs, ys, width, label=server, color=colors.get(server))
        for bar, conns in zip(bars, connections):
            base = medians.get((mode, conns, baseline))
            if base and bar.get_height():
                axis.annotate(f"{bar.get_height() / base:.2f}×", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                              ha="center", va="bottom", fontsize=8)
            nginx = medians.get((mode, conns, "nginx"))
            if server == "eventserver" and nginx and bar.get_height():  # issue 34's yardstick, inside the bar
                axis.annotate(f"{bar.get_height() / nginx:.2f}× nginx", (bar.get_x() + bar.get_width() / 2, bar.get_height() / 2),
                              ha="center", va="center", rotation=90, fontsize=7, color="white")
    axis.set_title(f"GET /, {'in service' if mode == 'service' else 'in maintenance (503)'}")
    axis.set_xticks(range(len(connections)), [f"{c} connections" for c in connections])
    axis.grid(axis="y", alpha=0.3)
axes[0][0].set_ylabel("requests per second (median of rounds)")
handles, labels = axes[0][0].get_legend_handles_labels()
figure.legend(handles, labels, loc="lower center", ncol=len(servers), fontsize=8, frameon=False)
figure.suptitle(f"One core each, wrk on another core; ratio to {'tuned' if baseline == 'c-evhttp-changelist' else 'plain'} C evhttp above each bar")
figure.tight_layout(rect=(0, 0.06, 1, 1))
output = results / "load.png"
figure.savefig(output, dpi=110)
print(f"wrote {output}", file=sys.stderr)
