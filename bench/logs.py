"""`wslint logs` on large generated logs: lines per second and peak memory, beside `grep -c` over the same file.

    python3 bench/logs.py                 # 64 MiB and 1 GiB nginx access logs in a temporary directory
    python3 bench/logs.py --sizes 64,256  # sizes in MiB

Each log is nginx access lines in a `log_format` with `$request_time` (1 in 50 a WebSocket `101`, half of those
closed by the 60 s timeout) and the nginx.conf that names the format; `wslint logs LOG nginx.conf` is one process,
wall time from spawn to reaped, peak RSS from the kernel (``ru_maxrss`` of the reaped child). The peer is
`grep -c ' 101 '` over the same file: the time merely to read it. Memory must not grow with the log.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

CONF = """events {}
http {
    log_format ws '$remote_addr [$time_local] "$request" $status $request_time';
    server {
        location /ws/ {
            proxy_pass http://app:8000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
    }
}
"""


def generate(path: str, mebibytes: int, seed: int = 20261206) -> int:
    """Write about ``mebibytes`` MiB of access lines; their count."""
    rng = random.Random(seed)
    target = mebibytes * 1024 * 1024
    written = lines = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target:
            chunk = []
            for _ in range(10_000):
                n = rng.randrange(50)
                where = f"10.0.{rng.randrange(256)}.{rng.randrange(256)} [06/Dec/2026:12:00:00 +0000]"
                if n == 0:
                    closed = rng.random() < 0.5
                    seconds = f"60.00{rng.randrange(10)}" if closed else f"{rng.uniform(1, 3000):.3f}"
                    line = f'{where} "GET /ws/chat HTTP/1.1" 101 {seconds}\n'
                else:
                    line = f'{where} "GET /api/items/{rng.randrange(10**6)} HTTP/1.1" 200 0.{rng.randrange(1000):03d}\n'
                chunk.append(line)
            text = "".join(chunk)
            out.write(text)
            written += len(text)
            lines += len(chunk)
    return lines


def measure(command: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak MiB of this child, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    # output to a pipe: GNU grep stops at the first match when its output is /dev/null
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,1024", help="log sizes in MiB, comma-separated")
    args = parser.parse_args()
    print("| log | lines | tool | wall | lines/s | peak MiB | ratio to grep |")
    print("|---|--:|---|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as out:
            out.write(CONF)
        for size in (int(s) for s in args.sizes.split(",")):
            log = os.path.join(tmp, f"access-{size}.log")
            lines = generate(log, size)
            grep_wall, _, _ = measure(["grep", "-c", " 101 ", log])
            # each measurement in a fresh child so its ru_maxrss is its own
            code = (
                "import resource, subprocess, sys, time; s = time.perf_counter(); "
                "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
                "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
                "print(time.perf_counter() - s, peak, p.returncode)"
            )
            run = [sys.executable, "-m", "wslint", "logs", "--isolated", "--no-histogram", log, conf]
            out = subprocess.run([sys.executable, "-c", code, *run], capture_output=True, text=True, check=True).stdout
            wall_text, peak_text, exit_text = out.split()
            wall = float(wall_text)
            print(f"| {size} MiB | {lines:,} | grep -c | {grep_wall:.2f} s | {lines / grep_wall:,.0f} | – | 1.00× |")
            print(
                f"| {size} MiB | {lines:,} | wslint logs (exit {exit_text}) | {wall:.2f} s | {lines / wall:,.0f} | "
                f"{float(peak_text):.1f} | {wall / grep_wall:.1f}× |"
            )
            os.remove(log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
