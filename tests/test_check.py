"""`make check` (scripts/check.py): problems for people and, under GitHub Actions, as escaped
workflow commands; exit 0 with warnings only, 1 on errors, 2 when the check cannot run."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from digest import annotations
from digest.loader import load_content
from digest.model import Problem

from conftest import FIXTURES, ROOT

# What a workflow command of ours looks like; anything else starting with :: would be injected.
COMMAND = re.compile(r"^::(error|warning) file=[^:,\n]+,line=\d+,title=make check::[^\n]*$")


def run_check(*args: str, cwd: Path = ROOT, github: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run([sys.executable, str(ROOT / "scripts/check.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def commands(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("::")]


# --- the escaping itself ---------------------------------------------------------------------

def test_message_escapes_percent_and_line_breaks_but_keeps_colons_and_commas():
    assert annotations.escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"


def test_property_also_escapes_colons_and_commas():
    assert annotations.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_error_command_format():
    problem = Problem("content/stories/2024/11/a,b:c.md", 7, "bad value: 50%, then\n::error::x", "fix it")
    assert annotations.command(problem) == (
        "::error file=content/stories/2024/11/a%2Cb%3Ac.md,line=7,title=make check::"
        "bad value: 50%25, then%0A::error::x (hint: fix it)"
    )


def test_warning_command_format():
    problem = Problem("content/x.md", 3, "story has only one source", severity="warning")
    assert annotations.command(problem) == "::notice file=content/x.md,line=3,title=make check::story has only one source"


def test_plain_lines_show_control_characters_as_escapes():
    assert annotations.one_line("key `a\nb\r\x1b[31m`") == "key `a\\nb\\r\\x1b[31m`"


# --- the script ------------------------------------------------------------------------------

def test_injected_text_cannot_start_a_workflow_command():
    result = run_check("tests/fixtures/contrib_injection", github=True)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    for line in commands(output):
        assert COMMAND.match(line), line
    (error,) = commands(result.stdout)
    assert error.startswith("::error file=tests/fixtures/contrib_injection/stories/2024/11/injected-key.md,line=9,")
    assert "evil 100%25, really: yes%0A::error file=content/x.md,line=1::pwned" in error
    # and the line for people shows the line break instead of making one
    assert "injected-key.md:9: unknown key `evil 100%, really: yes\\n::error file=" in result.stderr


def test_a_file_name_with_comma_and_colon_is_escaped_in_the_file_property(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "contrib", content)
    shutil.copy(content / "stories/2024/10/existing-story.md", content / "stories/2024/10/odd,name:1.md")
    result = run_check("content", cwd=tmp_path, github=True)
    assert result.returncode == 1
    (error,) = [line for line in commands(result.stdout) if line.startswith("::error")]
    assert error.startswith("::error file=content/stories/2024/10/odd%2Cname%3A1.md,line=1,title=make check::")
    assert COMMAND.match(error)


def test_no_workflow_commands_outside_github_actions():
    result = run_check("tests/fixtures/contrib_injection")
    assert result.returncode == 1
    assert commands(result.stdout + result.stderr) == []
    assert "injected-key.md:9: unknown key" in result.stderr


def test_editorial_notes_pass_and_are_annotated_as_notices():
    result = run_check("tests/fixtures/contrib_duplicates", github=True)
    assert result.returncode == 0, result.stderr
    assert commands(result.stdout) and all(line.startswith("::notice ") for line in commands(result.stdout))
    assert "OK: 6 stories, 2 topics; 3 editorial notes above: advice to weigh, not failures." in result.stdout


def test_the_repository_content_passes():
    result = run_check()
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().splitlines()[-1].startswith("OK: ")


def test_options_are_read_from_mkdocs_yml_past_python_tags(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "contrib_config", project)
    result = run_check(cwd=project)  # no argument: docs_dir and the digest's options from mkdocs.yml
    assert result.returncode == 1, result.stdout
    assert "content/stories/2024/11/long-story.md:1: file is 697 bytes, over the limit of 600" in result.stderr


def test_an_unknown_time_zone_in_mkdocs_yml_stops_the_check_with_exit_2(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "contrib_config", project)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("Asia/Kabul", "Mars/Olympus_Mons"))
    result = run_check(cwd=project)
    assert result.returncode == 2
    assert "time_zone` is not a known time zone: 'Mars/Olympus_Mons'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_content_folder_is_exit_2_without_traceback(tmp_path):
    result = run_check(str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "no content folder at" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_crash_inside_the_checker_is_exit_2_with_a_clear_message(monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("scripts_check", ROOT / "scripts/check.py")
    check = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = check
    spec.loader.exec_module(check)

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(check, "load_content", explode)
    assert check.main([str(FIXTURES / "contrib")]) == 2
    err = capsys.readouterr().err
    assert "the check itself failed (RuntimeError: disk on fire second line)" in err
    assert "Traceback" not in err and "\n" not in err.rstrip("\n")


@pytest.mark.parametrize("name", ["broken", "contrib_duplicates"])
def test_the_check_and_the_loader_agree_on_the_fixtures(name):
    content = load_content(FIXTURES / name, shown_root=f"tests/fixtures/{name}")
    result = run_check(f"tests/fixtures/{name}")
    assert result.returncode == (1 if content.errors else 0)
    for problem in content.problems:
        assert annotations.one_line(str(problem)) in result.stdout + result.stderr


# --- the workflows that run it -----------------------------------------------------------------

def workflow(name: str) -> dict:
    # BaseLoader: every scalar a string, so the `on:` key stays "on" (YAML 1.1 reads it as true).
    return yaml.load((ROOT / ".github/workflows" / name).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def run_lines(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_pull_requests_run_check_and_build_with_a_read_only_token():
    flow = workflow("pull-request.yml")
    assert set(flow["on"]) == {"pull_request"}  # never pull_request_target: it runs with secrets
    assert flow["permissions"] == {"contents": "read"}
    assert set(flow["jobs"]) == {"check-and-build", "test", "changes-outside-content"}
    for each in flow["jobs"].values():
        assert "permissions" not in each
        checkout = each["steps"][0]
        assert checkout["uses"].startswith("actions/checkout@")
        assert checkout["with"]["persist-credentials"] == "false"  # the checkout keeps no token on disk
    job = flow["jobs"]["check-and-build"]
    commands_run = run_lines(job)
    assert commands_run.index("make check") < commands_run.index("make build")
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    assert any(step.get("with", {}).get("python-version") == "3.11" for step in job["steps"])


def test_pull_requests_run_the_whole_suite_with_chromium_on_the_oldest_and_newest_python():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    claimed = sorted((c.rsplit(" ", 1)[1] for c in project["classifiers"]
                      if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)),
                     key=lambda v: tuple(map(int, v.split("."))))
    assert project["requires-python"] == f">={claimed[0]}"
    job = workflow("pull-request.yml")["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == [claimed[0], claimed[-1]]
    assert job["strategy"]["fail-fast"] == "false"
    (setup,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    (test_step,) = [s for s in job["steps"] if s.get("run", "").strip() == "make test ENGINE=${{ matrix.engine }}"]
    assert test_step["env"]["DIGEST_REQUIRE_BROWSER"] == "1"  # a missing browser fails, never skips
    # Both Pythons with MkDocs, and one more job with ProperDocs (README "Engines").
    assert job["strategy"]["matrix"]["engine"] == ["mkdocs"]
    assert job["strategy"]["matrix"]["include"] == [{"python": claimed[0], "engine": "properdocs"}]
    chromium = job["env"]["DIGEST_CHROMIUM"]  # a real binary: Ubuntu's apt chromium is a snap shim
    assert chromium.startswith("/") and "snap" not in chromium
    assert 'os.environ.get("DIGEST_CHROMIUM"' in (ROOT / "scripts/static_host.py").read_text(encoding="utf-8")


def warn_about_changes(repo: Path) -> subprocess.CompletedProcess:
    """The workflow step that flags a pull request's files outside content/, run in `repo`."""
    (step,) = [s for s in workflow("pull-request.yml")["jobs"]["changes-outside-content"]["steps"]
               if "run" in s]
    assert step["shell"] == "python3 {0}"
    assert step["continue-on-error"] == "true"  # a warning, never a failed check
    return subprocess.run([sys.executable, "-c", step["run"]], cwd=repo, capture_output=True, timeout=60)


