"""Command line: ``wslint [check] [PATH...]``, ``wslint path``, ``wslint rules``, ``wslint rule ID``, ``wslint help``.

Commands are dispatched by hand rather than by argparse subparsers: ``wslint PATH...`` without a command
is ``wslint check`` (a subparser takes its first word for a command), ``probe`` and ``aws`` import their
libraries only when run, and ``--version`` answers before any of that. ``_top_parser`` only prints
``wslint --help``, the list of commands.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from wslint import BUG_HINT, __version__
from wslint.cli_common import (
    Parser,
    add_run_options,
    command_line,
    emit,
    safe_streams,
    say,
    say_notes,
    show_settings,
    statistics_refused,
    tree_roots,
    utf8,
)
from wslint.escape import printable
from wslint.sources import registry

if TYPE_CHECKING:
    from wslint.config import Settings
    from wslint.discover import Discovery
    from wslint.engine import Result
    from wslint.model import StockInclude
    from wslint.settings import Configs

# every command with its one line for `wslint --help`; `wslint PATH...` without one is `wslint check PATH...`, and a
# command wins over a path of its name (`wslint check help` or `wslint ./help` lint a file named help)
COMMANDS = {
    "check": "lint files and directories (the default command: wslint PATH... is wslint check PATH...)",
    "path": "lint the hops of a path and draw it: each hop's idle timeout, the bottleneck, the safe ping interval",
    "rules": "list the rules: id, name, default severity, sources",
    "rule": "print one rule's document (why, how to fix, examples) and where it is checked",
    "aws": "lint live load balancers (ALB, NLB, Classic ELB) through boto3",
    "probe": "measure a live WebSocket endpoint's idle cutoff and match it to the config",
    "logs": "read proxy and client logs with the configs: which hop's timeout closed the WebSockets (WS701, WS702)",
    "help": "print the help of wslint, or of a command (wslint help path)",
}
SUBCOMMANDS = tuple(COMMANDS)
DESCRIPTION = "Lint the WebSocket path: upgrades and idle timeouts."


def _top_parser() -> argparse.ArgumentParser:
    """``wslint --help``: the commands, one line each (a parser for the help only: commands dispatch by hand)."""
    width = max(len(name) for name in COMMANDS)
    commands = "\n".join(f"  {name.ljust(width)}  {line}" for name, line in COMMANDS.items())
    p = Parser(
        prog="wslint",
        usage="wslint [COMMAND] [OPTIONS] [PATH...]",
        description=f"{DESCRIPTION}\n\ncommands:\n{commands}",
        epilog="Without a COMMAND, wslint checks: `wslint nginx.conf` is `wslint check nginx.conf`.\n"
        "`wslint help COMMAND` (or `wslint COMMAND --help`) shows a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"wslint {__version__}")
    return p


def _lint_parser(prog: str, description: str, fixes: bool) -> argparse.ArgumentParser:
    """The options of ``wslint check`` and ``wslint path``; only check fixes and counts (``fixes``)."""
    p = Parser(prog=prog, description=description)
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; - reads stdin")
    p.add_argument("--version", action="version", version=f"wslint {__version__}")
    add_run_options(p)
    p.add_argument("--nginx-version", metavar="V", help="target nginx version (default: older than 1.29.7)")
    p.add_argument("--nginx-prefix", metavar="DIR", help="where absolute includes are re-rooted")
    p.add_argument("--haproxy-version", metavar="V", help="target HAProxy version, for .if version_atleast()")
    p.add_argument("--no-inline-ignores", action="store_true", help="ignore every # wslint: suppression comment")
    p.add_argument("--baseline", metavar="F", help="leave out the findings this baseline file knows")
    p.add_argument("--write-baseline", metavar="F", help="write the run's findings to a baseline file F")
    p.add_argument("--show-files", action="store_true", help="print the files that would be linted and exit")
    p.add_argument(
        "--kind",
        choices=registry.file_kinds(),
        help="read every linted file (and stdin) as this kind instead of telling it from its content: %(choices)s",
        metavar="KIND",
    )
    p.add_argument(
        "--stdin-filename", metavar="F", help="the name of the file read from stdin (-): reported, and tells its kind"
    )
    p.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude to paths named on the command line",
    )
    p.add_argument(
        "--no-respect-gitignore",
        action="store_true",
        help="also lint what .gitignore, .ignore and .git/info/exclude ignore in directory walks",
    )
    if not fixes:
        return p
    p.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule (count, rule, name; JSON with --output-format json)",
    )
    fix = p.add_argument_group("autofix")
    fix.add_argument("--fix", action="store_true", help="apply the fixes in place, then report what remains")
    fix.add_argument("--diff", action="store_true", help="print the fixes as a unified diff (exit 1 if any)")
    fix.add_argument("--fix-includes", action="store_true", help="also fix files included from several places")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that change meaning (WS203)")
    return p


def _check_parser() -> argparse.ArgumentParser:
    return _lint_parser("wslint check", DESCRIPTION, fixes=True)


def _path_parser() -> argparse.ArgumentParser:
    parser = _lint_parser(
        "wslint path",
        "Lint the hops of a path, then draw it: client side first, each hop's idle timeout, the bottleneck "
        "and the largest safe ping interval. Without HOP arguments, the paths declared in config; a directory "
        "whose config declares paths, those paths.",
        fixes=False,
    )
    parser.add_argument("--name", metavar="N", action="append", help="only the declared path(s) of this name")
    parser.add_argument(
        "--route", metavar="FILE:SELECTOR", action="append", default=[], help="only this route of a hop"
    )
    return parser


def cmd_check(argv: Sequence[str]) -> int:
    args = _check_parser().parse_intermixed_args(list(argv))  # --version exits here, before the heavy imports
    return _lint(args, draw=False)


def cmd_path(argv: Sequence[str]) -> int:
    return _lint(_path_parser().parse_intermixed_args(list(argv)), draw=True)


def _logs_parser() -> argparse.ArgumentParser:
    parser = _lint_parser(
        "wslint logs",
        "Read proxy and client logs beside the configs that wrote them, and say which hop's timeout closed the "
        "WebSockets: each PATH that reads as a log (nginx error or access log, HAProxy log, chisel or OutSystems "
        "Cloud Connector client log; plain or .gz) is read as one, every other is linted as a config.",
        fixes=False,
    )
    parser.add_argument(
        "--histogram",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="print each hop's close times as a text histogram after the report (text format)",
    )
    return parser


def cmd_logs(argv: Sequence[str]) -> int:
    args = _logs_parser().parse_intermixed_args(list(argv))
    args.paths, logs = _split_logs(args.paths)
    if not logs and not args.show_settings:
        say("error", "no log among the paths: name the logs to read (and the configs that wrote them)")
        return 2
    return _lint(args, draw=False, logs=logs)


def _split_logs(paths: list[str]) -> tuple[list[str], list[str]]:
    """(configs, logs): a named file is a log when its first lines read as one, or when it is of no config kind."""
    from wslint.discover import HEAD_BYTES, detect_kind
    from wslint.logs.read import HEAD_LINES, sniff

    configs: list[str] = []
    logs: list[str] = []
    for path in paths:
        if path == "-" or not os.path.isfile(path):
            configs.append(path)  # a directory is configs; a missing path is said as in any lint
            continue
        head = _head(path, HEAD_BYTES)
        reads_as_log = sniff(head.splitlines()[:HEAD_LINES], []) is not None
        if path.endswith(".gz") or reads_as_log or detect_kind(path, head) is None:
            logs.append(path)
        else:
            configs.append(path)
    return configs, logs


def _head(path: str, size: int) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(size).decode("utf-8", errors="replace")
    except OSError:
        return ""


def cmd_help(argv: Sequence[str]) -> int:
    """``wslint help`` (the commands) and ``wslint help COMMAND`` (its options)."""
    if not argv or argv[0] == "help":
        _top_parser().print_help()
        return 0
    if argv[0] not in COMMANDS or len(argv) > 1:
        say("error", f"help: unknown command '{' '.join(argv)}' (commands: {', '.join(COMMANDS)})")
        return 2
    return _dispatch([argv[0], "--help"])


def _lint(args: argparse.Namespace, draw: bool, logs: list[str] | None = None) -> int:
    import gc

    from wslint.config import ConfigError
    from wslint.discover import Discovery, discover
    from wslint.engine import lint_groups
    from wslint.settings import Configs, resolve

    try:
        given = command_line(args)
        settings, notes = resolve(given)
        # each linted file is judged under its nearest config (settings.Configs); a run of declared paths (`wslint
        # path`, a bare `wslint` whose config declares paths) under the config that declares them: the plan
        configs = Configs(given, settings)
        plan = _choose_paths(args, settings, configs) if draw else _declared_run(args, settings)
        if args.show_settings:  # as ruff's: the settings of the first file named, else the run's
            first = args.paths[0] if args.paths and args.paths[0] != "-" else None
            shown = plan[0][0] if plan else configs.for_path(first) if first else settings
            if shown is None:
                raise ConfigError(configs.errors[0])
    except ConfigError as exc:
        say("error", str(exc))
        return 2
    say_notes(notes, args)
    if args.show_settings:
        return show_settings(shown or settings)
    if statistics_refused(args, settings):
        return 2
    fixing = _fix_mode(args, draw)
    if fixing is None:
        return 2
    paths = [file for _, files in plan for file in files] if plan else list(args.paths) or ([] if logs else ["."])
    stdin: tuple[str, bytes] | None = None
    if "-" in paths:
        if fixing:
            sys.stderr.write("wslint: error: --fix and --diff edit files: they cannot read stdin (-)\n")
            return 2
        # never more than max-file-size + 1 bytes: `yes | wslint -` ends, and is WS001 (larger than max-file-size);
        # without --stdin-filename, the kind is told by the content alone and the file is reported as `-` (as ruff)
        stdin = (args.stdin_filename or "-", sys.stdin.buffer.read(settings.max_file_size + 1))
    if plan is None:
        discovery = discover(paths, settings, args.kind, stdin, args.force_exclude, settings_for=configs.for_directory)
        discovery.assign(configs.declaring, settings)  # a hop of a declared path: under the config declaring it
    else:
        discovery = Discovery()
        for own, files in plan:
            discovery.extend(discover(files, own, args.kind, stdin, args.force_exclude), own)
    discovery.errors[:0] = configs.errors  # a bad config below: its files left out, the run exits 2
    say_notes(configs.notes, args)
    if args.verbose:  # a named file of no known kind (pre-commit passes every .json and .yaml): said only if asked
        discovery.notes.extend(discovery.verbose_notes)
    if args.show_files:
        for target in discovery.targets:
            sys.stdout.write(f"{printable(target.display)}\t{target.kind}\n")
        for include, what in _stock_lines(discovery, tree_roots(paths, settings, args.stdin_filename), settings):
            sys.stdout.write(f"{printable(include)}\t{printable(what)}\n")
        for error in discovery.errors:
            say("error", error)
        return 2 if discovery.errors else 0
    # a run is short and its objects hold no reference cycles worth collecting: skip the collector's passes,
    # which walk every live object (millions on a large config) while the model is built and reported
    gc.disable()
    try:
        if fixing:  # each group of files under its own config (fix.run)
            return _autofix(args, discovery, paths, settings)
        result: Result = lint_groups(discovery, lambda own: tree_roots(paths, own, args.stdin_filename), settings, logs)
        code = emit(result, settings, args, draw)
        if logs is not None and result.evidence is not None and _histogram_wanted(args, settings):
            from wslint.logs.histogram import render

            sys.stdout.write(render(result.evidence))
        return code
    finally:
        gc.enable()


def _histogram_wanted(args: argparse.Namespace, settings: Settings) -> bool:
    """The close-time histogram goes after a text report on the terminal's stream (never into -o or a format)."""
    text = (settings.output_format or "text") in ("text", "concise")
    return bool(args.histogram) and text and not args.quiet and not args.output_file


