"""Same input, same bytes; and no network on a lint (issue 9).

- Determinism: the same input gives byte-identical output across runs and across PYTHONHASHSEED
  values, in every output format, for every input kind (UX.md: "Same input, same bytes").
- No network: a full lint of every non-live input kind (the whole corpus: nginx, HAProxy,
  Terraform with remote module sources, CloudFormation, Kubernetes, saved AWS CLI output; the
  bundled examples; a declared path with intermediaries) runs with sockets blocked by an audit
  hook. Any socket created, any name looked up, is reported and fails the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Run the CLI with every socket operation refused: an audit hook sees them all, whatever module asks.
BLOCKED = """
import sys
NETWORK = ("socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
           "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "urllib.Request", "http.client.connect")
def hook(event, args):
    if event in NETWORK:
        sys.stderr.write(f"NETWORK: {event} {args!r}\\n")
        raise OSError(f"network blocked by the test: {event}")
sys.addaudithook(hook)
from wslint.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _run(args: list[str], seed: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    env.update(PYTHONHASHSEED=seed, NO_COLOR="1", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", BLOCKED, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


SMALL = ["--isolated", "tests/fixtures", "examples"]
FORMATS = ["text", "json", "sarif", "github"]


@pytest.fixture(scope="module")
def corpus_runs(shared_dir: Path) -> list[subprocess.CompletedProcess[str]]:
    """The whole corpus plus the fixtures, twice, under two hash seeds, with the network blocked."""
    args = ["--isolated", "--output-format", "json", str(shared_dir / "corpus"), "tests/fixtures", "examples"]
    return [_run(args, seed) for seed in ("0", "4242")]


def test_no_network_on_a_lint_of_every_kind(corpus_runs: list[subprocess.CompletedProcess[str]]) -> None:
    run = corpus_runs[0]
    assert "NETWORK" not in run.stderr, run.stderr[-3000:]
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 1  # findings, and nothing failed
    report = json.loads(run.stdout)
    parts = [Path(f["file"]).parts for f in report["findings"]]
    kinds = {p[p.index("corpus") + 1] for p in parts if "corpus" in p}
    assert {"nginx", "haproxy", "terraform", "cloudformation", "awscli"} <= kinds, kinds
    assert {("tests", "fixtures", "awscli"), ("examples",)} <= {p[:3] for p in parts} | {p[:1] for p in parts}


def test_no_network_on_a_declared_path_and_the_catalogue() -> None:
    for args, cwd in (
        (["path", "--client", "socket.io"], ROOT / "examples" / "three-hop"),
        (["path", "cloudflare", "heroku", "nginx.conf", "--ping-interval", "25s"], ROOT / "examples" / "three-hop"),
        (["rules"], ROOT),
        (["rule", "WS301"], ROOT),
    ):
        run = _run(args, "0", cwd)
        assert "NETWORK" not in run.stderr, (args, run.stderr)
        assert run.returncode in (0, 1), (args, run.stderr)


def test_the_blocking_hook_does_block() -> None:
    """The hook above is real: a probe, which is allowed the network, is refused it here (exit 2, reported)."""
    run = _run(["probe", "ws://127.0.0.1:9/", "--max-idle", "1s"], "0")
    assert "NETWORK: socket" in run.stderr and run.returncode == 2


def test_corpus_output_is_identical_across_hash_seeds(corpus_runs: list[subprocess.CompletedProcess[str]]) -> None:
    first, second = corpus_runs
    assert first.stdout and first.stdout == second.stdout
    assert first.stderr == second.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_identical_across_runs_and_hash_seeds(fmt: str) -> None:
    runs = [_run([*SMALL, "--output-format", fmt], seed) for seed in ("0", "0", "1", "987654321")]
    assert runs[0].stdout, runs[0].stderr
    for run in runs[1:]:
        assert (run.returncode, run.stdout, run.stderr) == (runs[0].returncode, runs[0].stdout, runs[0].stderr)


def test_path_view_is_identical_across_hash_seeds() -> None:
    cwd = ROOT / "examples" / "three-hop"
    runs = [_run(["path", *extra], seed, cwd) for seed in ("0", "1") for extra in ([], ["--output-format", "json"])]
    assert runs[0].stdout == runs[2].stdout and runs[1].stdout == runs[3].stdout
