"""Run the real nginx, HAProxy and Apache httpd, and a WebSocket backend, on 127.0.0.1 for the proof suite and
`wslint probe` tests.

Every process is started in its own session and stopped by pid (SIGTERM, then SIGKILL of its process group, which
holds nothing but the process and its workers) when the context exits, on failure too. Ports come from free_port().
Works as root (nginx gets `user root;` so its workers do not switch to `nobody`) and as a normal user (nginx's
temp paths and access log are put under the run directory, so nothing under /var is written). Apache runs Debian's
/usr/sbin/apache2 with an explicit `-f` config (never /etc/apache2, never through apache2ctl and its envvars) whose
ServerRoot, PidFile, ErrorLog and runtime directory are the run directory.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

HERE = Path(__file__).resolve().parent
BACKEND = HERE / "ws_backend.py"
START_TIMEOUT = 10.0  # seconds a process gets to accept on its port
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL

# nginx's temp paths (compiled in under /var/lib/nginx) and access log, placed under the run directory
NGINX_HTTP_PATHS = (
    "access_log",
    "client_body_temp_path",
    "proxy_temp_path",
    "fastcgi_temp_path",
    "uwsgi_temp_path",
    "scgi_temp_path",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def accepts(port: int, timeout: float = 0.2) -> bool:
    """Whether 127.0.0.1:port accepts a TCP connection."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def _read(log: IO[bytes] | Path) -> str:
    if isinstance(log, Path):
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", errors="replace")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM by pid, then SIGKILL of its process group (its own session: it and its workers) if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_TIMEOUT)
        return
    # still running and not reaped, so its pid (== its process group, start_new_session) is still ours: kill the
    # group, which takes the workers of an nginx master with it
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=STOP_TIMEOUT)


def _wait_accepting(proc: subprocess.Popen[bytes], ports: list[int], what: str, log: IO[bytes] | Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    pending = list(ports)
    while pending:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before accepting:\n{_read(log)}")
        if accepts(pending[0]):
            pending.pop(0)
            continue
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{what} did not accept on 127.0.0.1:{pending[0]} within {START_TIMEOUT:.0f} s:\n{_read(log)}"
            )
        time.sleep(0.02)


@contextmanager
def _running(argv: list[str], ports: list[int], what: str, log: IO[bytes] | Path, cwd: Path | None) -> Iterator[int]:
    """Start argv (stdout and stderr into log), wait until every port accepts, yield the pid; stop it on exit."""
    out: IO[bytes] = log if not isinstance(log, Path) else log.open("wb")
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
        )
    finally:
        if isinstance(log, Path):
            out.close()
    try:
        _wait_accepting(proc, ports, what, log)
        yield proc.pid
    finally:
        _stop(proc)


@contextmanager
def backend(mode: str = "echo", server_ping: float | None = None) -> Iterator[int]:
    """A WebSocket server subprocess (python tests/ws_backend.py ...) on 127.0.0.1; yields its port.

    mode "echo" echoes messages; "silent" never sends anything. server_ping: seconds between pings the SERVER sends
    (None: it never pings). Waits until the port accepts; stops it by pid (terminate, then kill) on exit.
    """
    if mode not in ("echo", "silent"):
        raise ValueError(f"unknown backend mode {mode!r}")
    port = free_port()
    argv = [sys.executable, str(BACKEND), "--port", str(port), "--mode", mode]
    if server_ping is not None:
        argv += ["--server-ping", str(server_ping)]
    with (
        tempfile.TemporaryFile() as log,
        _running(argv, [port], f"ws_backend ({mode})", log, cwd=None),
    ):
        yield port


def listen_ports(conf: str, keyword: str) -> list[int]:
    """The ports of `listen`/`bind` lines (keyword) in conf; anything but 127.0.0.1:PORT is refused."""
    ports: list[int] = []
    for match in re.finditer(rf"(?:^|[;{{])\s*{keyword}\s+([^\s;]+)", conf, re.M):
        address = match.group(1)
        host, _, port = address.rpartition(":")
        if host != "127.0.0.1":
            raise ValueError(f"the real-proxy tests listen on 127.0.0.1 only, not {address!r}")
        ports.append(int(port))
    if not ports:
        raise ValueError(f"no `{keyword} 127.0.0.1:PORT` in the configuration")
    return ports


