"""GitHub Actions output: annotations escaped as @actions/core does, grouped per file, and the step summary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wslint.engine import Result
from wslint.model import Finding, Location, Related, Severity
from wslint.report import github, text

LIVE = "aws://eu-west-1/arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/chat/50dc6c495c0c9188"


def finding(
    file: str,
    line: int | None,
    column: int | None = None,
    end_line: int | None = None,
    end_column: int | None = None,
    rule: str = "WS201",
    severity: Severity = Severity.WARNING,
    message: str = "location /ws/ has no proxy_read_timeout",
    help: str = "",
    suppressed: bool = False,
) -> Finding:
    return Finding(
        rule=rule,
        name="default-idle-timeout" if rule == "WS201" else "rule",
        severity=severity,
        location=Location(file=file, line=line, column=column, end_line=end_line, end_column=end_column),
        message=message,
        help=help,
        suppressed=suppressed,
        justification="reason" if suppressed else None,
    )


def result(*findings: Finding, files: int = 1) -> Result:
    return Result(findings=sorted(findings, key=Finding.sort_key), files=files, rules=["WS001", "WS201"])


def lines_of(output: str) -> list[str]:
    assert output.endswith("\n")
    return output.rstrip("\n").split("\n")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a git-less directory: the repository root is the current directory."""
    monkeypatch.chdir(tmp_path)


# -- escaping --------------------------------------------------------------------------------------------------


def test_escape_data_and_property() -> None:
    assert github.escape_data("50% a:b,c\r\nd") == "50%25 a:b,c%0D%0Ad"
    assert github.escape_property("50% a:b,c\r\nd") == "50%25 a%3Ab%2Cc%0D%0Ad"
    assert github.escape_data("%0A") == "%250A"  # the escape character first: no double reading


def test_message_and_path_are_escaped() -> None:
    f = finding("odd,dir/a:b%.conf", 3, 5, 3, 9, message="100% sure: a, b\r\nnext line")
    line = github.annotation(f, str(Path.cwd()))
    assert line == (
        "::warning title=wslint (WS201),file=odd%2Cdir/a%3Ab%25.conf,line=3,col=5,endLine=3,endColumn=9::"
        "odd,dir/a:b%25.conf:3:5: WS201 100%25 sure: a, b\\x0d\\x0anext line"  # a value's line break: shown as data
    )
    assert "\n" not in line and "\r" not in line


# -- one annotation per finding --------------------------------------------------------------------------------


def test_single_line_range_has_columns() -> None:
    line = github.annotation(finding("nginx.conf", 7, 9, 7, 22), str(Path.cwd()))
    assert line.startswith("::warning title=wslint (WS201),file=nginx.conf,line=7,col=9,endLine=7,endColumn=22::")
    assert line.endswith("::nginx.conf:7:9: WS201 location /ws/ has no proxy_read_timeout")


def test_multi_line_range_has_no_columns() -> None:
    line = github.annotation(finding("main.tf", 7, 1, 11, 2), str(Path.cwd()))
    assert line.startswith("::warning title=wslint (WS201),file=main.tf,line=7,endLine=11::main.tf:7:1: WS201 ")
    assert "col=" not in line and "endColumn=" not in line


def test_unknown_end_is_a_single_line() -> None:
    line = github.annotation(finding("nginx.conf", 1, 1), str(Path.cwd()))
    assert line.startswith("::warning title=wslint (WS201),file=nginx.conf,line=1,col=1,endLine=1::")
    line = github.annotation(finding("nginx.conf", 4), str(Path.cwd()))
    assert line.startswith("::warning title=wslint (WS201),file=nginx.conf,line=4,endLine=4::nginx.conf:4:1: ")


def test_levels() -> None:
    root = str(Path.cwd())
    assert github.annotation(finding("a.conf", 1, severity=Severity.ERROR), root).startswith("::error ")
    assert github.annotation(finding("a.conf", 1, severity=Severity.WARNING), root).startswith("::warning ")
    assert github.annotation(finding("a.conf", 1, severity=Severity.INFO), root).startswith("::notice ")


def test_live_aws_finding_has_no_file() -> None:
    line = github.annotation(finding(LIVE, None), str(Path.cwd()))
    assert line == f"::warning title=wslint (WS201)::{LIVE}: WS201 location /ws/ has no proxy_read_timeout"