def _fix_mode(args: argparse.Namespace, draw: bool) -> bool | None:
    """Whether this run fixes (--fix or --diff); None (said on stderr) when the options do not go together."""
    fix, show = getattr(args, "fix", False), getattr(args, "diff", False)
    problem = ""
    if fix and show:
        problem = "--fix and --diff are both given: give one"
    elif (fix or show) and (draw or getattr(args, "write_baseline", None)):
        problem = "--fix and --diff go with `wslint check`, without --write-baseline"
    elif not (fix or show) and (getattr(args, "fix_includes", False) or getattr(args, "unsafe_fixes", False)):
        problem = "--fix-includes and --unsafe-fixes go with --fix or --diff"
    if problem:
        sys.stderr.write(f"wslint: error: {problem}\n")
        return None
    return bool(fix or show)


def _autofix(args: argparse.Namespace, discovery: Discovery, paths: list[str], settings: Settings) -> int:
    """--fix writes the fixes and reports what remains; --diff prints them as a diff (the report goes to stderr)."""
    from wslint import fix

    options = fix.Options(
        fix_includes=args.fix_includes,
        unsafe_fixes=args.unsafe_fixes,
        allowed=tuple(os.path.realpath(p) for p in paths),
    )
    outcome = fix.run(discovery, tree_roots(paths, settings, None), settings, options)
    errors = fix.write(outcome) if args.fix else []  # a file not written: its fixes are not made, the lint redone
    result = outcome.result
    result.errors.extend(errors)
    if not args.quiet:
        for line in fix.describe(outcome, "fixed" if args.fix else "would fix"):
            sys.stderr.write(f"wslint: {printable(line)}\n")
    if args.diff:
        utf8(sys.stdout)  # the files' own text, to be applied as a patch: never replaced
        sys.stdout.write(_diff_text(fix.diff(outcome), settings.output_format))
        sys.stdout.flush()
        code = emit(result, settings, args, stream=sys.stderr)
        return code if code == 2 or not outcome.fixed or args.exit_zero else 1
    return emit(result, settings, args)