def nginx_http_settings(tmp: Path) -> str:
    """Directives (one line) that keep nginx's temp files and access log under tmp."""
    names = {"access_log": "access.log", "client_body_temp_path": "client_body_temp"}
    return " ".join(f"{name} {tmp / names.get(name, name.replace('_path', ''))};" for name in NGINX_HTTP_PATHS)


def nginx_globals(tmp: Path, conf: str) -> str:
    """The -g directives: foreground, pid in tmp, and `user root;` when running as root."""
    directives = ["daemon off;"]
    if not re.search(r"^\s*pid\s", conf, re.M):
        directives.append(f"pid {tmp / 'nginx.pid'};")
    if os.geteuid() == 0 and not re.search(r"^\s*user\s", conf, re.M):
        directives.append("user root;")
    return " ".join(directives)


def nginx_prepare(tmp: Path, conf: str) -> str:
    """conf with the temp paths and access log moved under tmp, on the `http {` line (line numbers are kept)."""
    if any(re.search(rf"^\s*{name}\s", conf, re.M) for name in NGINX_HTTP_PATHS):
        return conf
    return re.sub(r"^(\s*http\s*\{)", lambda m: f"{m.group(1)} {nginx_http_settings(tmp)}", conf, count=1, flags=re.M)


@contextmanager
def run_nginx(binary: str, tmp: Path, conf: str) -> Iterator[Path]:
    """Run nginx on conf (a full nginx.conf listening on 127.0.0.1:PORT) written to tmp/nginx.conf; yield its path.

    Foreground (`-g 'daemon off;'`), prefix tmp, pid and error log (stderr, kept in tmp/nginx.stderr) in tmp; the
    temp paths and access log go under tmp on the `http {` line unless conf sets them. Waits until every listen port
    accepts (bounded; nginx's output in the failure message) and stops nginx by pid on exit, on failure too.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "nginx.conf"
    path.write_text(nginx_prepare(tmp, conf), encoding="utf-8")
    argv = [binary, "-p", str(tmp), "-c", str(path), "-e", "stderr", "-g", nginx_globals(tmp, conf)]
    with _running(argv, listen_ports(conf, "listen"), "nginx", tmp / "nginx.stderr", cwd=tmp):
        yield path


# Debian's apache2 package: the binary and its loadable modules
APACHE_BINARY = "/usr/sbin/apache2"
APACHE_MODULES_DIR = Path("/usr/lib/apache2/modules")
# the modules the proof configurations load (mod_unixd and mod_log_config are compiled into Debian's apache2)
APACHE_MODULES = (
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("proxy_module", "mod_proxy.so"),
    ("proxy_http_module", "mod_proxy_http.so"),
    ("proxy_wstunnel_module", "mod_proxy_wstunnel.so"),
    ("rewrite_module", "mod_rewrite.so"),
)


def find_apache2() -> str | None:
    """The apache2 binary (PATH, then Debian's /usr/sbin/apache2), or None."""
    path = shutil.which("apache2")
    if path is None and os.path.exists(APACHE_BINARY):
        path = APACHE_BINARY
    return path


def _apache_user() -> str:
    """`User`/`Group` lines when running as root (httpd refuses to serve as root); nothing otherwise."""
    if os.geteuid() != 0:
        return ""
    for user, group in (("www-data", "www-data"), ("nobody", "nogroup"), ("nobody", "nobody")):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        with contextlib.suppress(KeyError):
            grp.getgrnam(group)
            return f"User {user}\nGroup {group}\n"
    return ""


def apache_conf(
    tmp: Path,
    port: int,
    body: str,
    modules: Sequence[tuple[str, str]] = APACHE_MODULES,
    modules_dir: Path = APACHE_MODULES_DIR,
) -> str:
    """A full apache2.conf for `apache2 -f`: ServerRoot, PidFile, ErrorLog and DefaultRuntimeDir in tmp, `Listen
    127.0.0.1:port`, mpm_event with one child, the LoadModule lines of modules (from modules_dir), then body (the
    Timeout/ProxyTimeout and ProxyPass lines of a scenario, at main-server level)."""
    loads = "".join(f"LoadModule {name} {modules_dir / file}\n" for name, file in modules)
    return (
        f"ServerRoot {tmp}\n"
        "ServerName 127.0.0.1\n"
        f"Listen 127.0.0.1:{port}\n"
        f"PidFile {tmp / 'apache2.pid'}\n"
        f"DefaultRuntimeDir {tmp}\n"
        "ErrorLog /dev/stderr\n"
        "LogLevel warn\n"
        f"{loads}"
        f"{_apache_user()}"
        "StartServers 1\n"
        f"{body}"
    )


@contextmanager
def run_apache(binary: str, tmp: Path, conf: str) -> Iterator[Path]:
    """Run apache2 in the foreground (`apache2 -f tmp/apache2.conf -DFOREGROUND`) on conf (from apache_conf, or any
    config with `Listen 127.0.0.1:PORT` and its own PidFile); yield the config's path.

    Output (the ErrorLog on stderr) goes to tmp/apache2.stderr. Waits until every Listen port accepts (bounded) and
    stops the parent by pid on exit (SIGTERM: httpd stops its children), SIGKILL of its process group if it lingers.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "apache2.conf"
    path.write_text(conf, encoding="utf-8")
    argv = [binary, "-f", str(path), "-DFOREGROUND"]
    with _running(argv, listen_ports(conf, "Listen"), "apache2", tmp / "apache2.stderr", cwd=tmp):
        yield path


@contextmanager
def run_haproxy(binary: str, tmp: Path, conf: str) -> Iterator[Path]:
    """Run HAProxy in the foreground (`-db -f tmp/haproxy.cfg`) on conf (binding 127.0.0.1:PORT); yield the path.

    Output goes to tmp/haproxy.stderr. Waits until every bind port accepts; stops HAProxy by pid on exit.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "haproxy.cfg"
    path.write_text(conf, encoding="utf-8")
    argv = [binary, "-db", "-f", str(path)]
    with _running(argv, listen_ports(conf, "bind"), "haproxy", tmp / "haproxy.stderr", cwd=tmp):
        yield path


def _version(binary: str, pattern: str) -> str:
    """What ``BINARY -v`` prints (on stdout or stderr) as its version, e.g. "1.22.1"."""
    proc = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=30, check=False)
    match = re.search(pattern, proc.stdout + proc.stderr)
    if not match:
        raise RuntimeError(f"`{binary} -v` printed no version: {(proc.stdout + proc.stderr)!r}")
    return match.group(1)


