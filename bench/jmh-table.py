#!/usr/bin/env python3
"""Prints a JMH JSON result file (-rf json -rff FILE) as a Markdown table: one row per benchmark and
parameter set, with the median (p50) and p99 for sample-time results, and the mean with JMH's 99.9% error.
Usage: bench/jmh-table.py RESULT.json [...]"""
import json
import sys


def fmt(v, unit):
    if unit.startswith("ns"):
        return f"{v / 1000:.3f} µs" if v >= 1000 else f"{v:.0f} ns"
    return f"{v:.1f} {unit.split('/')[0]}"


rows = []
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        m = r["primaryMetric"]
        unit = m["scoreUnit"]
        params = ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
        pct = m.get("scorePercentiles", {})
        err = m.get("scoreError")
        err = "" if err in (None, "NaN") or err != err else f" ± {fmt(err, unit)}"
        n = sum(len(x) for x in m.get("rawData", [])) if r["mode"] != "sample" else \
            sum(c for hist in m.get("rawDataHistogram", []) for it in hist for _, c in it)
        rows.append((r["benchmark"].split(".")[-2] + "." + r["benchmark"].split(".")[-1], params, r["mode"],
                     fmt(pct["50.0"], unit), fmt(pct["99.0"], unit), fmt(m["score"], unit) + err, n))

print("| benchmark | params | mode | median | p99 | mean ± error | samples |")
print("|---|---|---|---|---|---|---|")
for row in rows:
    print("| " + " | ".join(str(c) for c in row) + " |")
