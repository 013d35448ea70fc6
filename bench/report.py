#!/usr/bin/env python3
"""Turns one bench/run work directory into results: OUT.json (schema trellis.bench/v1), OUT.md and OUT.svg.

Usage: report.py WORK_DIR OUT_PREFIX     (python3 standard library only)

WORK_DIR holds settings.env and one directory per setup (<system>-<variant>-<hops>) with meta.env, wrk outputs
(tput-c<N>.txt), trellis load JSON (lat-q<R>-c<N>.json) and CPU tick pairs (*.cpu) taken around each measurement.
"""

import json
import math
import os
import re
import shlex
import sys

SYSTEMS = ["baseline", "trellis", "haproxy", "nginx"]
LABELS = {"baseline": "no proxy", "trellis": "Trellis", "haproxy": "HAProxy", "nginx": "nginx"}
COLORS = {"baseline": "#7f7f7f", "trellis": "#2a9d8f", "haproxy": "#e76f51", "nginx": "#264653"}
PCTS = [("p50", 50), ("p75", 75), ("p90", 90), ("p99", 99), ("p99_9", 99.9)]


def read_env(path):
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or "=" not in line:
                continue
            k, v = line.split("=", 1)
            try:
                parts = shlex.split(v)
                out[k] = parts[0] if len(parts) == 1 else " ".join(parts)
            except ValueError:
                out[k] = v
    return out


def duration_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        return None
    v = float(m.group(1))
    return {"us": v / 1000, "ms": v, "s": v * 1000, "m": v * 60000}[m.group(2)]