def test_file_property_is_relative_to_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "deploy").mkdir()
    monkeypatch.chdir(tmp_path / "repo" / "deploy")
    output = github.render(result(finding("nginx.conf", 7, 9, 7, 22)))
    assert "::warning title=wslint (WS201),file=deploy/nginx.conf,line=7," in output
    assert "::deploy/nginx.conf:7:9: WS201" not in output  # the message keeps the path as given
    assert "::nginx.conf:7:9: WS201 location" in output


# -- the whole output ------------------------------------------------------------------------------------------


def test_groups_per_file_with_the_text_lines_inside() -> None:
    findings = [
        finding("b.conf", 2, 1, 2, 5, help="Set proxy_read_timeout 1h;"),
        finding("a.conf", 9, 3, 9, 8, rule="WS101", severity=Severity.ERROR, message="HTTP/1.0"),
        finding("a.conf", 1, 1, severity=Severity.INFO, rule="WS401", message="no worker_shutdown_timeout"),
        finding(LIVE, None),
    ]
    whole = result(*findings, files=3)
    lines = lines_of(github.render(whole))
    assert lines == [
        "::group::wslint: a.conf",
        "::notice title=wslint (WS401),file=a.conf,line=1,col=1,endLine=1::"
        "a.conf:1:1: WS401 no worker_shutdown_timeout",
        "::error title=wslint (WS101),file=a.conf,line=9,col=3,endLine=9,endColumn=8::a.conf:9:3: WS101 HTTP/1.0",
        "a.conf:1:1: WS401 [info] no worker_shutdown_timeout",
        "a.conf:9:3: WS101 [error] HTTP/1.0",
        "::endgroup::",
        f"::group::wslint: {LIVE}",
        f"::warning title=wslint (WS201)::{LIVE}: WS201 location /ws/ has no proxy_read_timeout",
        f"{LIVE}: WS201 [warning] location /ws/ has no proxy_read_timeout",
        "::endgroup::",
        "::group::wslint: b.conf",
        "::warning title=wslint (WS201),file=b.conf,line=2,col=1,endLine=2,endColumn=5::"
        "b.conf:2:1: WS201 location /ws/ has no proxy_read_timeout",
        "b.conf:2:1: WS201 [warning] location /ws/ has no proxy_read_timeout",
        "  help: Set proxy_read_timeout 1h;",
        "::endgroup::",
        "Found 4 findings (1 error, 2 warnings, 1 info) in 3 files.",
    ]
    # every text-report line of a finding is inside its file's group, and the summary line ends the output
    report = lines_of(text.render(whole, color=False))
    assert set(report) <= set(lines) and lines[-1] == report[-1]


def test_related_lines_are_in_the_group() -> None:
    f = finding("a.conf", 9, 13)
    f.related = [Related(location=Location(file="a.conf", line=3, column=5), message="hidden: Upgrade")]
    lines = lines_of(github.render(result(f)))
    assert "  related: a.conf:3:5: hidden: Upgrade" in lines[: lines.index("::endgroup::")]


def test_suppressed_findings_get_no_annotation() -> None:
    output = github.render(result(finding("a.conf", 1, 1, suppressed=True), finding("b.conf", 2, 1)))
    assert "a.conf" not in output
    assert lines_of(output)[0] == "::group::wslint: b.conf"
    assert lines_of(output)[-1] == "Found 1 finding (0 errors, 1 warning, 0 info) in 1 file."


def test_clean_run_prints_only_the_summary_line() -> None:
    assert github.render(result(files=2)) == "All clean: no findings in 2 files.\n"


def test_message_lines_cannot_be_read_as_workflow_commands() -> None:
    f = finding("a.conf", 1, 1, message="bad value\n::error file=x::injected ##[warning]too", help="::add-mask::x")
    lines = lines_of(github.render(result(f)))
    # the values are shown as data (escape.printable): the only commands are wslint's own
    commands = [line for line in lines if line.lstrip().startswith("::")]
    assert [line.split(" ")[0].split("::")[1] for line in commands] == ["group", "warning", "endgroup"]
    assert not any("##[" in line for line in lines)
    assert "a.conf:1:1: WS201 [warning] bad value\\x0a::error file=x::injected ##\\x5bwarning]too" in lines
    assert "  help: \\x3a:add-mask::x" in lines
    annotation = next(line for line in lines if line.startswith("::warning "))
    assert "bad value\\x0a::error file=x::injected ##\\x5bwarning]too" in annotation


