#!/usr/bin/env python3
"""Turns one bench/run work directory into results: OUT.json (schema trellis.bench/v1), OUT.md and OUT.svg.

Usage: report.py WORK_DIR OUT_PREFIX     (python3 standard library only)
       report.py --h2-check SETUP_DIR    checks one HTTP/2 point (bench/run calls it): prints the problems, exit 1 if any

WORK_DIR holds settings.env and one directory per setup (<system>-<variant>-<hops>) with meta.env, wrk outputs
(tput-c<N>.txt), trellis load JSON (lat-q<R>-c<N>.json) and CPU tick pairs (*.cpu) taken around each measurement;
and one per HTTP/2 point (h2-<system>) with meta.env, h2load outputs (warmup.txt, h2load.txt), the probe request's
response headers (probe.headers) and the proxy's counters at the start, before and after the measured run
(stats-*.txt: Trellis's /stats, HAProxy's CSV, nginx's stub_status).
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


# --- HTTP/2 point ---------------------------------------------------------------------------------------------------
# Trellis's HTTP/2 codec counters (Envoy's names) that must not move while every request succeeds.
H2_ERROR_COUNTERS = ("rx_reset", "tx_reset", "stream_refused_errors", "goaway_sent", "goaway_graceful_sent",
                     "header_overflow", "rx_messaging_error", "outbound_control_flood", "inbound_empty_frames_flood",
                     "inbound_priority_frames_flood", "inbound_window_update_frames_flood", "keepalive_timeout",
                     "trailers")
H2_GAUGES = ("streams_active", "pending_send_bytes")
TRELLIS_HOP, TRELLIS_CLUSTER = "hop0", "upstream"


def h2_duration_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def parse_h2load(path):
    """h2load's text output -> protocol, counts, rate and request times; None when there is no file."""
    if not os.path.exists(path):
        return None
    text = open(path).read()
    res = {}
    m = re.search(r"^Application protocol: (\S+)", text, re.M)
    res["protocol"] = m.group(1) if m else None
    m = re.search(r"^h2load exit status: (\d+)", text, re.M)
    res["exit_status"] = int(m.group(1)) if m else None
    m = re.search(r"^finished in ([\d.]+)(\w+), ([\d.]+) req/s", text, re.M)
    if m:
        res["elapsed_s"] = h2_duration_ms(m.group(1) + m.group(2)) / 1000
        res["rps"] = float(m.group(3))
    m = re.search(r"^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, "
                  r"(\d+) timeout", text, re.M)
    if m:
        for k, v in zip(("total", "started", "done", "succeeded", "failed", "errored", "timeout"), m.groups()):
            res[k] = int(v)
    m = re.search(r"^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text, re.M)
    if m:
        res["status"] = dict(zip(("2xx", "3xx", "4xx", "5xx"), (int(x) for x in m.groups())))
    m = re.search(r"^time for request:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    if m:
        for k, v in zip(("min", "max", "mean", "sd"), m.groups()):
            res["request_%s_ms" % k] = h2_duration_ms(v)
    if "total" not in res:
        lines = [x for x in text.strip().splitlines() if x and not x.startswith("progress:")]
        res["error"] = " / ".join(lines[-3:]) if lines else "no output"
    return res


def parse_trellis_stats(path):
    out = {}
    for line in open(path) if os.path.exists(path) else []:
        k, _, v = line.strip().rpartition(": ")
        try:
            out[k] = int(v)
        except ValueError:
            pass
    return out


def parse_haproxy_csv(path):
    """HAProxy's stats CSV -> {(pxname, svname): {field: int}}."""
    out = {}
    lines = open(path).read().splitlines() if os.path.exists(path) else []
    if not lines or not lines[0].startswith("# "):
        return out
    head = lines[0][2:].split(",")
    for line in lines[1:]:
        row = dict(zip(head, line.split(",")))
        if "pxname" in row:
            out[(row["pxname"], row["svname"])] = {k: int(v) for k, v in row.items() if v.isdigit()}
    return out


def parse_stub_status(path):
    text = open(path).read() if os.path.exists(path) else ""
    m = re.search(r"server accepts handled requests\s+(\d+)\s+(\d+)\s+(\d+)", text)
    return {"accepts": int(m.group(1)), "handled": int(m.group(2)), "requests": int(m.group(3))} if m else {}


def trellis_window(label, s1, s2, count, opened, e):
    """Trellis's counters from s1 to s2 against h2load's: exactly `count` requests on `opened` HTTP/2 connections."""
    if not s2:
        return ["%s: Trellis /stats did not answer" % label]
    problems = []
    delta = lambda k: s2.get(k, 0) - s1.get(k, 0)
    dn = "http.%s." % TRELLIS_HOP
    up = "cluster.%s." % TRELLIS_CLUSTER
    want = {dn + "downstream_rq_total": count, dn + "downstream_rq_2xx": count,
            dn + "downstream_cx_http2_total": opened, dn + "downstream_cx_http1_total": 0,
            up + "upstream_rq_total": count, up + "upstream_rq_2xx": count,
            up + "upstream_cx_destroy": 0, up + "upstream_cx_connect_fail": 0, up + "upstream_rq_timeout": 0,
            up + "upstream_rq_pending_overflow": 0}
    for c in H2_ERROR_COUNTERS:
        want["http2." + c] = 0
        if c != "header_overflow":  # downstream only: response headers have no size limit
            want[up + "http2." + c] = 0
    for k, v in want.items():
        if k not in s2:
            problems.append("%s: Trellis /stats has no %s%s" % (label, k, " (the upstream codec is not HTTP/2)"
                                                                 if k.startswith(up + "http2.") else ""))
        elif delta(k) != v:
            problems.append("%s: Trellis %s moved by %d, wanted %d" % (label, k, delta(k), v))
    # Nothing held once every stream is done: no leaked stream, request or queued byte.
    for k in ["http2." + g for g in H2_GAUGES] + [up + "http2." + g for g in H2_GAUGES] + [up + "upstream_rq_active"]:
        if s2.get(k, 0) != 0:
            problems.append("%s: Trellis %s is %d at its end, wanted 0" % (label, k, s2[k]))
    if label == "run":
        e["upstream_connections"] = s2.get(up + "upstream_cx_active")
        e["stats_delta"] = {k: delta(k) for k in sorted(want) if k in s2 and delta(k)}
    return problems


def haproxy_window(label, s1, s2, count):
    fe, be = ("hop0", "FRONTEND"), ("upstream", "BACKEND")
    if fe not in s2 or be not in s2:
        return ["%s: HAProxy stats did not answer" % label]
    problems = []
    delta = lambda row, k: s2[row].get(k, 0) - s1.get(row, {}).get(k, 0)
    want = [(fe, "req_tot", count), (fe, "hrsp_2xx", count), (fe, "ereq", 0), (be, "hrsp_2xx", count)] + \
           [(be, k, 0) for k in ("econ", "eresp", "wretr", "wredis", "cli_abrt", "srv_abrt")]
    for row, k, v in want:
        if delta(row, k) != v:
            problems.append("%s: HAProxy %s %s moved by %d, wanted %d" % (label, "/".join(row), k, delta(row, k), v))
    return problems


def h2_point(d, clk=100):
    """One HTTP/2 point's figures and the checks that it was HTTP/2 end to end with no error: (entry, problems)."""
    meta = read_env(os.path.join(d, "meta.env"))
    sysname = meta.get("system", os.path.basename(d)[3:])
    e = {"system": sysname, "hops": 0 if sysname == "baseline" else 1,
         "upstream_protocol": meta.get("upstream_protocol"), "status": meta.get("status", "not run")}
    if meta.get("error"):
        e["error"] = meta["error"]
    if e["status"] == "failed to start":
        return e, ["%s failed to start: %s" % (sysname, meta.get("error", "?"))]
    problems = []
    n = int(meta.get("requests", "0"))
    conns = int(meta.get("connections", "0"))
    e.update({"requests_sent": n, "connections": conns, "streams_per_connection": int(meta.get("streams", "0"))})
    if meta.get("ready_ms"):
        e["ready_ms"] = int(meta["ready_ms"])
    if meta.get("rss_kib"):
        e["peak_rss_mib"] = round(int(meta["rss_kib"]) / 1024, 1)

    # The probe: HTTP/2 from the client, and the protocol the echo server saw from the hop.
    headers = open(os.path.join(d, "probe.headers")).read() if os.path.exists(os.path.join(d, "probe.headers")) else ""
    status_line = headers.splitlines()[0].strip() if headers.strip() else "no response"
    m = re.search(r"^x-echo-protocol:\s*(\S+)", headers, re.M | re.I)
    echo_proto = m.group(1) if m else None
    e["probe"] = {"status_line": status_line, "echo_saw": echo_proto}
    if status_line != "HTTP/2 200":
        problems.append("probe request: '%s', wanted 'HTTP/2 200'" % status_line)
    if echo_proto != e["upstream_protocol"]:
        problems.append("probe request: the echo server saw %s from the hop, wanted %s" % (echo_proto,
                                                                                          e["upstream_protocol"]))

    rounds = sorted((f for f in os.listdir(d) if re.match(r"warmup-\d+\.txt$", f)), key=lambda f: int(f[7:-4]))
    warm = [parse_h2load(os.path.join(d, f)) or {} for f in rounds]
    e["warmup_rps"] = [w.get("rps") for w in warm]
    e["warmup_steady"] = meta.get("warmup_steady") == "1"
    h = parse_h2load(os.path.join(d, "h2load.txt"))
    if not h or "total" not in h:
        killed = (h or {}).get("exit_status") in (124, 137)
        problems.append("h2load did not finish the measured run%s: %s" % (
            " (killed at its time limit: a stall?)" if killed else "", (h or {}).get("error", "no output")))
        h = h or {}
    else:
        e.update({"rps": h.get("rps"), "elapsed_s": h.get("elapsed_s"), "requests": h["total"],
                  "succeeded": h["succeeded"],
                  # Every request sent that did not come back 2xx (failed, errored, timed out or another status).
                  "errors": n - h["status"]["2xx"] if h.get("status") else None,
                  "status_codes": h.get("status")})
        for k in ("request_min_ms", "request_mean_ms", "request_max_ms"):
            if h.get(k) is not None:
                e[k] = round(h[k], 3)
        if h.get("protocol") != "h2c":
            problems.append("h2load: application protocol %s, wanted h2c" % h.get("protocol"))
        if h.get("exit_status") not in (0, None):
            problems.append("h2load: exit status %s%s" % (h["exit_status"], " (killed: stalled?)"
                                                          if h["exit_status"] in (124, 137) else ""))
        if not (h["total"] == h["done"] == h["succeeded"] == n):
            problems.append("h2load: %d total, %d done, %d succeeded, wanted %d each"
                            % (h["total"], h["done"], h["succeeded"], n))
        for k in ("failed", "errored", "timeout"):
            if h[k]:
                problems.append("h2load: %d %s" % (h[k], k))
        if h.get("status", {}).get("2xx") != n:
            problems.append("h2load: status codes %s, wanted %d 2xx" % (h.get("status"), n))
    cpu = cpu_seconds(os.path.join(d, "h2load.cpu"), clk)
    e["cpu_s"] = cpu if e["hops"] else None
    e["cpu_s_per_1k"] = per_1k(cpu, e.get("requests")) if e["hops"] else None
    # The warm-up must have run over HTTP/2 too, and without errors (a timed round may abandon streams at its end).
    for i, w in enumerate(warm):
        if "total" not in w:
            problems.append("warm-up round %d: h2load did not finish: %s" % (i + 1, w.get("error", "no output")))
            continue
        if not (w["total"] == w["done"] == w["succeeded"]):
            problems.append("warm-up round %d: h2load: %d total, %d done, %d succeeded"
                            % (i + 1, w["total"], w["done"], w["succeeded"]))
        if w.get("protocol") != "h2c":
            problems.append("warm-up round %d: h2load's application protocol %s, wanted h2c" % (i + 1, w.get("protocol")))
        for k in ("failed", "errored", "timeout"):
            if w.get(k):
                problems.append("warm-up round %d: h2load: %d %s" % (i + 1, w[k], k))
        bad = sum(v for c, v in (w.get("status") or {}).items() if c != "2xx")
        if bad:
            problems.append("warm-up round %d: h2load: %d responses not 2xx" % (i + 1, bad))

    warm_count = sum(w.get("total", 0) for w in warm)
    windows = [("warm-up", "start", "before", warm_count, conns * len(warm)), ("run", "before", "after", n, conns)]
    stats = lambda name: os.path.join(d, "stats-%s.txt" % name)
    for label, a, b, count, opened in windows:
        if sysname == "trellis":
            problems += trellis_window(label, parse_trellis_stats(stats(a)), parse_trellis_stats(stats(b)), count,
                                       opened, e)
        elif sysname == "haproxy":
            problems += haproxy_window(label, parse_haproxy_csv(stats(a)), parse_haproxy_csv(stats(b)), count)
        elif sysname == "nginx":
            s1, s2 = parse_stub_status(stats(a)), parse_stub_status(stats(b))
            if not s2:
                problems.append("%s: nginx stub_status did not answer" % label)
            elif s2["requests"] - s1.get("requests", 0) != count + 1:  # + the stub_status request itself
                problems.append("%s: nginx handled %d requests, wanted %d"
                                % (label, s2["requests"] - s1.get("requests", 0) - 1, count))
    e["checks"] = problems
    return e, problems


def collect_h2(work, settings):
    if settings.get("h2", "0") == "0" or "h2_conns" not in settings:
        return None
    clk = int(settings.get("clk_tck", "100"))
    results = []
    for sysname in settings["systems"].split():
        d = os.path.join(work, "h2-" + sysname)
        if os.path.isdir(d):
            results.append(h2_point(d, clk)[0])
    rat = {}
    t = next((r for r in results if r["system"] == "trellis" and r["status"] == "ok"), None)
    for other in ("haproxy", "nginx"):
        o = next((r for r in results if r["system"] == other and r["status"] == "ok"), None)
        rat["trellis/%s" % other] = {"throughput": ratio(t.get("rps"), o.get("rps")),
                                     "cpu_s_per_1k": ratio(t.get("cpu_s_per_1k"), o.get("cpu_s_per_1k")),
                                     "other_upstream_protocol": o["upstream_protocol"]} if t and o else None
    return {
        "tool": settings.get("h2load"),
        "settings": {"connections": int(settings["h2_conns"]), "streams_per_connection": int(settings["h2_streams"]),
                     "payload_bytes": int(settings["payload"]), "warmup_round_s": float(settings["h2_round_s"]),
                     "warmup_max_s": float(settings["h2_warm_max_s"]), "target_s": float(settings["h2_s"])},
        "results": results,
        "ratios": rat,
    }
    if h2:
        doc["versions"]["h2load"] = h2.get("tool")
        doc["http2"] = h2


def h2_markdown(settings, h2):
    L = []
    st = h2["settings"]
    L.append("## HTTP/2 throughput (h2load, closed loop, h2c prior knowledge, one hop)")
    L.append("")
    L.append("%s, %d connections × %d concurrent streams (%d requests in flight, as wrk's %s-connection HTTP/1.1 point), "
             "1 KiB POST bodies echoed back. Every h2load run sends a fixed count of requests, so that no stream is "
             "ever abandoned and every counter can be checked exactly: warm-up rounds (64 requests, then about %.4gs' "
             "worth at the last rate) until the rate stops rising (for at most %.4gs; the rates are listed below), "
             "then the measured run, about %.4gs' worth at the last round's rate. Checked, over the warm-up and the "
             "run apart: h2load's protocol h2c, every request answered 2xx, the echo server's view of the hop's "
             "protocol, and the proxy's own counters (Trellis: requests, `http2.*` and `cluster.upstream.http2.*` "
             "codec errors and gauges; HAProxy: its CSV stats; nginx: stub_status)."
             % (h2.get("tool") or "h2load", st["connections"], st["streams_per_connection"],
                st["connections"] * st["streams_per_connection"], "64", st["warmup_round_s"], st["warmup_max_s"],
                st["target_s"]))
    L.append("")
    head = ["setup", "protocols (client → hop → echo)", "req/s", "requests", "errors", "CPU s/1k req",
            "peak RSS MiB", "request ms mean / max", "upstream conns", "checks"]
    L.append("| " + " | ".join(head) + " |")
    L.append("|" + "---|" * len(head))
    for r in h2["results"]:
        label = LABELS[r["system"]] + ("" if r["hops"] == 0 else ", 1 hop")
        if r["status"] == "failed to start":
            L.append("| %s | failed to start |" % label + " |" * (len(head) - 2))
            continue
        protos = "h2c → echo" if r["hops"] == 0 else "h2c → %s" % ("h2c" if r["upstream_protocol"] == "HTTP/2.0"
                                                                     else "**HTTP/1.1**")
        times = "–"
        if r.get("request_mean_ms") is not None:
            times = "%.2f / %.1f" % (r["request_mean_ms"], r["request_max_ms"])
        row = [label, protos, fmt(r.get("rps"), 0), fmt(r.get("requests")), fmt(r.get("errors")),
               fmt(r.get("cpu_s_per_1k"), 3), fmt(r.get("peak_rss_mib"), 1), times,
               fmt(r.get("upstream_connections")),
               "ok" if r["status"] == "ok" else "**FAILED** (%d)" % len(r.get("checks", []))]
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    for r in h2["results"]:
        if r.get("warmup_rps"):
            L.append("- %s warm-up, req/s per round: %s%s" % (
                LABELS[r["system"]], ", ".join(fmt(x, 0) for x in r["warmup_rps"]),
                "" if r.get("warmup_steady") else " (still rising when the warm-up's time ran out: not a steady rate)"))
    for r in h2["results"]:
        if r.get("checks"):
            L.append("- **%s failed the HTTP/2 checks:** %s" % (LABELS[r["system"]], "; ".join(r["checks"])))
    for k, v in h2["ratios"].items():
        if v:
            L.append("- Trellis ÷ %s: throughput %s, CPU per request %s%s."
                     % (LABELS[k.split("/")[1]], fmt(v["throughput"]), fmt(v["cpu_s_per_1k"]),
                        " (nginx forwards over HTTP/1.1: not like for like)" if v["other_upstream_protocol"] != "HTTP/2.0"
                        else ""))
    if any(r["system"] == "nginx" for r in h2["results"]):
        L.append("- nginx %s speaks HTTP/2 only towards clients: its proxy module forwards over HTTP/1.x (only "
                 "grpc_pass speaks HTTP/2 upstream, for gRPC), so its row measures h2c in, HTTP/1.1 keep-alive out."
                 % settings.get("nginx", "").replace("nginx version: nginx/", ""))
    L.append("")
    return "\n".join(L)


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


def markdown(settings, results, rat, h2=None):
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
    if not results:
        L.append("HTTP/1.1 points not run (--only-h2).")
        L.append("")
        if h2:
            L.append(h2_markdown(settings, h2))
        return "\n".join(L)
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
    if h2:
        L.append(h2_markdown(settings, h2))
    return "\n".join(L)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(settings, results, h2=None):
    """Two panels: latency-percentile curves at the heaviest fixed rate, and throughput bars; with the HTTP/2 point, a
    third below them: its throughput bars."""
    W, H = 1100, 490 + (190 if h2 else 0)
    if h2 and not results:  # --only-h2: the HTTP/2 panel alone
        return "\n".join(['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="230" viewBox="0 0 %d 230" '
                          'font-family="sans-serif" font-size="12">' % (W, W),
                          '<rect width="100%" height="100%" fill="white"/>',
                          '<text x="%d" y="22" font-size="15" text-anchor="middle">Trellis vs HAProxy vs nginx — %s, '
                          '%s</text>' % (W // 2, esc(settings["name"]), esc(settings["date"][:10]))]
                         + h2_svg(h2, 70, 60, 990) + ["</svg>"]) + "\n"
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
    if h2:
        out.extend(h2_svg(h2, 70, 520, 990))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def h2_svg(h2, x0, y0, pw):
    """Horizontal bars: HTTP/2 req/s per setup; a failed check is drawn hatched-red and labelled."""
    out = []
    st = h2["settings"]
    rows = [r for r in h2["results"] if r.get("rps") is not None or r["status"] == "failed to start"]
    out.append('<text x="%d" y="%d" font-size="13">HTTP/2 throughput, req/s (h2load, closed loop, h2c, %d connections '
               '\u00d7 %d streams, one hop)</text>' % (x0, y0, st["connections"], st["streams_per_connection"]))
    vmax = max([r.get("rps") or 0 for r in rows] + [1.0])
    mag = 10 ** math.floor(math.log10(vmax))
    vtop = next(m * mag for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * mag >= vmax)
    lw, bh, gap = 230, 24, 8
    top = y0 + 14
    for i in range(6):
        x = x0 + lw + (pw - lw) * i / 5
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#eee"/>'
                   % (x, x, top, top + len(rows) * (bh + gap)))
        out.append('<text x="%.1f" y="%d" text-anchor="middle" font-size="11">%d</text>'
                   % (x, top + len(rows) * (bh + gap) + 12, vtop * i / 5))
    for i, r in enumerate(rows):
        y = top + i * (bh + gap)
        label = LABELS[r["system"]] + ("" if r["hops"] == 0 else (" (h2c → h2c)" if r["upstream_protocol"] == "HTTP/2.0"
                                                                  else " (h2c → HTTP/1.1)"))
        out.append('<text x="%d" y="%d" font-size="12">%s</text>' % (x0, y + bh * 0.7, esc(label)))
        v = r.get("rps") or 0
        w = (pw - lw) * v / vtop
        ok = r["status"] == "ok"
        out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"%s><title>%s: %.0f req/s</title></rect>'
                   % (x0 + lw, y, w, bh, COLORS[r["system"]] if ok else "#b00",
                      "" if r["upstream_protocol"] == "HTTP/2.0" or not ok else ' fill-opacity="0.55"', esc(label), v))
        text = "%.0f" % v if ok else ("%.0f — FAILED checks" % v if r["status"] != "failed to start"
                                      else "failed to start")
        out.append('<text x="%.1f" y="%d" font-size="11"%s>%s</text>'
                   % (x0 + lw + w + 4, y + bh * 0.7, "" if ok else ' fill="#b00"', esc(text)))
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--h2-check":
        entry, problems = h2_point(sys.argv[2])
        if problems:
            print("\n".join(problems))
            return 1
        print("checks passed: %s req/s over %s, %s requests, all 2xx, HTTP/2 end to end"
              % (fmt(entry.get("rps"), 0), "h2c" if entry["hops"] == 0 else "h2c -> " + entry["upstream_protocol"],
                 entry.get("requests")))
        return 0
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    work, prefix = sys.argv[1], sys.argv[2]
    settings, results = collect(work)
    rat = ratios(results, settings)
    h2 = collect_h2(work, settings)
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
    if h2:
        doc["versions"]["h2load"] = h2.get("tool")
        doc["http2"] = h2
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    with open(prefix + ".json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    md = markdown(settings, results, rat, h2)
    with open(prefix + ".md", "w") as f:
        f.write(md)
        f.write("\n![chart](%s.svg)\n" % os.path.basename(prefix))
    with open(prefix + ".svg", "w") as f:
        f.write(svg(settings, results, h2))
    print(md)
    print("results: %s.json, %s.md, %s.svg" % (prefix, prefix, prefix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