def parse_wrk(path):
    """wrk's text output -> requests, rps, errors, latency percentiles (closed loop, for information)."""
    if not os.path.exists(path):
        return None
    text = open(path).read()
    res = {}
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    if not m:
        return {"error": text.strip().splitlines()[-1] if text.strip() else "no output"}
    res["requests"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    res["rps"] = float(m.group(1)) if m else 0.0
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(g) for g in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    res["errors"] = errors
    for pct in ("50", "90", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, text, re.M)
        if m:
            res["p%s_ms" % pct] = duration_ms(m.group(1))
    return res


def cpu_seconds(path, clk):
    try:
        before, after = open(path).read().split()
        return (int(after) - int(before)) / clk
    except (OSError, ValueError):
        return None


def per_1k(cpu, requests):
    if cpu is None or not requests:
        return None
    return cpu / requests * 1000


def collect(work):
    settings = read_env(os.path.join(work, "settings.env"))
    clk = int(settings.get("clk_tck", "100"))
    tput_conns = [int(x) for x in settings["tput_conns"].split()]
    rates = [int(x) for x in settings["rates"].split()]
    lat_conns = [int(x) for x in settings["lat_conns"].split()]
    results = []
    for variant in settings.get("variants", "plain").split():
        for sysname in settings["systems"].split():
            for hops in ([0] if sysname == "baseline" else [1, 2]):
                d = os.path.join(work, "%s-%s-%d" % (sysname, variant, hops))
                meta = read_env(os.path.join(d, "meta.env"))
                r = {
                    "system": sysname,
                    "variant": variant,
                    "hops": hops,
                    "status": meta.get("status", "not run"),
                }
                if meta.get("error"):
                    r["error"] = meta["error"]
                if r["status"] == "ok":
                    r["ready_ms"] = [int(x) for x in meta.get("ready_ms", "").split()]
                    r["peak_rss_mib"] = [round(int(x) / 1024, 1) for x in meta.get("rss_kib", "").split()]
                    r["idle_rss_mib"] = [round(int(x) / 1024, 1) for x in meta.get("idle_rss_kib", "").split()]
                    r["throughput"] = []
                    for c in tput_conns:
                        w = parse_wrk(os.path.join(d, "tput-c%d.txt" % c)) or {}
                        cpu = cpu_seconds(os.path.join(d, "tput-c%d.cpu" % c), clk)
                        w.update({"connections": c, "cpu_s": cpu if hops else None,
                                  "cpu_s_per_1k": per_1k(cpu, w.get("requests")) if hops else None})
                        r["throughput"].append(w)
                    r["latency"] = []
                    for q in rates:
                        for c in lat_conns:
                            f = os.path.join(d, "lat-q%d-c%d.json" % (q, c))
                            entry = {"qps": q, "connections": c}
                            try:
                                lj = json.load(open(f))
                                entry.update({
                                    "rate": lj["rate"], "count": lj["count"], "errors": lj["errors"],
                                    "error_kinds": lj["error_kinds"], "status": lj["status"],
                                })
                                entry.update({k + "_ms": lj["latency_ms"][k] for k in
                                              ("min", "p50", "p75", "p90", "p99", "p99_9", "max")})
                                cpu = cpu_seconds(f[:-5] + ".cpu", clk)
                                entry["cpu_s_per_1k"] = per_1k(cpu, lj["count"]) if hops else None
                            except (OSError, ValueError, KeyError) as e:
                                entry["error"] = "no result: %s" % e
                            r["latency"].append(entry)
                results.append(r)
    # Added latency over the baseline at the same rate and connections.
    base = next((r for r in results if r["system"] == "baseline" and r["status"] == "ok"), None)
    for r in results:
        for e in r.get("latency", []):
            b = None
            if base:
                b = next((x for x in base["latency"] if x["qps"] == e["qps"] and x["connections"] == e["connections"]
                          and "p50_ms" in x), None)
            for p in ("p50", "p90", "p99"):
                if b and p + "_ms" in e:
                    e["added_" + p + "_ms"] = round(e[p + "_ms"] - b[p + "_ms"], 3)
    return settings, results


def ratio(a, b):
    if a is None or b is None or b <= 0 or a < 0:
        return None
    return round(a / b, 2)


def find(results, system, hops):
    return next((r for r in results if r["system"] == system and r["hops"] == hops and r["status"] == "ok"), None)


def ratios(results, settings):
    out = {}
    for other in ("haproxy", "nginx"):
        for hops in (1, 2):
            t, o = find(results, "trellis", hops), find(results, other, hops)
            key = "trellis/%s/%dhop" % (other, hops)
            if not t or not o:
                out[key] = None
                continue
            x = {}
            for tt, oo in zip(t["throughput"], o["throughput"]):
                x["throughput_c%d" % tt["connections"]] = ratio(tt.get("rps"), oo.get("rps"))
            for tl, ol in zip(t["latency"], o["latency"]):
                for p in ("p50", "p90", "p99"):
                    x["added_%s_q%d_c%d" % (p, tl["qps"], tl["connections"])] = ratio(
                        tl.get("added_%s_ms" % p), ol.get("added_%s_ms" % p))
            x["cpu_s_per_1k_q1000_c16"] = ratio(*(next((e.get("cpu_s_per_1k") for e in r["latency"]
                                                       if e["qps"] == 1000 and e["connections"] == 16), None)
                                                  for r in (t, o)))
            x["peak_rss"] = ratio(max(t["peak_rss_mib"] or [0]), max(o["peak_rss_mib"] or [0]))
            x["idle_rss"] = ratio(max(t.get("idle_rss_mib") or [0]), max(o.get("idle_rss_mib") or [0]))
            x["ready_ms"] = ratio(max(t["ready_ms"] or [0]), max(o["ready_ms"] or [0]))
            out[key] = x
    return out


def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, float):
        return ("%%.%df" % digits) % v
    return str(v)


def setup_name(r):
    return LABELS[r["system"]] + ("" if r["hops"] == 0 else ", %d hop%s" % (r["hops"], "s" if r["hops"] > 1 else ""))