def nginx_version(binary: str) -> str:
    """The version of the nginx binary, e.g. "1.22.1" (`nginx -v` prints to stderr)."""
    return _version(binary, r"nginx/(\d+\.\d+\.\d+)")


def haproxy_version(binary: str) -> str:
    """The version of the haproxy binary, e.g. "2.6.12"."""
    return _version(binary, r"version (\d+\.\d+\.\d+)")


def apache_version(binary: str) -> str:
    """The version of the apache2 binary, e.g. "2.4.71" (`apache2 -v`: "Server version: Apache/2.4.71 (Debian)")."""
    return _version(binary, r"Apache/(\d+\.\d+\.\d+)")


def print_table(request: pytest.FixtureRequest, title: str, cells: Sequence[Sequence[str]]) -> None:
    """A proof table (header row first) on the terminal, through pytest's reporter, when a module ends.

    Called from a module fixture's finalizer, which runs inside the last test's teardown, whose output
    is captured: capturing is suspended, as pytest's live logging does, so the table reaches the
    terminal (and CI logs) with plain `pytest`.
    """
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    write: Callable[[str], object] = reporter.write_line if reporter is not None else print
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        write("")
        write(title)
        for i, row in enumerate(cells):
            write(" | ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                write("-+-".join("-" * width for width in widths))
