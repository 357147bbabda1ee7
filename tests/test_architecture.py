"""The house drawing of pyproject.toml ([tool.importlinter]): no app imports an app above it, and
openness_portal imports none. `make lint` runs the same contract."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_portal_keeps_its_layers():
    result = _lint(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The same contract on stand-in packages: the ground importing roadmaps, and two siblings importing
    each other, are both reported."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    for package in config["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "openness_portal" / "admin_site.py").write_text("from roadmaps import dashboard\n")
    (tmp_path / "roadmaps" / "dashboard.py").write_text("")
    (tmp_path / "surveys" / "selectors.py").write_text("import referents\n")
    contract = config["contracts"][0]
    layers = ", ".join(f'"{layer}"' for layer in contract["layers"])
    packages = ", ".join(f'"{p}"' for p in config["root_packages"])
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.importlinter]\nroot_packages = [{packages}]\n\n"
        f'[[tool.importlinter.contracts]]\nname = "{contract["name"]}"\ntype = "layers"\nlayers = [{layers}]\n'
    )

    result = _lint(tmp_path, tmp_path / "pyproject.toml")

    assert result.returncode == 1
    assert "openness_portal.admin_site -> roadmaps.dashboard" in result.stdout
    assert "surveys.selectors -> referents" in result.stdout