def _diff_text(text: str, fmt: str | None) -> str:
    """The diff; for GitHub, between stop-commands markers when a line of it (the files' text) reads as a command."""
    if fmt != "github" or not text:
        return text
    from wslint.report.github import verbatim

    return "\n".join(verbatim(text.removesuffix("\n").split("\n"))) + "\n"


def _declared_run(args: argparse.Namespace, settings: Settings) -> list[tuple[Settings, list[str]]] | None:
    """A bare ``wslint`` whose config declares paths lints their files under it (as before nearest configs)."""
    if args.paths or not settings.path:
        return None
    from wslint.paths import declared_files

    return [(settings, declared_files(settings.path) or ["."])]


def _choose_paths(args: argparse.Namespace, settings: Settings, configs: Configs) -> list[tuple[Settings, list[str]]]:
    """The paths ``wslint path`` draws, each group with the settings it is linted under and the files to lint.

    No arguments: the paths the run's config declares. Directories whose nearest config declares paths: those
    paths, each under its config (hops relative to it). Otherwise the arguments are the hops of one path declared
    on the command line (a directory is one hop: its files' hops in file-name order), under the nearest config
    of their common directory. ``--name`` picks declared paths by name.
    """
    from dataclasses import replace

    from wslint.config import ConfigError, command_line_path
    from wslint.paths import declared_files, declaring

    if args.paths:
        chosen = declaring(args.paths, configs)
        if chosen is None:
            if args.name:
                raise ConfigError("--name picks a declared path: give either --name or the hops")
            own = configs.for_directory(_common_directory(args.paths))
            if own is None:
                raise ConfigError(configs.errors[0])
            own = replace(own, path=[command_line_path(args.paths, args.route)])
            return [(own, declared_files(own.path))]
    else:
        chosen = [settings]
    if args.route:
        raise ConfigError("--route selects routes of hops named on the command line")
    if args.name:
        unknown = [n for n in args.name if n not in {spec.name for own in chosen for spec in own.path}]
        if unknown:
            raise ConfigError(f"--name {unknown[0]}: no such path in config")
        chosen = [replace(own, path=[spec for spec in own.path if spec.name in args.name]) for own in chosen]
        chosen = [own for own in chosen if own.path]
    if not any(own.path for own in chosen):
        raise ConfigError(
            "no path: name its hops (wslint path alb.tf nginx.conf haproxy.cfg) or declare [[tool.wslint.path]]"
        )
    if args.paths:
        return [(own, declared_files(own.path)) for own in chosen]
    return [(own, declared_files(own.path) or ["."]) for own in chosen]


