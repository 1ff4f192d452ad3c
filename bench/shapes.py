#!/usr/bin/env python3
"""Write one architecture file of a shape that stresses a rule's cost in the number of
members that share one cause: every member carries the cause's message, so a message
that names every member, or a member that scans every other, grows with the square.

    python3 bench/shapes.py SHAPE N > file.yaml
    python3 bench/shapes.py --list

bench/shapes.sh runs every shape at two sizes and prints the growth.
"""
import sys

SYNC = "needs: { realtime: true, consistency: strong }"
ASYNC = "needs: { realtime: false, ordering: false }"
ORDERED = "needs: { realtime: false, ordering: true }"

# name: (what it stresses, services, one interaction line from its index)
SHAPES = {
    "one-operation": (
        "G011: one operation whose every step writes",
        lambda n: ["a"] + [f"s{i}" for i in range(n)],
        lambda i: f"{{ id: w{i}, from: a, to: s{i}, {SYNC}, operation: {{ name: big, writes: true }}, uses: {{ pattern: sync, timeout_ms: 100 }} }}",
    ),
    "write-and-publish": (
        "G012: one operation that saves locally and publishes on every step",
        lambda n: ["a"] + [f"s{i}" for i in range(n)],
        lambda i: f"{{ id: w{i}, from: a, to: s{i}, {ASYNC}, operation: {{ name: big, local_write: true }}, uses: {{ pattern: queue, channel: c{i} }} }}",
    ),
    "writers-of-one-callee": (
        "G015: writes decided on a read of the same callee, all to one callee",
        lambda n: ["a", "b"],
        lambda i: f"{{ id: w{i}, from: a, to: b, {SYNC}, operation: {{ name: o{i}, writes: true, based_on: w{i} }}, uses: {{ pattern: sync, timeout_ms: 100 }} }}",
    ),
    "ordered-channels": (
        "G016: ordered messages of one producer to one consumer, a channel each",
        lambda n: ["a", "b"],
        lambda i: f"{{ id: m{i}, from: a, to: b, {ORDERED}, uses: {{ pattern: queue, channel: c{i}, fifo: true }} }}",
    ),
    "shared-queue": (
        "D001: one queue read by every consumer service",
        lambda n: ["a"] + [f"s{i}" for i in range(n)],
        lambda i: f"{{ id: q{i}, from: a, to: s{i}, {ASYNC}, uses: {{ pattern: queue, channel: one }} }}",
    ),
    "fan-in": (
        "S004 and grouping: every service calls one callee, unguarded",
        lambda n: ["b"] + [f"s{i}" for i in range(n)],
        lambda i: f"{{ id: w{i}, from: s{i}, to: b, {SYNC}, uses: {{ pattern: sync }} }}",
    ),
    "fan-out": (
        "R002 and G004: one gateway retrying calls to every service",
        lambda n: ["gw"] + [f"s{i}" for i in range(n)],
        lambda i: f"{{ id: w{i}, from: gw, to: s{i}, {SYNC}, uses: {{ pattern: sync, retry: {{ max_attempts: 3 }} }} }}",
    ),
    "signed-copies": (
        "G017: a signed copy checked remotely on every request",
        lambda n: ["a", "b"],
        lambda i: f"{{ id: w{i}, from: a, to: b, {SYNC}, traffic: {{ every_request: true }}, copy: {{ of: b, kept_by: a, signed: true }}, uses: {{ pattern: sync, timeout_ms: 100 }} }}",
    ),
}


def main() -> int:
    if sys.argv[1:] == ["--list"]:
        for name, (what, _, _) in SHAPES.items():
            print(f"{name}\t{what}")
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in SHAPES or not sys.argv[2].isdigit():
        print(__doc__.strip(), file=sys.stderr)
        return 2
    _, services, line = SHAPES[sys.argv[1]]
    n = int(sys.argv[2])
    out = sys.stdout
    out.write(f"version: 1\nsystem: {sys.argv[1]}\nservices:\n")
    for name in services(n):
        out.write(f"  {name}: {{}}\n")
    out.write("interactions:\n")
    for i in range(n):
        out.write(f"  - {line(i)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
