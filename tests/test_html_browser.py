"""The HTML report in a real browser: Debian's chromium, headless, driven by Selenium through chromedriver.

The page is rendered from disk with the network off (no request can leave: the report needs none), a
screenshot is taken and must be a PNG that is not one colour, and the bottleneck hop and every finding
must be visible text on the rendered page (Selenium's displayed-text rules: not hidden, not zero-sized).

chromium and chromium-driver come from apt (scripts/install-test-deps.sh), selenium from the test extra.
Without them the test is skipped, or fails under WSLINT_REQUIRE_PROXIES=1 (CI). The browser runs with a
profile directory of its own, and the test checks that no process using it is left when it ends.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _missing

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "three-hop"


def _which(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or next(
            (p for p in (f"/usr/bin/{name}", f"/usr/lib/chromium/{name}") if os.access(p, os.X_OK)), None
        )
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser_binaries() -> tuple[str, str]:
    chromium, driver = _which("chromium", "chromium-browser"), _which("chromedriver")
    if chromium is None or driver is None:
        _missing("chromium and chromedriver (apt-get install chromium chromium-driver)", "WSLINT_REQUIRE_PROXIES")
    try:
        import selenium  # noqa: F401
    except ImportError:
        _missing("selenium (pip install -e '.[test]')", "WSLINT_REQUIRE_PROXIES")
    assert chromium and driver
    return chromium, driver


def _processes_using(marker: str) -> list[int]:
    """Pids of live processes whose command line holds ``marker`` (our profile directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


@pytest.fixture
def browser(browser_binaries: tuple[str, str], tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = browser_binaries
    profile = tmp_path / "chromium-profile"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
        # the report needs no network: any request would fail rather than leave the machine
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
    ):
        options.add_argument(argument)
    service = Service(executable_path=driver_path, log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(30)
        yield driver
    finally:
        driver.quit()
        deadline = time.monotonic() + 10
        while _processes_using(str(profile)) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _processes_using(str(profile))
        assert not left, f"browser processes left behind: {left}"


def _png_pixels_vary(png: bytes) -> tuple[int, int, bool]:
    """(width, height, whether the image holds more than one colour) of an 8-bit RGB(A) PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, data = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat += data
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"an unexpected PNG kind: depth {depth}, colour type {colour}"
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    # undo the per-row filters (PNG spec 9.2) just enough to compare pixels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + predictor) & 0xFF
        rows.append(line)
        previous = line
    pixels = {bytes(row[x : x + 3]) for row in rows[:: max(1, height // 60)] for x in range(0, stride, channels * 7)}
    return width, height, len(pixels) > 1


@pytest.mark.timeout(180)
def test_html_report_renders_with_the_bottleneck_and_every_finding_visible(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    workdir = tmp_path / "three-hop"
    shutil.copytree(EXAMPLE, workdir)
    # two more findings beside WS301, in the same files: an nginx location on its 60 s default
    nginx = workdir / "nginx.conf"
    nginx.write_text(
        nginx.read_text(encoding="utf-8").replace(
            "        location /socket.io/ {",
            "        location /live/ws/ {\n"
            "            proxy_pass http://10.0.0.3:80;\n"
            "            proxy_http_version 1.1;\n"
            "            proxy_set_header Upgrade $http_upgrade;\n"
            '            proxy_set_header Connection "upgrade";\n'
            "        }\n"
            "        location /socket.io/ {",
            1,
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    run = subprocess.run(
        [sys.executable, "-m", "wslint", "path", "--output-format", "json"],
        cwd=workdir, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    findings = [f for f in json.loads(run.stdout)["findings"] if not f["suppressed"]]
    assert len(findings) >= 2, run.stdout + run.stderr
    page = workdir / "report.html"
    run = subprocess.run(
        [sys.executable, "-m", "wslint", "path", "--output-format", "html", "-o", str(page)],
        cwd=workdir, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr

    browser.get(page.as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    text = body.text  # the rendered, visible text (innerText as Selenium's atom computes it)
    assert 'path "chat"' in text

    [bottleneck] = browser.find_elements(By.CSS_SELECTOR, "li.bottleneck")
    assert bottleneck.is_displayed()
    size = bottleneck.size
    assert size["width"] > 50 and size["height"] > 20
    assert "BOTTLENECK" in bottleneck.text and "haproxy" in bottleneck.text and "30s" in bottleneck.text
    assert "haproxy.cfg:20:5" in bottleneck.text
    colour = bottleneck.value_of_css_property("border-top-color")
    assert colour.replace(" ", "") in ("rgba(192,0,0,1)", "rgb(192,0,0)"), colour  # drawn red
    assert "largest safe ping interval: 15s" in text

    rows = browser.find_elements(By.CSS_SELECTOR, "tr.finding")
    assert len(rows) == len(findings)
    assert all(row.is_displayed() for row in rows)
    shown = [" ".join(row.text.split()) for row in rows]
    for finding in findings:
        where = f"{finding['file']}:{finding['line']}"
        message = " ".join(finding["message"].split())[:60]
        matching = [row for row in shown if where in row and finding["rule"] in row and message in row]
        assert matching, f"{where} {finding['rule']} is not shown: {shown}"
        assert finding["severity"] in matching[0]

    png = browser.get_screenshot_as_png()
    width, height, varied = _png_pixels_vary(png)
    assert width >= 600 and height >= 400 and varied, (width, height)
    (tmp_path / "report.png").write_bytes(png)


# -- the Mermaid output, rendered by Mermaid itself ------------------------------------------------------------

INSTALL_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "install-test-deps.sh"


def _mermaid_js() -> Path:
    """Mermaid's browser bundle at the version scripts/install-test-deps.sh fetches (npm pack)."""
    import re

    version = re.search(r"^MERMAID_VERSION=(\S+)$", INSTALL_SCRIPT.read_text(encoding="utf-8"), re.M)
    assert version, "scripts/install-test-deps.sh names no MERMAID_VERSION"
    bundle = Path(__file__).resolve().parent / "backends" / "vendor" / f"mermaid-{version[1]}.min.js"
    if not bundle.is_file():
        _missing(f"{bundle} (bash scripts/install-test-deps.sh)", "WSLINT_REQUIRE_PROXIES")
    return bundle


def _render_mermaid(browser: Any, tmp_path: Path, diagram: str) -> str:
    """Render ``diagram`` with Mermaid in the browser (securityLevel loose: labels' HTML is not sanitized, so only
    wslint's escaping keeps a value from becoming markup); the page title says "ok" or the error."""
    from selenium.webdriver.support.ui import WebDriverWait

    shutil.copy(_mermaid_js(), tmp_path / "mermaid.min.js")
    source = json.dumps(diagram).replace("<", "\\u003c")
    page = tmp_path / "mermaid.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>rendering</title>"
        "<script src='mermaid.min.js'></script></head><body><div id='out'></div><script>"
        "window.pwned = false;"
        "mermaid.initialize({ startOnLoad: false, securityLevel: 'loose' });"
        f"mermaid.render('graph', {source})"
        ".then(r => { document.getElementById('out').innerHTML = r.svg; document.title = 'ok'; })"
        ".catch(e => { document.title = 'error: ' + e; });"
        "</script></body></html>",
        encoding="utf-8",
    )
    browser.get(page.as_uri())
    WebDriverWait(browser, 30).until(lambda b: b.title != "rendering")
    return str(browser.title)


@pytest.mark.timeout(180)
def test_mermaid_output_renders_in_mermaid_with_the_bottleneck_drawn(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    workdir = tmp_path / "three-hop"
    shutil.copytree(EXAMPLE, workdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSLINT_", "GITHUB_"))}
    run = subprocess.run(
        [sys.executable, "-m", "wslint", "path", "--output-format", "mermaid"],
        cwd=workdir, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1 and run.stdout.startswith("flowchart LR"), run.stderr
    assert _render_mermaid(browser, tmp_path, run.stdout) == "ok"
    [bottleneck] = browser.find_elements(By.CSS_SELECTOR, "g.node.bottleneck")
    assert bottleneck.is_displayed()
    label = " ".join(bottleneck.text.split())
    assert "BOTTLENECK" in label and "haproxy" in label and "idle timeout 30s" in label, label
    assert "configured at haproxy.cfg:20:5: timeout tunnel 30s" in label, label  # entity codes decoded
    text = " ".join(browser.find_element(By.ID, "out").text.split())
    assert "largest safe ping interval: 15s" in text and "WS301 [error] haproxy.cfg:20" in text, text
    assert len(browser.find_elements(By.CSS_SELECTOR, "g.node")) >= 5  # client, 3 hops, app (and the notes)


@pytest.mark.timeout(180)
def test_mermaid_labels_with_hostile_values_render_as_text(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from tests.test_path_view import at, route, three_hops, timeout
    from wslint.model import Finding, Location, Severity
    from wslint.report import mermaid

    hostile = 'x"] --> evil["<img src=x onerror="window.pwned=true">`#35;%%{init: {"theme": "dark"}}%%|a|;style:#f00;'
    path = three_hops(ping=20)
    path.name = hostile
    path.hops[1].routes[0] = route(hostile, "n.conf", timeout(120, "120s", at("n`<b>#.conf", 14, 13), hostile))
    path.hops[1].location = Location(file=hostile, line=1, column=1)
    finding = Finding(rule="WS201", severity=Severity.WARNING, location=at("n`<b>#.conf", 3, 1), message=hostile)
    diagram = mermaid.render([path], [finding])
    assert _render_mermaid(browser, tmp_path, diagram) == "ok"
    assert browser.execute_script("return window.pwned") is False
    out = browser.find_element(By.ID, "out")
    assert out.find_elements(By.TAG_NAME, "img") == [] and out.find_elements(By.TAG_NAME, "b") == []
    ids = [element.get_attribute("id") or "" for element in out.find_elements(By.CSS_SELECTOR, "g.node")]
    assert not [i for i in ids if "evil" in i], ids  # no node was injected
    text = out.text
    assert '<img src=x onerror="window.pwned=true">' in text  # shown as the text it is
    assert 'path "x"] --> evil[' in " ".join(text.split())


@pytest.mark.timeout(180)
def test_mermaid_draws_a_lifetime_cap_as_a_hexagon_of_its_own(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from tests.test_path_view import capped_path
    from wslint.report import mermaid

    diagram = mermaid.render([capped_path()], [])
    assert _render_mermaid(browser, tmp_path, diagram) == "ok"
    caps = browser.find_elements(By.CSS_SELECTOR, "g.node.cap")
    assert len(caps) == 2 and all(c.is_displayed() for c in caps)  # gcp's 30 s route cap, the gateway's 30 s
    labels = [" ".join(c.text.split()) for c in caps]
    assert all("LIFETIME CAP 30s" in label and "pings do not help (WS209)" in label for label in labels), labels
    assert len(browser.find_elements(By.CSS_SELECTOR, "g.node.capinfo")) == 1  # the 2 h cap: WS207
