#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tables and a chart from SealFS benchmark results.

    python3 tests/bench/report.py --out DIR FILE.jsonl...

Each input file holds JSON Lines: a {"meta": {...}} record describing the
run (first, by convention), then one record per figure:

    {"group": "metadata", "name": "create", "system": "sealfs",
     "unit": "ops/s", "better": "higher", "samples": [...]}

Systems: "sealfs", "nfs", "local", "tcp" (guest benchmarks), "server" and
"leveldb" (tests/bench/server). Records of the same (group, name, system)
from several files have their samples pooled. Extra fields are kept in
results.json and otherwise ignored.

Writes to DIR:
  results.json  date, machines, every figure with its samples and
                statistics, grouped by (group, name), and the ratios;
  results.md    a Markdown table per group;
  results.png   the ratios as horizontal bars on a log scale.

Statistics: median, min, max, mean, the sample standard deviation (n - 1
in the denominator; 0 for a single sample) and the relative spread,
(max - min) / (2 * median), shown as "± x%" after the median.

Ratios are oriented so that a value above 1 means SealFS is better: for a
figure where higher is better it is SealFS / other, where lower is better
other / SealFS. "limit" is the "local" figure, or else the raw "tcp"
figure (the TCP round trip of the latency group). In the "server" group
the subject is the server and the limit is raw LevelDB; a figure
"NAME-Nt" (N client threads) is compared with LevelDB's "NAME" when
LevelDB has no "NAME-Nt".
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import statistics
import sys

SYSTEM_ORDER = ["sealfs", "nfs", "local", "tcp", "server", "leveldb"]
SYSTEM_LABEL = {"sealfs": "SealFS", "nfs": "NFS", "local": "local", "tcp": "TCP",
                "server": "server", "leveldb": "raw LevelDB"}
DASH = "—"


def load(paths):
    """Records of every file: (metas, figures keyed by (group, name, system))."""
    metas, figs = [], {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    raise SystemExit(f"{path}:{lineno}: not JSON: {e}")
                if "meta" in rec:
                    metas.append({"file": os.path.basename(path), **rec["meta"]})
                    continue
                missing = [k for k in ("group", "name", "system", "unit", "better",
                                       "samples") if k not in rec]
                if missing:
                    raise SystemExit(f"{path}:{lineno}: no {', '.join(missing)}")
                if rec["better"] not in ("higher", "lower"):
                    raise SystemExit(f"{path}:{lineno}: better must be higher or lower")
                samples = [float(x) for x in rec["samples"] if x is not None]
                key = (rec["group"], rec["name"], rec["system"])
                if key in figs:
                    old = figs[key]
                    if old["unit"] != rec["unit"] or old["better"] != rec["better"]:
                        raise SystemExit(f"{path}:{lineno}: {key} has another unit "
                                         "or direction than before")
                    old["samples"].extend(samples)
                    continue
                extra = {k: v for k, v in rec.items()
                         if k not in ("group", "name", "system", "unit", "better",
                                      "samples")}
                figs[key] = {"unit": rec["unit"], "better": rec["better"],
                             "samples": samples, **extra, "seq": len(figs)}
    return metas, figs


def stats(samples):
    """median, min, max, mean, sample stdev and relative spread, or Nones."""
    if not samples:
        return {"median": None, "min": None, "max": None, "mean": None,
                "stdev": None, "spread": None}
    med = statistics.median(samples)
    lo, hi = min(samples), max(samples)
    return {
        "median": med, "min": lo, "max": hi, "mean": statistics.fmean(samples),
        "stdev": statistics.stdev(samples) if len(samples) > 1 else 0.0,
        "spread": (hi - lo) / (2 * abs(med)) if med else None,
    }


def ratio(subject, other, better):
    """subject vs other, > 1 when subject is better; None when undefined."""
    if subject is None or other is None or subject <= 0 or other <= 0:
        return None
    return subject / other if better == "higher" else other / subject


def base_name(name):
    """'create-4t' -> 'create': the single-threaded figure's name."""
    return re.sub(r"-\d+t$", "", name)


def build(metas, figs):
    """The results.json document."""
    groups = {}
    seq = {}
    for (g, n, s), fig in figs.items():
        fig = dict(fig)
        seq[(g, n, s)] = fig.pop("seq", 0)
        groups.setdefault((g, n), {})[s] = {**fig, **stats(fig["samples"])}
    entries = []
    for (g, n), systems in groups.items():
        first = next(iter(systems.values()))
        entry = {"group": g, "name": n, "unit": first["unit"], "better": first["better"],
                 "systems": systems, "ratios": {}}
        med = {s: f["median"] for s, f in systems.items() if f["unit"] == entry["unit"]}
        if g == "server":
            ldb = med.get("leveldb")
            if ldb is None and (g, base_name(n)) in groups:
                other = groups[(g, base_name(n))].get("leveldb")
                if other and other["unit"] == entry["unit"]:
                    ldb = other["median"]
            entry["ratios"]["server/leveldb"] = ratio(med.get("server"), ldb,
                                                      entry["better"])
        else:
            limit = "local" if "local" in med else "tcp" if "tcp" in med else None
            entry["ratios"]["sealfs/nfs"] = ratio(med.get("sealfs"), med.get("nfs"),
                                                  entry["better"])
            entry["ratios"]["sealfs/limit"] = ratio(med.get("sealfs"),
                                                    med.get(limit) if limit else None,
                                                    entry["better"])
            entry["ratios"]["limit_system"] = limit
        entries.append(entry)
    entries.sort(key=lambda e: (group_rank(e["group"]), e["group"], entry_rank(e, seq)))
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"report_host": host_info(), "runs": metas},
        "statistics": {
            "stdev": "sample standard deviation (n - 1); 0 for one sample",
            "spread": "relative spread: (max - min) / (2 * median)",
            "ratios": "above 1 means SealFS (in group server: the server) is better; "
                      "subject/other where higher is better, other/subject where "
                      "lower is better; limit is local, else tcp; server/leveldb "
                      "compares NAME-Nt with LevelDB's NAME when there is no NAME-Nt",
        },
        "figures": entries,
    }