@pytest.mark.skipif(not shutil.which("git"), reason="needs git")
def test_changes_outside_content_get_one_escaped_warning(tmp_path):
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    (tmp_path / "content").mkdir()
    (tmp_path / "content/old.md").write_text("x")
    git("add", "-A")
    git("commit", "-qm", "base")
    git("checkout", "-qb", "pr")
    (tmp_path / "content/new.md").write_text("x")
    git("add", "-A")
    git("commit", "-qm", "content only")
    git("checkout", "-q", "main")
    git("merge", "-q", "--no-ff", "pr", "-m", "merge")  # what GitHub checks out: refs/pull/N/merge
    quiet = warn_about_changes(tmp_path)
    assert quiet.returncode == 0 and b"::" not in quiet.stdout

    git("checkout", "-q", "pr")
    hostile = "evil\n::error::injected %0A\u202egpj.js"
    (tmp_path / hostile).write_text("x")
    (tmp_path / "scripts").mkdir()
    git("mv", "content/old.md", "scripts/moved.py")  # a move out of content/ counts
    git("add", "-A")
    git("commit", "-qm", "code")
    git("checkout", "-q", "main")
    git("merge", "-q", "--no-ff", "pr", "-m", "merge 2")
    result = warn_about_changes(tmp_path)
    assert result.returncode == 0
    out = result.stdout.decode()
    (line,) = out.splitlines()  # one annotation: nothing a file name holds starts a command of its own
    assert line.startswith("::warning title=Changes outside content/::This pull request changes 2 file(s)")
    assert "maintainer's review" in line
    assert "evil\\u000a::error::injected %250A\\u202egpj.js" in line
    assert "scripts/moved.py" in line and "content/new.md" not in line

    git("checkout", "-q", "--detach", "pr")  # not a merge commit: say so, still no failure
    unsure = warn_about_changes(tmp_path)
    assert unsure.returncode == 0 and unsure.stdout.startswith(b"::warning ")


