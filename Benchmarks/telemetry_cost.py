"""What OpenTelemetry export costs a tool call, end to end.

One gatehouse binary, started once per configuration on the same connector
folder and nginx upstream: as shipped (export off), exporting traces and
metrics, metrics only, and traces sampled at 10% with metrics; nginx stands
in for the collector, accepting every OTLP export with 204. Each round
measures the 2026-07-28 `tools/call` on every configuration in alternation
with wrk; medians over the rounds. With traces on for every call, requests
carry a sampled `traceparent`, so every call is exported; the sampled
configuration gets none, so the gateway's own sampler decides.

    python Benchmarks/telemetry_cost.py --gatehouse .build/release/gatehouse --rounds 5
"""

import argparse
import pathlib
import re
import statistics
import tempfile

from suite import Processes, connector_folder, free_port, modern_headers, start_gatehouse, start_upstream, tool_call_body, wrk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gatehouse", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--connections", default="1,64")
    parser.add_argument("--write", help="Markdown file whose telemetry section is replaced with the results")
    args = parser.parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    processes = Processes()
    with tempfile.TemporaryDirectory() as directory:
        work = pathlib.Path(directory)
        work.chmod(0o755)  # nginx's worker reads the documents as another user
        try:
            upstream, _ = start_upstream(work, processes)
            folder = connector_folder(work, upstream)
            collector = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{upstream}", "OTEL_METRIC_EXPORT_INTERVAL": "5000"}
            traced = dict(modern_headers("get_item"), traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            configurations = {
                "export off": ({}, modern_headers("get_item")),
                "traces and metrics": (collector, traced),
                "metrics only": (dict(collector, OTEL_TRACES_EXPORTER="none"), traced),
                "traces 10% and metrics": (dict(collector, OTEL_TRACES_SAMPLER="traceidratio", OTEL_TRACES_SAMPLER_ARG="0.1"),
                                           modern_headers("get_item")),
            }
            sides = {}
            for name, (env, headers) in configurations.items():
                port = free_port()
                start_gatehouse(args.gatehouse, processes, port, folder, env)
                sides[name] = (port, headers)
            body = tool_call_body("get_item")
            samples = {(side, c): [] for side in sides for c in connections}
            for side, (port, headers) in sides.items():  # warm-up
                wrk(f"http://127.0.0.1:{port}/mcp", 16, 2, "POST", body, headers, work)
            for _ in range(args.rounds):
                for c in connections:
                    for side, (port, headers) in sides.items():
                        result = wrk(f"http://127.0.0.1:{port}/mcp", c, args.duration, "POST", body, headers, work)
                        if result["errors"] or result["non2xx"] or not result["requests"]:
                            raise SystemExit(f"{side} c={c} failed: {result}")
                        samples[(side, c)].append(result)
            exports = len((work / "otlp.log").read_text().splitlines()) if (work / "otlp.log").exists() else 0
        finally:
            processes.stop_all()
    if exports == 0:
        raise SystemExit("the exporting gateway sent nothing to the collector")
    lines = [f"{args.rounds} rounds of {args.duration:g} s per cell, alternating; medians. "
             f"The stand-in collector received {exports} OTLP exports.", "",
             "| configuration | " + " | ".join(f"{c} conn: req/s · p50 · p99 · vs off" for c in connections) + " |",
             "|---" * (len(connections) + 1) + "|"]
    medians = {key: {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99")} for key, runs in samples.items()}
    for side in sides:
        cells = []
        for c in connections:
            m, off = medians[(side, c)], medians[("export off", c)]
            cells.append(f"{m['rps']:,.0f} · {m['p50']:.0f} µs · {m['p99']:.0f} µs · {m['rps'] / off['rps']:.2f}×, "
                         f"p50 {m['p50'] - off['p50']:+.0f} µs")
        lines.append(f"| {side} | " + " | ".join(cells) + " |")
    report = "\n".join(lines)
    print(report)
    if args.write:
        path = pathlib.Path(args.write)
        begin, end = "<!-- telemetry:begin -->", "<!-- telemetry:end -->"
        text = path.read_text()
        section = f"{begin}\n{report}\n{end}"
        path.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S)
                        if begin in text else text + "\n" + section + "\n")

if __name__ == "__main__":
    main()
