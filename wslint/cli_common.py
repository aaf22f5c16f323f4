"""What the linting commands (``wslint check``/``path``, ``wslint aws``, ``wslint probe``) share on the command line.

The options every linting command takes, their values as a ``config.CommandLine`` (the plain
object settings are resolved from: no argparse object leaves the command-line modules), the
one-line error, the report's output (notes, errors, report, exit code) and ``--show-settings``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from wslint.escape import json_text, printable

if TYPE_CHECKING:
    from wslint.config import Settings
    from wslint.engine import Result
    from wslint.settings import CommandLine


def say(what: str, text: str) -> None:
    """``wslint: WHAT: TEXT`` on stderr; TEXT (which names files and quotes config values) shown as data."""
    sys.stderr.write(f"wslint: {what}: {printable(text)}\n")


# formats whose specifications say UTF-8 (JSON: RFC 8259 section 8.1; SARIF; XML as wslint declares it): written as
# UTF-8 to stdout whatever its encoding, where any other encoding would make the report invalid or lossy
UTF8_FORMATS = frozenset({"json", "sarif", "gitlab", "junit", "html"})  # html declares charset utf-8
# the formats --statistics has a shape in: text lines (text, concise, github), a JSON array (json); another
# format's reader (GitLab, a JUnit or SARIF consumer, a browser) would get text it cannot read
STATISTICS_FORMATS = ("text", "concise", "github", "json")


def safe_streams() -> None:
    """stdout and stderr never fail on a character their encoding lacks: it is written ``\\uNNNN`` instead.

    With a cp1252 or ASCII stdout (Windows when piped, ``PYTHONIOENCODING``), a file or location named
    in another script would otherwise end the run with UnicodeEncodeError. What the encoding has is
    written as it is, so the reader of that stream still gets text in the encoding it declared.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def utf8(stream: Any) -> None:
    """``stream`` writes UTF-8 from now on (a report whose format says UTF-8, a diff of UTF-8 files)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="strict")


def say_notes(notes: list[str], args: argparse.Namespace) -> None:
    """Each note on stderr, unless ``-q/--quiet`` (findings only)."""
    if not getattr(args, "quiet", False):
        for note in notes:
            say("note", note)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit 2."""

    def error(self, message: str) -> Any:
        say("error", message)
        raise SystemExit(2)


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options every linting command shares (check, path, aws): keepalive, selection, report, config."""
    p.add_argument("--ping-interval", metavar="D", help="client keepalive interval (25s, 1m); 0 or off = none")
    p.add_argument("--client", metavar="C", help="client kind (socket.io, websockets, ...) or client command line")
    p.add_argument("--select", metavar="IDS", help="rules to enable: ids, prefixes (WS2) or ALL")
    p.add_argument("--extend-select", metavar="IDS", help="rules to enable on top of the selection")
    p.add_argument("--ignore", metavar="IDS", help="rules to disable")
    p.add_argument("--fail-on", choices=("error", "warning", "info", "none"), help="lowest severity that fails")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (errors still exit 2)")
    p.add_argument(
        "--output-format",
        choices=(
            "text",
            "json",
            "sarif",
            "github",
            "gitlab",
            "junit",
            "concise",
            "mermaid",
            "html",
        ),
        help="report format (env WSLINT_OUTPUT_FORMAT; github when GITHUB_ACTIONS=true); mermaid draws `wslint path`",
    )
    p.add_argument("-o", "--output-file", metavar="F", help="write the report to F")
    p.add_argument("--sarif-file", metavar="F", help="also write a SARIF report to F")
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text report: auto (default) on a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR "
        "colours a pipe too; a report written with -o only with always",
    )
    loud = p.add_mutually_exclusive_group()
    loud.add_argument(
        "-q", "--quiet", action="store_true", help="findings only: no notes, no summary line (errors still shown)"
    )
    loud.add_argument(
        "-v", "--verbose", action="store_true", help="also a note for each named file of no kind wslint knows"
    )
    p.add_argument("--config", metavar="F", help="use this config file")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")
    p.add_argument("--show-settings", action="store_true", help="print the resolved settings and exit")


def command_line(args: argparse.Namespace) -> CommandLine:
    """The settings a parsed command line gives; options a command does not have are not given."""
    from wslint.settings import CommandLine

    def value(name: str) -> Any:
        return getattr(args, name, None)

    return CommandLine(
        config=value("config"),
        isolated=bool(value("isolated")),
        ping_interval=value("ping_interval"),
        client=value("client"),
        nginx_version=value("nginx_version"),
        nginx_prefix=value("nginx_prefix"),
        haproxy_version=value("haproxy_version"),
        select=value("select"),
        extend_select=value("extend_select"),
        ignore=value("ignore"),
        fail_on=value("fail_on"),
        output_format=value("output_format"),
        baseline=value("baseline"),
        inline_ignores=not value("no_inline_ignores"),
        write_baseline=value("write_baseline"),
        respect_gitignore=False if value("no_respect_gitignore") else None,
    )


def show_settings(settings: Settings) -> int:
    """``--show-settings``: the resolved settings as JSON on stdout."""
    data = settings.table()
    data["config-file"] = settings.config_file
    sys.stdout.write(json_text(json.dumps(data, indent=2, sort_keys=True)) + "\n")
    return 0


def tree_roots(paths: list[str], settings: Settings, stdin_filename: str | None) -> list[str]:
    """The directories a run's nginx includes are looked up under: the named ones, the files', the nginx prefix."""
    named = [stdin_filename or "." if p == "-" else p for p in paths]
    roots = [p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in named]
    if settings.nginx_prefix:
        roots.append(settings.nginx_prefix)
    return roots


def use_color(choice: str, to_file: bool, stream: Any) -> bool:
    """Whether the text report is coloured: ``--color`` first, then the environment's conventions.

    ``always``/``never`` beat the environment. With ``auto``: a report written to a file (``-o``) is
    plain; FORCE_COLOR (non-empty) colours even when ``stream`` is not a terminal, and beats NO_COLOR as
    force-color.org's reference implementation does; NO_COLOR (non-empty, no-color.org) and TERM=dumb
    turn it off; otherwise colour when ``stream`` is a terminal.
    """
    if choice != "auto":
        return choice == "always"
    if to_file:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def statistics_refused(args: argparse.Namespace, settings: Settings) -> bool:
    """Say that --statistics has no shape in the run's output format (one line, as ruff refuses a combination)."""
    fmt = settings.output_format or "text"
    if not getattr(args, "statistics", False) or fmt in STATISTICS_FORMATS:
        return False
    say("error", f"--statistics cannot be used with --output-format {fmt} (only with {', '.join(STATISTICS_FORMATS)})")
    return True