def test_only_the_deploy_job_may_write_pages_and_only_from_main():
    flow = workflow("deploy.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["permissions"] == {"contents": "read"}
    assert "make build" in run_lines(flow["jobs"]["build"])
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in flow["jobs"]["deploy"]["steps"]] == ["actions/deploy-pages"]


def test_deploys_keep_site_and_cache_keyed_on_the_dependencies():
    steps = workflow("deploy.yml")["jobs"]["build"]["steps"]
    (index,) = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@")]
    cache = steps[index]["with"]
    assert cache["path"].split() == ["site", ".cache"]
    dependencies = "${{ hashFiles('requirements.lock', 'pyproject.toml') }}"
    assert dependencies in cache["key"] and cache["key"].endswith("-${{ github.sha }}")
    assert cache["restore-keys"].strip() == cache["key"].removesuffix("${{ github.sha }}")
    assert index < next(i for i, s in enumerate(steps) if "make build" in s.get("run", ""))


YAML_MISTAKES = {
    "mis-indented-source.md": ('---\ntitle: "T"\ndate: 2024-10-30\nsummary: "S"\ntags: [refugees]\nsources:\n'
                               '  - name: A\n   url: https://example.org/\n---\nBody\n',
                               ":8: `url:` starts in column 4, but `name:` above it starts in column 5: the indentation "
                               "does not line up (hint: keys of the same entry start in the same column: put `url:` "
                               "directly under `name:`, and each `- name:` of a list under the first one)",
                               ["     8 |    url: https://example.org/", "       |    ^"]),
    "tab.md": ('---\ntitle: "T"\ndate: 2024-10-30\nsummary: "S"\ntags: [refugees]\nsources:\n\t- name: A\n---\nBody\n',
               ":7: this line is indented with a tab, which YAML does not accept (hint: indent with spaces only "
               "(two per level); your editor can turn tabs into spaces)",
               ["     7 | \u2192- name: A", "       | ^"]),
    "colon.md": ('---\ntitle: Talks: what next\ndate: 2024-10-30\nsummary: "S"\ntags: [refugees]\n'
                 'sources: [{name: A}]\n---\nBody\n',
                 ":2: the value of `title` contains a colon followed by a space, which YAML reads as the start of "
                 'another key (hint: put the whole value in double quotes: title: "Talks: what next")',
                 ["     2 | title: Talks: what next", "       |        ^"]),
    "quote.md": ('---\ntitle: "Talks what next\ndate: 2024-10-30\nsummary: "S"\ntags: [refugees]\n'
                 'sources: [{name: A}]\n---\nBody\n',
                 ":2: a quote opened on this line is not closed (hint: end the value with the same quote it starts "
                 "with, on the same line)",
                 ["     2 | title: \"Talks what next", "       |        ^"]),
}


@pytest.mark.parametrize("name", sorted(YAML_MISTAKES))
def test_yaml_mistakes_are_explained_in_plain_words_with_the_line_and_a_caret(tmp_path, name):
    text, message, context = YAML_MISTAKES[name]
    shutil.copytree(FIXTURES / "contrib", tmp_path / "content")
    story = tmp_path / "content" / "stories" / "2024" / "10" / name
    story.write_text(text, encoding="utf-8")
    result = run_check(str(tmp_path / "content"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(f"{tmp_path / 'content'}/stories/2024/10/{name}:"))
    assert lines[first].endswith(message), lines[first]
    assert lines[first + 1: first + 3] == context


def test_the_pre_commit_hook_checks_the_changed_story_with_what_it_needs(tmp_path):
    """`.pre-commit-config.yaml` passes the changed files to `check.py --files`: only those stories
    are read, but their tags are checked against every topic and their slugs against every story."""
    hook = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"][0]
    assert hook["entry"].endswith("scripts/check.py --files") and hook["pass_filenames"] and hook["files"] == "^content/"
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "contrib", content)
    broken = content / "stories" / "2024" / "10" / "broken.md"
    broken.write_text("---\ntitle: T\n---\n", encoding="utf-8")  # not changed in this commit
    changed = content / "stories" / "2024" / "11" / "existing-story.md"  # same slug as a story in 2024/10
    changed.parent.mkdir(parents=True)
    changed.write_text((content / "stories/2024/10/existing-story.md").read_text(encoding="utf-8")
                       .replace("2024-10-", "2024-11-"), encoding="utf-8")
    result = run_check(str(content), "--files", str(changed))
    assert result.returncode == 1
    assert "broken.md" not in result.stderr  # not read: not part of this commit
    assert "existing-story.md:1: slug 'existing-story' is already used by" in result.stderr, result.stderr
    changed.unlink()
    assert "OK: no content file changed." in run_check(str(content), "--files").stdout