def markdown(settings, results, rat):
    L = []
    L.append("# Trellis vs HAProxy vs nginx — %s (%s)" % (settings["name"], settings["date"]))
    L.append("")
    L.append("Machine: %s CPUs (%s), kernel %s. Proxies pinned to CPU %s, one worker each; load generator and "
             "echo server on CPU %s. 1 KiB POST bodies echoed back; plain HTTP/1.1 with keep-alive on both sides. "
             "%s; %s; %s; %s. Trellis proxy JVM options: %s. %s run: throughput %ss, latency %ss per point."
             % (settings["cpus"], settings["cpu_model"], settings["kernel"], settings["proxy_cpu"],
                settings["load_cpu"], settings["java"], settings["haproxy"], settings["nginx"], settings["wrk"],
                settings["proxy_java_opts"] or "the launcher's (started by ./trellis: its JVM flags and its AOT startup cache)",
                "Quick" if settings["quick"] == "1" else "Full",
                settings["tput_s"], settings["lat_s"]))
    if settings.get("loadavg_before"):
        L.append("")
        L.append("Load average (1, 5, 15 min) of the whole machine before the run: %s; after: %s. Anything above 2 "
                 "means other work shared the cores, and the latency figures suffer first."
                 % (settings["loadavg_before"], settings.get("loadavg_after", "?")))
    if settings.get("note"):
        L.append("")
        L.append("Note: " + settings["note"])
    L.append("")
    failed = [r for r in results if r["status"] != "ok"]
    for r in failed:
        L.append("- **%s: %s**%s" % (setup_name(r), r["status"], (" — " + r["error"]) if r.get("error") else ""))
    if failed:
        L.append("")
    tput_conns = settings["tput_conns"].split()
    L.append("## Maximum throughput (wrk, closed loop) and cost")
    L.append("")
    head = ["setup"] + ["req/s @%sc" % c for c in tput_conns] + ["errors", "CPU s/1k req @1k qps", "CPU s/1k req @max",
                                                                   "idle RSS MiB", "peak RSS MiB", "ready ms"]
    L.append("| " + " | ".join(head) + " |")
    L.append("|" + "---|" * len(head))
    for r in results:
        if r["status"] != "ok":
            L.append("| %s | %s |" % (setup_name(r), r["status"]) + " |" * (len(head) - 2))
            continue
        cpu1k = next((e.get("cpu_s_per_1k") for e in r["latency"] if e["qps"] == 1000 and e["connections"] == 16),
                     None)
        row = [setup_name(r)] + [fmt(t.get("rps"), 0) for t in r["throughput"]]
        row.append(str(sum(t.get("errors", 0) for t in r["throughput"])))
        row.append(fmt(cpu1k, 3))
        row.append(fmt(r["throughput"][-1].get("cpu_s_per_1k"), 3))
        row.append(" + ".join(fmt(x, 1) for x in r.get("idle_rss_mib", [])) or "–")
        row.append(" + ".join(fmt(x, 1) for x in r["peak_rss_mib"]) or "–")
        row.append(" + ".join(str(x) for x in r["ready_ms"]) or "–")
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append("## Latency at a fixed rate (trellis load, open loop), ms: p50 / p90 / p99 (added over no proxy)")
    L.append("")
    combos = [(e["qps"], e["connections"]) for e in (find(results, "baseline", 0) or results[0]).get("latency", [])]
    if not combos:
        combos = [(int(q), int(c)) for q in settings["rates"].split() for c in settings["lat_conns"].split()]
    head = ["setup"] + ["%d req/s, %dc" % qc for qc in combos]
    L.append("| " + " | ".join(head) + " |")
    L.append("|" + "---|" * len(head))
    for r in results:
        if r["status"] != "ok":
            continue
        row = [setup_name(r)]
        for q, c in combos:
            e = next((x for x in r["latency"] if x["qps"] == q and x["connections"] == c), {})
            if "p50_ms" not in e:
                row.append("–")
                continue
            cell = "%.2f / %.2f / %.2f" % (e["p50_ms"], e["p90_ms"], e["p99_ms"])
            if r["hops"] and "added_p50_ms" in e:
                cell += " (+%.2f / +%.2f / +%.2f)" % (e["added_p50_ms"], e["added_p90_ms"], e["added_p99_ms"])
            if e.get("errors"):
                cell += " [%d errors]" % e["errors"]
            if e.get("rate") and e["rate"] < 0.95 * q:
                cell += " [achieved %.0f/s]" % e["rate"]
            row.append(cell)
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append("## Ratios (Trellis ÷ other; throughput: higher is better for Trellis, the rest: lower is better)")
    L.append("")
    keys = []
    for v in rat.values():
        if v:
            keys = list(v.keys())
            break
    if not keys:
        L.append("No ratios: Trellis or the other proxy did not run.")
    else:
        head = ["figure"] + list(rat.keys())
        L.append("| " + " | ".join(head) + " |")
        L.append("|" + "---|" * len(head))
        for k in keys:
            L.append("| " + " | ".join([k] + [fmt((v or {}).get(k)) for v in rat.values()]) + " |")
    L.append("")
    L.append("Added latency can be negative or tiny on a noisy machine; a ratio is shown only when both are positive.")
    L.append("")
    return "\n".join(L)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(settings, results):
    """Two panels: latency-percentile curves at the heaviest fixed rate, and throughput bars."""
    W, H = 1100, 490
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12">' % (W, H, W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15" text-anchor="middle">Trellis vs HAProxy vs nginx — %s, %s</text>'
           % (W // 2, esc(settings["name"]), esc(settings["date"][:10]))]
    ok = [r for r in results if r["status"] == "ok"]
    # Panel 1: latency vs percentile.
    qmax = max(int(q) for q in settings["rates"].split())
    cmax = max(int(c) for c in settings["lat_conns"].split())
    x0, y0, pw, ph = 70, 60, 440, 320
    out.append('<text x="%d" y="%d" text-anchor="middle">Latency at %d req/s, %d connections (ms)</text>'
               % (x0 + pw // 2, y0 - 12, qmax, cmax))
    series = []
    for r in ok:
        e = next((x for x in r["latency"] if x["qps"] == qmax and x["connections"] == cmax and "p50_ms" in x), None)
        if e:
            series.append((r, [e[k + "_ms"] for k, _ in PCTS]))
    ymax = max([max(v) for _, v in series] + [1.0])
    top = 10 ** math.ceil(math.log10(ymax)) if ymax > 0 else 1
    for m in (1, 2, 5):
        if ymax <= top * m / 10:
            top = top * m / 10
            break
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' % (x0, y0, pw, ph))
    for i in range(6):
        v = top * i / 5
        y = y0 + ph - ph * i / 5
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#eee"/>' % (x0, x0 + pw, y, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (x0 - 6, y + 4, ("%.4g" % v)))
    xs = [x0 + pw * (i + 0.5) / len(PCTS) for i in range(len(PCTS))]
    for (label, _), x in zip(PCTS, xs):
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x, y0 + ph + 16, label.replace("_", ".")))
    for r, vals in series:
        pts = " ".join("%.1f,%.1f" % (x, y0 + ph - ph * min(v, top) / top) for x, v in zip(xs, vals))
        dash = ' stroke-dasharray="6,4"' if r["hops"] == 2 else ""
        out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>' % (pts, COLORS[r["system"]], dash))
        for x, v in zip(xs, vals):
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s: %.3f ms</title></circle>'
                       % (x, y0 + ph - ph * min(v, top) / top, COLORS[r["system"]], esc(setup_name(r)), "", v))
    # Legend.
    ly = y0 + ph + 40
    lx = x0
    for r, _ in series:
        dash = ' stroke-dasharray="6,4"' if r["hops"] == 2 else ""
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (lx, lx + 24, ly, ly, COLORS[r["system"]], dash))
        out.append('<text x="%d" y="%d">%s</text>' % (lx + 28, ly + 4, esc(setup_name(r))))
        lx += 150
        if lx > x0 + pw:
            lx = x0
            ly += 18
    # Panel 2: throughput bars.
    bx0, by0, bw, bh = 600, 60, 460, 320
    conns = [int(c) for c in settings["tput_conns"].split()]
    out.append('<text x="%d" y="%d" text-anchor="middle">Maximum throughput, req/s (closed loop, wrk)</text>'
               % (bx0 + bw // 2, by0 - 12))
    bars = [(r, [t.get("rps", 0) or 0 for t in r["throughput"]]) for r in ok]
    vmax = max([max(v) for _, v in bars if v] + [1.0])
    mag = 10 ** math.floor(math.log10(vmax))
    vtop = next(m * mag for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * mag >= vmax)
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' % (bx0, by0, bw, bh))
    for i in range(6):
        v = vtop * i / 5
        y = by0 + bh - bh * i / 5
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#eee"/>' % (bx0, bx0 + bw, y, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%d</text>' % (bx0 - 6, y + 4, v))
    if bars:
        group_w = bw / len(bars)
        bar_w = group_w * 0.8 / len(conns)
        for gi, (r, vals) in enumerate(bars):
            gx = bx0 + gi * group_w + group_w * 0.1
            for ci, v in enumerate(vals):
                h = bh * v / vtop
                opacity = 1.0 if ci == len(vals) - 1 else 0.55
                out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="%.2f">'
                           '<title>%s, %d connections: %.0f req/s</title></rect>'
                           % (gx + ci * bar_w, by0 + bh - h, bar_w - 1, h, COLORS[r["system"]], opacity,
                              esc(setup_name(r)), conns[ci], v))
            label = LABELS[r["system"]] + ("" if r["hops"] == 0 else " ×%d" % r["hops"])
            out.append('<text x="%.1f" y="%d" text-anchor="middle" font-size="11">%s</text>'
                       % (gx + group_w * 0.4, by0 + bh + 16, esc(label)))
        out.append('<text x="%d" y="%d" font-size="11">pale: %d connections, solid: %d connections; ×N = hops</text>'
                   % (bx0, by0 + bh + 40, conns[0], conns[-1]))
    failed = [r for r in results if r["status"] != "ok"]
    if failed:
        out.append('<text x="%d" y="%d" fill="#b00">%s</text>' % (
            bx0, by0 + bh + 58, esc("; ".join("%s: %s" % (setup_name(r), r["status"]) for r in failed))))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    work, prefix = sys.argv[1], sys.argv[2]
    settings, results = collect(work)
    rat = ratios(results, settings)
    doc = {
        "schema": "trellis.bench/v1",
        "name": settings["name"],
        "date": settings["date"],
        "quick": settings["quick"] == "1",
        "machine": {k: settings.get(k) for k in ("cpus", "cpu_model", "kernel", "load_cpu", "proxy_cpu")},
        "versions": {k: settings.get(k) for k in ("java", "haproxy", "nginx", "wrk", "trellis")},
        "settings": {
            "payload_bytes": int(settings["payload"]),
            "throughput_connections": [int(x) for x in settings["tput_conns"].split()],
            "rates": [int(x) for x in settings["rates"].split()],
            "latency_connections": [int(x) for x in settings["lat_conns"].split()],
            "warmup_s": float(settings["warm_s"]),
            "throughput_s": float(settings["tput_s"]),
            "latency_s": float(settings["lat_s"]),
            "proxy_java_opts": settings.get("proxy_java_opts"),
            "tool_java_opts": settings.get("tool_java_opts"),
            "load_java_opts": settings.get("load_java_opts"),
        },
        "results": results,
        "ratios": rat,
    }
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    with open(prefix + ".json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    md = markdown(settings, results, rat)
    with open(prefix + ".md", "w") as f:
        f.write(md)
        f.write("\n![chart](%s.svg)\n" % os.path.basename(prefix))
    with open(prefix + ".svg", "w") as f:
        f.write(svg(settings, results))
    print(md)
    print("results: %s.json, %s.md, %s.svg" % (prefix, prefix, prefix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
