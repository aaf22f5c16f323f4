"""``--output-format html``: one self-contained page, the path drawings (``wslint path``) and the findings.

No script, no font, no image or style sheet from anywhere: inline CSS only, and a Content-Security-Policy
that forbids loading anything, so the page shows the same offline, as a CI artifact, or opened from disk.
Each path is a row of boxes, client to app, one per hop route (its kind, route, idle timeout and where that
comes from); the bottleneck's box is red, marked "bottleneck", and the verdict follows (path_view's layout,
the facts the text drawing shows). A lifetime cap is not an idle timeout: a box with one carries a purple
"lifetime cap" band (pings do not help) and a double right edge. The findings are a table: location, rule,
severity, message and help.
Every value is ``printable`` first (one line, no control character), then ``html.escape``d.
"""

from __future__ import annotations

import html

from wslint import __version__
from wslint.engine import Result
from wslint.escape import printable
from wslint.model import Finding, Path, Severity, format_seconds
from wslint.report import text
from wslint.report.path_view import layout

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em; color: #1b1b1b; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .4em; }
.where, .muted { color: #5a5a5a; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em; }
ol.hops { display: flex; flex-wrap: wrap; align-items: stretch; gap: .4em; list-style: none; padding: 0; }
ol.hops li { border: 1px solid #999; border-radius: 6px; padding: .5em .7em; min-width: 9em; max-width: 22em;
  background: #f8f8f8; position: relative; margin-right: 1.4em; overflow-wrap: anywhere; }
ol.hops li:not(:last-child)::after { content: "\\2192"; position: absolute; right: -1.25em; top: 40%;
  color: #555; font-size: 1.1em; }
ol.hops li.endpoint { border-radius: 2em; background: #fff; align-self: center; min-width: 0; }
ol.hops li.good { background: #e9f7e9; border-color: #2a7a2a; }
ol.hops li.unset { background: #fff7dc; border-color: #b08000; }
ol.hops li.short { background: #ffeded; border-color: #c00000; }
ol.hops li.bottleneck { background: #ffd9d9; border: 3px solid #c00000; font-weight: 600; }
ol.hops li.capped { border-right: 6px double #6a1b9a; }
.cap { display: block; margin-top: .35em; padding: .15em .4em; border-radius: 3px; font-size: .85em;
  background: #f3e5f5; color: #38006b; border-left: 4px solid #6a1b9a; font-weight: normal; }
.cap.info { border-left-color: #b39ddb; background: #f7f0f9; }
.cap b { font-weight: 700; }
.badge { display: inline-block; background: #c00000; color: #fff; border-radius: 3px; padding: 0 .4em;
  font-size: .8em; letter-spacing: .04em; text-transform: uppercase; }
.kind { font-weight: 600; display: block; }
.timeout { font-size: 1.1em; display: block; margin-top: .2em; }
.origin, .at, .note { display: block; font-size: .85em; color: #444; }
.verdict { border-left: 5px solid #888; padding: .3em .8em; background: #f6f6f6; }
.verdict.bad { border-color: #c00000; background: #fff0f0; }
.verdict.ok { border-color: #2a7a2a; background: #effaef; }
.verdict p { margin: .2em 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .35em .6em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.error { color: #a00000; font-weight: 600; }
td.warning { color: #8a5a00; font-weight: 600; }
td.info { color: #00607a; }
.help { display: block; color: #444; font-size: .9em; margin-top: .2em; }
table.histogram { width: auto; } table.histogram td { border: none; padding: .1em .5em; }
.bar { display: inline-block; height: .9em; background: #c00000; vertical-align: middle; }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'"
VERDICT_CLASS = {
    "ok": "ok",
    "ping-too-long": "bad",
    "no-keepalive": "bad",
    "short-lifetime-cap": "bad",
    "upgrade-off": "bad",
}


def _e(value: str) -> str:
    """A value from a config or a message, as HTML text."""
    return html.escape(printable(value))


def _path_section(path: Path, number: int) -> list[str]:
    view = layout(path)
    hops = len(path.hops)
    out = [
        f'<section class="path" id="path-{number}">',
        f'<h2>path "{html.escape(view.title)}" <span class="where">({_e(str(path.location))}): {hops} '
        f"hop{'' if hops == 1 else 's'}, client side first</span></h2>",
        f"<p>ping interval: {html.escape(view.ping)}</p>",
        '<ol class="hops">',
        '<li class="endpoint">client</li>',
    ]
    for row in view.rows:
        number_, kind, route, timeout, _, _ = (html.escape(cell) for cell in row.cells)
        badge = '<span class="badge">bottleneck</span> ' if row.bottleneck else ""
        parts = [f'<span class="kind">{badge}{number_} {kind}</span>', f'<span class="route">{route}</span>']
        if row.route is None:
            parts.append('<span class="note">no WebSocket route</span>')
        else:
            parts.append(f'<span class="timeout">idle timeout <b>{timeout}</b></span>')
            parts.append(f'<span class="origin">{html.escape(view.origin(row))}</span>')
            parts += [f'<span class="note">{html.escape(line)}</span>' for line in view.under(row)]
        caps = view.caps(row)
        for rule, words, origin in caps:
            what, _, rest = words.partition(": ")
            level = "" if rule == "WS209" else " info"
            parts.append(
                f'<span class="cap{level}"><b>{html.escape(what)}</b>: {html.escape(rest)}'
                f"<br>{html.escape(origin)}</span>"
            )
        where = "hop" if row.route is None else "route"
        parts.append(f'<span class="at mono">{where} at {html.escape(view.place(row))}</span>')
        classes = " ".join(c for c in ("hop", view.state(row), "capped" if caps else "") if c)
        out.append(f'<li class="{classes}">{"".join(parts)}</li>')
    out += ['<li class="endpoint">app</li>', "</ol>"]
    verdict = VERDICT_CLASS.get(view.verdict, "")
    out.append(f'<div class="verdict {verdict}">')
    out += [f"<p>{html.escape(line)}</p>" for line in view.conclusion]
    if view.missing:
        missing = html.escape(view.missing)
        out.append(f"<p>not linted in this run: {missing} (the bottleneck is among the linted hops only)</p>")
    out += [f"<p>{html.escape(note)}</p>" for note in view.notes]
    out += ["</div>", "</section>"]
    return out


def _findings_section(result: Result) -> list[str]:
    shown = sorted((f for f in result.findings if not f.suppressed), key=Finding.sort_key)
    out = ['<section class="findings">', "<h2>Findings</h2>"]
    if not shown:
        out.append("<p>No findings.</p>")
    else:
        out += ["<table>", "<thead><tr><th>Location</th><th>Rule</th><th>Severity</th><th>Message</th></tr></thead>"]
        out.append("<tbody>")
        for f in shown:
            severity = (f.severity or Severity.WARNING).value
            help_ = f'<span class="help">help: {_e(f.help)}</span>' if f.help else ""
            out.append(
                f'<tr class="finding"><td class="mono">{_e(str(f.location))}</td>'
                f"<td><b>{html.escape(f.rule)}</b> {_e(f.name)}</td>"
                f'<td class="{severity}">{severity}</td><td>{_e(f.message)}{help_}</td></tr>'
            )
        out += ["</tbody>", "</table>"]
    suppressed = len(result.findings) - len(shown)
    if suppressed:
        out.append(f'<p class="muted">{suppressed} suppressed finding{"" if suppressed == 1 else "s"} not listed.</p>')
    if result.errors:
        out.append("<h2>Errors</h2>")
        out.append("<ul>" + "".join(f"<li>{_e(error)}</li>" for error in result.errors) + "</ul>")
    out.append("</section>")
    return out


def _close_times_section(result: Result) -> list[str]:
    """``wslint logs``: each cause's close times as bars (the text histogram's facts)."""
    from wslint.logs.histogram import ROWS, title

    groups = [g for g in result.evidence.groups.values() if g.times] if result.evidence else []
    if not groups:
        return []
    out = ['<section class="close-times">', "<h2>Close times seen in the logs</h2>"]
    for group in sorted(groups, key=lambda g: -g.count):
        out.append(f"<h3>{_e(title(group))}: {group.count} close{'s' if group.count != 1 else ''}</h3>")
        shown = sorted(t for t, _ in group.times.most_common(ROWS))
        top = max(group.times[t] for t in shown)
        out.append('<table class="histogram"><tbody>')
        for seconds in shown:
            n = group.times[seconds]
            width = max(1, round(100 * n / top))
            out.append(f'<tr><td class="mono">{html.escape(format_seconds(seconds))}</td>'
                       f'<td><span class="bar" style="width: {width * 3}px"></span> {n}</td></tr>')  # fmt: skip
        out += ["</tbody></table>"]
    out.append("</section>")
    return out


def render(result: Result, draw: bool = False) -> str:
    """The page: a heading and the summary line, each path drawn (``draw``), the findings."""
    summary = text.render(result, color=False).rstrip("\n").split("\n")[-1]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="wslint {html.escape(__version__)}">',
        "<title>wslint report</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<h1>wslint</h1>",
        f'<p class="summary">{_e(summary)}</p>',
    ]
    if draw:
        for number, path in enumerate(result.paths, start=1):
            out += _path_section(path, number)
    out += _findings_section(result)
    out += _close_times_section(result)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
