#!/usr/bin/env python3
"""How fast a big thread reads on a phone: the essay page (and the biggest thread page)
of the default essay with 24 (as shipped), 100, 1,000 and 10,000 comments, opened from
disk in headless Chromium emulating a phone.

    python3 bench/thread_pages.py [--runs 3] [--sizes 100,1000,10000] [--out FILE]

Method (written into the results too):
- projects from `examples/gen_thread.rs scale N` (the default essay, its real thread grown
  to N comments by generated replies), built by the release binary;
- each load is a new chromedriver session, so a fresh profile and a cold cache; the page is
  375x812 CSS px (mobile emulation, device pixel ratio 3, touch), the CPU slowed 4x with the
  DevTools command Emulation.setCPUThrottlingRate (sent through chromedriver's
  goog/cdp/execute), before navigating;
- a PerformanceObserver for long tasks is installed before any page script runs
  (Page.addScriptToEvaluateOnNewDocument); after the load event the script waits 3 s;
- HTML: size of the file; DOM nodes: every node of the document (a TreeWalker over all
  node types, after load), and elements alone (`getElementsByTagName('*')`); FCP: the `first-contentful-paint` paint entry; DOMContentLoaded:
  the navigation entry's domContentLoadedEventEnd; total blocking time: the sum over long
  tasks of the part after FCP beyond 50 ms (Lighthouse's definition, with the end of the
  last long task standing in for time to interactive);
- the median of the runs is reported, and the range.

Standard library only: it talks to chromedriver over HTTP with urllib.
"""

import argparse
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parent.parent

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--proxy-server=http://127.0.0.1:9",
]

OBSERVER = """
window.__longTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      window.__longTasks.push([e.startTime, e.startTime + e.duration]);
    });
  }).observe({ type: "longtask", buffered: true });
} catch (e) { window.__longTasks = null; }
"""

COLLECT = """
var fcp = performance.getEntriesByName('first-contentful-paint')[0];
var nav = performance.getEntriesByType('navigation')[0];
var walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
var nodes = 1; while (walker.nextNode()) nodes++;
var elements = document.getElementsByTagName('*').length;
var f = fcp ? fcp.startTime : null;
var tbt = 0;
(window.__longTasks || []).forEach(function (t) {
  if (f === null || t[1] <= f) return;
  var d = t[1] - Math.max(t[0], f);
  if (d > 50) tbt += d - 50;
});
return { fcp: f, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, nodes: nodes, elements: elements,
         tbt: tbt, longtasks: window.__longTasks === null ? -1 : window.__longTasks.length };
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Driver:
    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["chromedriver", f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                if self.call("GET", "/status")["ready"]:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("chromedriver did not start")

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=300) as r:
            return json.loads(r.read())["value"]

    def close(self):
        self.proc.terminate()
        self.proc.wait()


def load_once(driver, url, throttle):
    profile = tempfile.mkdtemp(prefix="quire-bench-profile-")
    caps = {
        "capabilities": {
            "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "args": CHROMIUM_ARGS + [f"--user-data-dir={profile}"],
                    "mobileEmulation": {
                        "deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 3.0, "touch": True}
                    },
                },
            }
        }
    }
    session = driver.call("POST", "/session", caps)["sessionId"]
    base = f"/session/{session}"

    def cdp(cmd, params):
        return driver.call("POST", f"{base}/goog/cdp/execute", {"cmd": cmd, "params": params})

    try:
        cdp("Emulation.setCPUThrottlingRate", {"rate": throttle})
        cdp("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER})
        driver.call("POST", f"{base}/url", {"url": url})  # returns after the load event
        time.sleep(3)
        m = driver.call("POST", f"{base}/execute/sync", {"script": COLLECT, "args": []})
        # How long a fixed loop takes: shows that the throttling is in force.
        m["loop_ms"] = driver.call(
            "POST",
            f"{base}/execute/sync",
            {"script": "var t = performance.now(), x = 0; for (var i = 0; i < 3e6; i++) x += i % 7; return performance.now() - t;", "args": []},
        )
        return m
    finally:
        driver.call("DELETE", base)
        shutil.rmtree(profile, ignore_errors=True)


def file_url(path):
    return "file://" + urllib.request.pathname2url(str(path))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--throttle", type=float, default=4.0)
    ap.add_argument("--whole", action="store_true",
                    help="also measure the biggest thread whole on one page (the single-file export)")
    ap.add_argument("--out", default=str(REPO / "bench/work/thread_pages.md"))
    args = ap.parse_args()
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "--bin", "quire", "--example", "gen_thread"],
        cwd=REPO,
        check=True,
    )
    quire = target / "release/quire"
    gen = target / "release/examples/gen_thread"
    work = pathlib.Path(tempfile.mkdtemp(prefix="quire-bench-threads-"))
    rows = []
    driver = Driver()
    try:
        for size in ["default"] + args.sizes.split(","):
            project = work / f"p{size}"
            if size == "default":
                project = REPO
                label = "default essay (24 comments)"
            else:
                subprocess.run([gen, "scale", size, project], check=True)
                label = f"{int(size):,} comments"
            site = work / f"site-{size}"
            subprocess.run([quire, "build", "--root", project, "--out", site], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            pages = [("essay page", site / "index.html")]
            extra = sorted(
                list(site.glob("thread/*.html")) + list(site.glob("comments/*.html")),
                key=lambda p: p.stat().st_size,
            )
            if extra:
                pages.append((f"biggest thread page ({extra[-1].relative_to(site)}; {len(extra)} thread pages)", extra[-1]))
            if args.whole and size == args.sizes.split(",")[-1]:
                # For comparison: the whole thread on one page, as before the split (the
                # single-file export keeps it so; its CSS and script are inline).
                whole = work / f"whole-{size}.html"
                subprocess.run([quire, "build", "--root", project, "--single-file", whole], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                pages.append(("whole thread on one page (the single-file export)", whole))
            for what, path in pages:
                runs = [load_once(driver, file_url(path), args.throttle) for _ in range(args.runs)]
                row = {"input": label, "page": what, "html_bytes": path.stat().st_size,
                       "loadavg": os.getloadavg()[0], "runs": runs}
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        driver.close()
        shutil.rmtree(work, ignore_errors=True)

    def med(row, key):
        vals = [r[key] for r in row["runs"] if r[key] is not None]
        return statistics.median(vals), min(vals), max(vals)

    lines = [
        "| input | page | HTML | DOM nodes (all) | elements | first contentful paint | DOMContentLoaded | total blocking time | 3M-step loop | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        def fmt(key):
            m, lo, hi = med(row, key)
            return f"{m:,.0f} ms ({lo:,.0f}-{hi:,.0f})"
        nodes = med(row, "nodes")[0]
        elements = med(row, "elements")[0]
        lines.append(
            f"| {row['input']} | {row['page']} | {row['html_bytes'] / 1e6:.2f} MB | {nodes:,.0f} | {elements:,.0f} | "
            f"{fmt('fcp')} | {fmt('dcl')} | {fmt('tbt')} | {fmt('loop_ms')} | {row['loadavg']:.1f} |"
        )
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n\n```json\n" + json.dumps(rows, indent=1) + "\n```\n")
    print("\n".join(lines))
    print(f"written to {out}")


if __name__ == "__main__":
    sys.exit(main())