def emit(result: Result, settings: Settings, args: argparse.Namespace, draw: bool = False, stream: Any = None) -> int:
    """Notes and errors on stderr, the report on stdout or -o, and the exit code (UX.md)."""
    from wslint.engine import exit_code
    from wslint.report import write

    say_notes(result.notes, args)
    for error in result.errors:
        say("error", error)
    fmt = settings.output_format or "text"
    if fmt == "mermaid" and not draw:
        say("error", "--output-format mermaid draws declared paths: use `wslint path` (html shows findings too)")
        return 2
    color = use_color(args.color, bool(args.output_file), stream or sys.stdout) and fmt in ("text", "concise")
    quiet, statistics = bool(getattr(args, "quiet", False)), bool(getattr(args, "statistics", False))

    def report(out: Any, form: str, colored: bool, drawn: bool) -> None:
        if statistics and form == fmt:  # --statistics takes the report's place; a --sarif-file stays whole
            from wslint.report.statistics import render as render_statistics

            out.write(render_statistics(result, form))
        else:
            write(result, form, colored, out, drawn, summary=not quiet)

    # each report is written as it is made (the JSON report a finding at a time), never held whole
    writes = [(args.output_file, fmt, color, draw)] if args.output_file else []
    sarif_file = getattr(args, "sarif_file", None)
    if sarif_file:
        writes.append((sarif_file, "sarif", False, False))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    for path, form, colored, drawn in writes:
        try:
            with open(path, "w", encoding="utf-8") as out:
                report(out, form, colored, drawn)
        except OSError as exc:
            say("error", f"{path}: cannot write: {exc.strerror}")
            return 2
    if fmt == "github" and summary:
        from wslint.report.github import summary as github_summary

        try:
            with open(summary, "a", encoding="utf-8") as out:
                out.write(github_summary(result, draw))
        except OSError as exc:
            say("error", f"{summary}: cannot write the step summary: {exc.strerror}")
            return 2
    if not args.output_file:
        if fmt in UTF8_FORMATS:
            utf8(stream or sys.stdout)
        report(stream or sys.stdout, fmt, color, draw)
    if settings.write_baseline and not result.errors:
        return 0
    return exit_code(result, settings.fail_on, args.exit_zero)
