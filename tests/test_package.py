"""The package as published: ``python -m build`` makes an sdist and, from it, a wheel;
the wheel holds every package, the license and complete metadata, and works installed
on its own."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_the_wheel_holds_every_package_the_license_and_its_metadata(built: Path) -> None:
    (wheel,) = built.glob("cognitoflow-*.whl")
    (sdist,) = built.glob("cognitoflow-*.tar.gz")
    assert sdist.stat().st_size > 0
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(archive.read(meta_name))
    for package in ("engine", "engine/cli", "engine/answers", "transports", "transports/fake"):
        assert f"cognitoflow/{package}/__init__.py" in names, package
    for package in ("", "diagrams/", "testing/"):
        assert f"cognitoflow/{package}__init__.py" in names, package
    assert "cognitoflow/engine/_worker.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Requires-Python"] == ">=3.10"
    extras = set(meta.get_all("Provides-Extra") or [])
    assert {"fast", "async", "redis", "examples", "test"} <= extras
    classifiers = meta.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.13" in classifiers
    assert "cognitoflow demo" in (meta.get_payload() or "")  # the README is the description


def test_the_wheel_works_installed_on_its_own(built: Path, tmp_path: Path) -> None:
    (wheel,) = built.glob("cognitoflow-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    smoke = (
        "import cognitoflow, cognitoflow.engine as e; "
        f"assert cognitoflow.__file__.startswith({str(site)!r}), cognitoflow.__file__; "
        "print(cognitoflow.__version__, e.SignInFlow.__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", smoke], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0.1.0", "SignInFlow"]
    demo = subprocess.run(
        [sys.executable, "-m", "cognitoflow.engine.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
