"""What a newcomer installs: the wheel and sdist built from this tree, and the README's pip quick start.

The build and the fresh virtual environment need PyPI (setuptools for the
isolated build, portcheck's dependencies for the venv; pip's cache makes
repeat runs quick), so these tests are marked ``slow``; CI runs them.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_reference_folder_is_declared_as_package_data():
    tool = PYPROJECT["tool"]["setuptools"]
    on_disk = {f"portcheck.matlab_refs.{d.name}" for d in (ROOT / "matlab_refs").iterdir()
               if d.is_dir() and any(d.glob("*.m"))}
    packages = set(tool["packages"])
    assert on_disk <= packages, f"add to [tool.setuptools] packages and package-data: {sorted(on_disk - packages)}"
    assert on_disk <= set(tool["package-data"])
    assert tool["package-dir"]["portcheck.migration_guide"] == "migration_guide"
    # and every Python subpackage, or the wheel silently lacks it
    code = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "portcheck").rglob("__init__.py")}
    assert code <= packages, f"add to [tool.setuptools] packages: {sorted(code - packages)}"


def test_declared_floors_are_ones_oct2py_installs_with():
    # oct2py 6.x: Python >= 3.11, numpy >= 1.25, scipy >= 1.17.1 (whose own floor is numpy 1.26.4).
    project = PYPROJECT["project"]
    assert project["requires-python"] == ">=3.11"
    deps = {re.split(r"[<>=!;\[ ]", d, maxsplit=1)[0].lower(): d for d in project["dependencies"]}
    assert deps["oct2py"] == "oct2py>=6.1,<6.2"  # upper bound while the bridge uses oct2py internals
    assert deps["scipy"] == "scipy>=1.17.1" and deps["numpy"] == "numpy>=1.26.4"
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(project["urls"])


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """sdist and wheel, the wheel built from the sdist (as `python -m build` does)."""
    pytest.importorskip("build", reason="the dev extras install `build`")
    out = tmp_path_factory.mktemp("dist")
    res = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    log = res.stdout + res.stderr
    # setuptools warns when a folder of data is not a declared package ("would be ignored")
    assert "would be ignored" not in log and "BuildBackendWarning" not in log and "SetuptoolsDeprecation" not in log
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.mark.slow
def test_wheel_ships_every_reference_the_guide_and_the_license(dists):
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    for m in (ROOT / "matlab_refs").rglob("*.m"):
        assert f"portcheck/matlab_refs/{m.relative_to(ROOT / 'matlab_refs').as_posix()}" in names
    for page in (ROOT / "migration_guide").glob("*.md"):
        assert f"portcheck/migration_guide/{page.name}" in names
    for m in (ROOT / "portcheck" / "_bridge_m").rglob("*.m"):  # the bridge cannot call without them
        assert f"portcheck/_bridge_m/{m.relative_to(ROOT / 'portcheck' / '_bridge_m').as_posix()}" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = zipfile.ZipFile(dists["wheel"]).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Python: >=3.11" in metadata and "License-Expression: MIT" in metadata
    assert "Project-URL: Documentation" in metadata and "Classifier: Framework :: Pytest" in metadata


@pytest.mark.slow
def test_sdist_runs_its_own_tests(dists, tmp_path):
    with tarfile.open(dists["sdist"]) as tar:
        tar.extractall(tmp_path, filter="data")
    (src,) = tmp_path.iterdir()
    for needed in ("tests/conftest.py", "examples/portcheck.toml", "migration_guide/README.md",
                   "matlab_refs/ex4/nnCostFunction.m", "LICENSE", "Makefile", "docs/conf.py"):
        assert (src / needed).is_file(), needed
    env = {**os.environ, "PYTHONPATH": str(src)}
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_report.py", "tests/test_lint.py", "tests/test_packaging.py",
                          "-k", "not slow and not wheel and not sdist and not fresh"],
                         capture_output=True, text=True, cwd=src, env=env, timeout=600)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert re.search(r"\d+ passed", res.stdout)
    assert f"{src}" in subprocess.run([sys.executable, "-c", "import portcheck; print(portcheck.__file__)"],
                                      capture_output=True, text=True, cwd=src, env=env).stdout


def _readme_pip_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Install with pip", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [ln.split("#", 1)[0].strip() for ln in block.strip().splitlines() if ln.split("#", 1)[0].strip()]


@pytest.mark.slow
@pytest.mark.octave
def test_fresh_venv_runs_the_readme_pip_quick_start(dists, tmp_path):
    commands = _readme_pip_commands()
    assert commands[0] == "pip install portcheck"
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(bindir), env.get("PATH", "")])
    work = tmp_path / "elsewhere"  # not the source tree: only the installed package may answer
    work.mkdir()
    outputs = {}
    for command in commands:
        argv = shlex.split(command)
        if argv[:3] == ["pip", "install", "portcheck"]:
            argv = [str(bindir / "python"), "-m", "pip", "install", "--quiet", str(dists["wheel"])]
        res = subprocess.run(argv, capture_output=True, text=True, cwd=work, env=env, timeout=900)
        assert res.returncode == 0, f"{command}\n{res.stdout[-4000:]}\n{res.stderr[-4000:]}"
        outputs[argv[1] if argv[0] == "portcheck" else "pip"] = res.stdout
    assert "everything portcheck needs is in place" in outputs["doctor"]
    where = subprocess.run([str(bindir / "python"), "-c", "import portcheck.octave as o; print(o.bundled_refs_dir())"],
                           capture_output=True, text=True, cwd=work, env=env).stdout
    assert where.startswith(str(env_dir))  # the references come from the installed wheel
    assert "planted mistakes named" in outputs["demo"]
    assert outputs["guide"].startswith("# Column-major order")