def _common_directory(hops: list[str]) -> str:
    """The directory the hops named on the command line share (intermediaries and stdin aside)."""
    places = [os.path.abspath(h if os.path.isdir(h) else os.path.dirname(os.path.abspath(h))) for h in hops]
    places = [p for p, h in zip(places, hops, strict=True) if h != "-" and os.path.exists(h)]
    return os.path.commonpath(places) if places else os.getcwd()


def _stock_lines(discovery: Discovery, tree_roots: list[str], settings: Settings) -> list[tuple[str, str]]:
    """--show-files: the nginx includes read as a stock file's published contents: (path, what), one per path."""
    nginx = [(t.real, t.display) for t in discovery.targets if t.kind == "nginx"]
    if not nginx:
        return []
    from wslint.sources.nginx import stock_includes

    by_path: dict[str, list[StockInclude]] = {}
    for used in stock_includes(nginx, tree_roots, settings, discovery.stdin):
        by_path.setdefault(used.include, []).append(used)
    lines = []
    for include, uses in by_path.items():
        first = uses[0].location
        more = f" and {len(uses) - 1} more" if len(uses) > 1 else ""
        lines.append(
            (
                include,
                f"nginx, not in the linted tree: read as the stock contents of {uses[0].source}; "
                f"included at {first.file}:{first.line}{more}",
            )
        )
    return lines