def test_verbatim_fences_lines_that_read_as_commands() -> None:
    lines = ["+ ::add-mask::x", "ok", " a ##[warning]b"]
    fenced = github.verbatim(lines)
    token = fenced[0].removeprefix("::stop-commands::")
    assert re.fullmatch(r"wslint-[0-9a-f]{32}", token)
    assert fenced == [f"::stop-commands::{token}", *lines, f"::{token}::"]
    assert github.verbatim(["ok", "fine"]) == ["ok", "fine"]


def test_plain_output_has_no_stop_commands() -> None:
    assert "stop-commands" not in github.render(result(finding("a.conf", 1, 1, help="a:b, c")))


def test_deterministic() -> None:
    whole = result(finding("b.conf", 2, 1), finding("a.conf", 1, 1), finding(LIVE, None), files=2)
    assert github.render(whole) == github.render(whole)
    assert github.summary(whole) == github.summary(whole)


# -- $GITHUB_STEP_SUMMARY --------------------------------------------------------------------------------------


def test_summary_table() -> None:
    findings = [
        finding("a.conf", 9, 3, rule="WS101", severity=Severity.ERROR, message="HTTP/1.0 | <b>not</b> & co"),
        finding("b.conf", 2, 1),
        finding("c.conf", 1, 1, suppressed=True, message="hidden one"),
        finding(LIVE, None, severity=Severity.INFO, message="line one\nline two"),
    ]
    markdown = github.summary(result(*findings, files=3))
    lines = lines_of(markdown)
    assert lines[0] == "## wslint"
    assert "**3 findings** in 3 files: 1 error, 1 warning, 1 info." in lines
    assert "1 suppressed finding is not listed." in lines
    header = lines.index("| Location | Rule | Severity | Message |")
    assert lines[header + 1] == "| --- | --- | --- | --- |"
    assert lines[header + 2 :] == [
        "| a.conf:9 | WS101 rule | error | HTTP/1.0 \\| &lt;b&gt;not&lt;/b&gt; &amp; co |",
        f"| {LIVE} | WS201 default-idle-timeout | info | line one line two |",
        "| b.conf:2 | WS201 default-idle-timeout | warning | location /ws/ has no proxy_read_timeout |",
    ]
    assert "hidden one" not in markdown


def test_summary_when_clean_and_with_errors() -> None:
    clean = github.summary(result(files=2))
    assert clean == "## wslint\n\nAll clean: no findings in 2 files.\n"
    failed = Result(files=0, errors=["nope.conf: no such file or directory"])
    markdown = github.summary(failed)
    assert "**1 error** stopped wslint from linting everything:" in markdown
    assert "- nope.conf: no such file or directory" in markdown


def test_summary_table_is_capped() -> None:
    many = [finding(f"f{i:03}.conf", 1, 1) for i in range(130)]
    lines = lines_of(github.summary(result(*many, files=130)))
    rows = [line for line in lines if line.startswith("| f")]
    assert len(rows) == github.MAX_ROWS == 100
    assert rows[-1].startswith("| f099.conf:1 |")
    assert lines[-1] == "…and 30 more: see the job log."


def test_summary_shows_markdown_in_names_as_written() -> None:
    # a file or path name is text: never a link, an image, emphasis, code or strikethrough in the job summary
    from tests.test_path_view import three_hops

    hostile = "[l](http://e) ![x](url) *b* _u_ `c` ~~s~~ $m$ ##"
    markdown = github.summary(result(finding(f"{hostile}.conf", 3, 1, message=f"at {hostile}")))
    row = next(line for line in lines_of(markdown) if line.startswith("| \\["))
    escaped = r"\[l\](http://e) \!\[x\](url) \*b\* \_u\_ \`c\` \~\~s\~\~ \$m\$ \#\#"
    assert row == f"| {escaped}.conf:3 | WS201 default-idle-timeout | warning | at {escaped} |"
    assert "proxy_read_timeout" in github.summary(result(finding("a.conf", 1)))  # inside a word: as written
    path = three_hops()
    path.name = hostile
    drawn = github.summary(Result(files=1, paths=[path]), draw=True)
    assert f"### Path {escaped}" in lines_of(drawn)
    # what a reader sees: every backslash escape undone gives the name back
    assert re.sub(r"\\(.)", r"\1", escaped) == hostile