GROUP_ORDER = ["metadata", "latency", "smallfile", "data", "job", "tcp", "server",
               "server-cpu"]


def group_rank(g):
    return GROUP_ORDER.index(g) if g in GROUP_ORDER else len(GROUP_ORDER)


def entry_rank(e, seq):
    """Order in a group: figures of the subject system (sealfs; server) in
    the order they were read, then the others in theirs."""
    subject = "server" if e["group"] in ("server", "server-cpu") else "sealfs"
    if subject in e["systems"]:
        return (0, seq[(e["group"], e["name"], subject)])
    return (1, min(seq[(e["group"], e["name"], s)] for s in e["systems"]))


def host_info():
    cpu, cores, mem = platform.processor() or "unknown", os.cpu_count(), None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f
                        if l.startswith("model name")), cpu)
        with open("/proc/meminfo", encoding="utf-8") as f:
            mem = next((int(l.split()[1]) * 1024 for l in f
                        if l.startswith("MemTotal:")), None)
    except OSError:
        pass
    return {"host": platform.node(), "kernel": platform.release(), "cpu": cpu,
            "cores": cores, "memory_bytes": mem}


def num(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return DASH
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def cell(fig):
    if not fig or fig.get("median") is None:
        return DASH
    s = num(fig["median"])
    if fig.get("spread") is not None and len(fig["samples"]) > 1:
        s += f" ± {fig['spread'] * 100:.0f}%"
    return s


def rcell(r, suffix=""):
    return DASH if r is None else f"{r:.2f}{suffix}"


def machine_line(doc):
    runs = doc["machine"]["runs"]
    parts = []
    for m in runs:
        desc = ", ".join(f"{m[k]}{' cores' if k == 'cores' else ''}"
                         for k in ("cpu", "cores", "kernel") if k in m)
        parts.append(f"{m.get('bench', m['file'])}: {desc}" if desc else m["file"])
    h = doc["machine"]["report_host"]
    mem = f", {h['memory_bytes'] / 2**30:.1f} GiB" if h["memory_bytes"] else ""
    parts.append(f"report host: {h['cpu']}, {h['cores']} cores{mem}, {h['kernel']}")
    return "; ".join(parts)


def markdown(doc):
    out = [f"# Benchmark results, {doc['date']}", "", f"Machine: {machine_line(doc)}.", "",
           "Medians of the samples, ± the relative spread (max - min) / (2 x median). "
           "Ratios are oriented so that **above 1 means SealFS is better** (SealFS / "
           "other where higher is better, other / SealFS where lower is better).", ""]
    by_group = {}
    for e in doc["figures"]:
        by_group.setdefault(e["group"], []).append(e)
    cpu = {e["name"]: e for e in by_group.get("server-cpu", [])}
    for g, entries in by_group.items():
        if g == "server-cpu" and "server" in by_group:
            continue
        out.append(f"## {g}")
        out.append("")
        if g == "server":
            out.append("server / raw LevelDB above 1 means the server is faster than "
                       "raw LevelDB writes of the same batch shape (a NAME-Nt figure, "
                       "N client threads, is compared with LevelDB's single-threaded "
                       "NAME); CPU is the server's CPU time per operation.")
            out.append("")
            out.append("| name | unit | server | raw LevelDB | server/LevelDB | "
                       "server CPU us/op |")
            out.append("| --- | --- | --- | --- | --- | --- |")
            names = {x["name"]: x for x in entries}
            for e in entries:
                c = cpu.get(e["name"], {}).get("systems", {}).get("server")
                ldb = e["systems"].get("leveldb") or names.get(
                    base_name(e["name"]), {}).get("systems", {}).get("leveldb")
                out.append(f"| {e['name']} | {e['unit']} | {cell(e['systems'].get('server'))} "
                           f"| {cell(ldb)} "
                           f"| {rcell(e['ratios'].get('server/leveldb'))} | {cell(c)} |")
            out.append("")
            continue
        systems = ["sealfs", "nfs", "local"]
        extra = sorted({s for e in entries for s in e["systems"]} - set(systems),
                       key=lambda s: (SYSTEM_ORDER.index(s) if s in SYSTEM_ORDER else 99, s))
        systems += extra
        out.append("limit: the local figure, or the raw TCP figure (tcp) where there "
                   "is no local one" + (" (the TCP round trip)." if g == "latency" else "."))
        out.append("")
        out.append("| name | unit | " + " | ".join(SYSTEM_LABEL.get(s, s) for s in systems)
                   + " | SealFS/NFS | SealFS/limit |")
        out.append("| --- | --- | " + " | ".join("---" for _ in systems) + " | --- | --- |")
        for e in entries:
            lim = e["ratios"].get("limit_system")
            out.append(f"| {e['name']} | {e['unit']} | "
                       + " | ".join(cell(e["systems"].get(s)) for s in systems)
                       + f" | {rcell(e['ratios'].get('sealfs/nfs'))} | "
                       + rcell(e["ratios"].get("sealfs/limit"),
                               " (tcp)" if lim == "tcp" else "") + " |")
        out.append("")
    return "\n".join(out)


def chart(doc, path):
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("report.py: no matplotlib for " + sys.executable + ": install "
                         "python3-matplotlib (utils/setup) and run Debian's python3")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    rows = []   # (label, [(kind, value)])
    for e in doc["figures"]:
        r = e["ratios"]
        if e["group"] == "server":
            vals = [("limit", r.get("server/leveldb"))]
        else:
            vals = [("nfs", r.get("sealfs/nfs")), ("limit", r.get("sealfs/limit"))]
        vals = [(k, v) for k, v in vals if v is not None]
        if vals:
            rows.append((f"{e['group']}: {e['name']}", vals))
    height = max(2.5, 0.32 * sum(len(v) for _, v in rows) + 0.25 * len(rows) + 1.4)
    fig, ax = plt.subplots(figsize=(9, height), dpi=100)
    colors = {"nfs": "#4c72b0", "limit": "#dd8452"}
    labels = {"nfs": "SealFS / NFS",
              "limit": "SealFS / limit (local or TCP; server / raw LevelDB)"}
    if not rows:
        ax.text(0.5, 0.5, "no ratios: no figure has two systems to compare",
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    else:
        y, ticks, ticklabels, seen = 0.0, [], [], set()
        lo, hi = 1.0, 1.0
        for label, vals in reversed(rows):
            start = y
            for kind, v in reversed(vals):
                ax.barh(y, v, height=0.8, left=0, color=colors[kind],
                        label=None if kind in seen else labels[kind])
                seen.add(kind)
                ax.text(v * 1.04, y, f"{v:.2f}", va="center", fontsize=7)
                lo, hi = min(lo, v), max(hi, v)
                y += 1
            ticks.append((start + y - 1) / 2)
            ticklabels.append(label)
            y += 0.6
        ax.set_xscale("log")
        ax.set_xlim(lo / 2, hi * 2.5)
        ax.axvline(1.0, color="black", linewidth=1)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_yticks(ticks)
        ax.set_yticklabels(ticklabels, fontsize=8)
        ax.set_ylim(-0.8, y - 0.2)
        ax.set_xlabel("ratio, log scale (above 1: SealFS better)")
        ax.grid(axis="x", which="both", alpha=0.3)
        handles, names = ax.get_legend_handles_labels()
        order = sorted(range(len(names)), key=lambda i: names[i])
        ax.legend([handles[i] for i in order], [names[i] for i in order],
                  loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8,
                  frameon=False)
    ax.set_title(f"SealFS benchmarks, {doc['date'][:10]}", fontsize=10, pad=24)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("files", nargs="+", metavar="FILE.jsonl")
    a = ap.parse_args(argv)
    metas, figs = load(a.files)
    if not figs:
        raise SystemExit("no figure records in " + " ".join(a.files))
    doc = build(metas, figs)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(os.path.join(a.out, "results.md"), "w", encoding="utf-8") as f:
        f.write(markdown(doc) + "\n")
    chart(doc, os.path.join(a.out, "results.png"))
    print(f"{len(doc['figures'])} figures: {a.out}/results.json, results.md, results.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