def cmd_rules(argv: Sequence[str]) -> int:
    from wslint.rules import RULES

    p = Parser(prog="wslint rules", description="List the rules.")
    p.add_argument("--output-format", choices=("text", "json"), default="text")
    args = p.parse_args(list(argv))
    if args.output_format == "json":
        data = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.value,
                "sources": list(r.sources),
                "summary": r.summary,
            }
            for r in RULES.values()
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    for r in RULES.values():
        sys.stdout.write(f"{r.id}  {r.name:<34} {r.severity.value:<8} {', '.join(r.sources)}\n")
    return 0


def cmd_rule(argv: Sequence[str]) -> int:
    from wslint import ruledoc
    from wslint.cli_common import use_color
    from wslint.report.markdown_terminal import render
    from wslint.rules import RULES, rule_document, rule_document_url

    p = Parser(
        prog="wslint rule",
        description="Print a rule's document (rendered for a terminal; json: its fields) and where it is implemented.",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("--output-format", choices=("text", "json"), default="text")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the headings")
    args = p.parse_args(list(argv))
    rule_id = args.id.upper()
    if rule_id not in RULES:
        say("error", f"unknown rule '{args.id}' (see `wslint rules`)")
        return 2
    document = rule_document(rule_id)
    if document is None:
        sys.stderr.write(f"wslint: error: the document of {rule_id} is missing from this installation\n")
        return 2
    markdown, sections = ruledoc.split(document, f"{rule_id}.md")
    check, fixer = _implemented(rule_id)
    if args.output_format == "json":
        rule = RULES[rule_id]
        data = {
            "id": rule.id,
            "name": rule.name,
            "severity": rule.severity.value,
            "sources": list(rule.sources),
            "summary": rule.summary,
            "check": check,
            "fixer": fixer,
            "url": rule_document_url(rule_id),
            "sections": sections,
            "markdown": markdown,
            "document": document,
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    sys.stdout.write(render(markdown, use_color(args.color, False, sys.stdout)))
    sys.stdout.write("\n")
    for what, where in (("Check", check), ("Fixer", fixer)):
        if where is not None:
            after = " (after inline suppressions)" if where.get("phase") == "after-suppressions" else ""
            sys.stdout.write(f"{what}: {where['function']} in {where['file']}{after}\n")
    return 0


def _implemented(rule_id: str) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """Where a rule is checked and fixed: module, function and file (relative to the installation)."""
    from wslint.checks import AFTER_SUPPRESSIONS, implementation
    from wslint.fix import fixer_of

    def where(fn: Callable[..., object] | None) -> dict[str, str] | None:
        if fn is None:
            return None
        module = sys.modules[fn.__module__]
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the folder that holds wslint/
        file = os.path.relpath(os.path.abspath(module.__file__ or ""), root).replace(os.sep, "/")
        return {"module": fn.__module__, "function": fn.__qualname__, "file": file}

    check = where(implementation(rule_id))
    if check is not None:
        check["phase"] = "after-suppressions" if rule_id in AFTER_SUPPRESSIONS else "model"
    return check, where(fixer_of(rule_id))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    safe_streams()
    if not args or args[0] != "probe":
        # a lint is one short pass whose objects hold no cycles worth collecting, and the collector's
        # passes walk every live object (millions on a large config): from the imports on, skip them
        import gc

        gc.disable()
    try:
        return _dispatch(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # never a traceback: one line, exit 2
        say("error", f"internal error: {type(exc).__name__}: {exc}; {BUG_HINT}")
        return 2


def _dispatch(args: list[str]) -> int:
    if args and args[0] in ("-h", "--help"):
        _top_parser().print_help()
        return 0
    if args and args[0] == "help":
        return cmd_help(args[1:])
    if args and args[0] == "rules":
        return cmd_rules(args[1:])
    if args and args[0] == "rule":
        return cmd_rule(args[1:])
    if args and args[0] == "path":
        return cmd_path(args[1:])
    if args and args[0] == "logs":
        return cmd_logs(args[1:])
    if args and args[0] == "probe":
        from wslint.probe import main as probe_main  # the network, and websockets, only behind this command

        return probe_main(args[1:])
    if args and args[0] == "aws":
        from wslint.aws_command import main as aws_main  # boto3 only behind this command

        return aws_main(args[1:])
    if args and args[0] == "check":
        args = args[1:]
    return cmd_check(args)
