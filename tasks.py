#!/usr/bin/env python3
"""Two commands for a fresh machine with only Python 3.11 and pip.

    python3 tasks.py run     install into .venv, then start the dashboard on http://localhost:8501
    python3 tasks.py test    install into .venv (with test tools), then ruff + the whole test suite

Installs are skipped when requirements have not changed since the last install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"


def _sh(*cmd: str | os.PathLike, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def _ok(*cmd: str | os.PathLike, **kw) -> bool:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, **kw).returncode == 0


def _make_venv() -> None:
    """Create .venv. Debian/Ubuntu ship venv's ensurepip separately (python3-venv, python3.X-venv):
    install it when we are root with apt-get, else say what to install."""
    if _ok(sys.executable, "-m", "venv", VENV):
        return
    pkgs = ["python3-venv", f"python3.{sys.version_info.minor}-venv"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if os.geteuid() == 0 and shutil.which("apt-get") and _ok("apt-get", "update", "-q", env=env):
        known = [p for p in pkgs if subprocess.run(["apt-cache", "show", p], capture_output=True).returncode == 0]
        if (known and _ok("apt-get", "install", "-y", "-q", "--no-install-recommends", *known, env=env)
                and _ok(sys.executable, "-m", "venv", VENV)):
            return
    sys.exit(f"Could not create {VENV} with {sys.executable}: install its venv module "
             f"(on Debian/Ubuntu: apt-get install {' '.join(pkgs)}) and run this again.")


def _install(dev: bool) -> None:
    if not (VENV / "bin" / "pip").exists():  # (a venv that failed half-way has python but no pip)
        _make_venv()
    req = ROOT / ("requirements-dev.txt" if dev else "requirements.txt")
    digest = hashlib.sha256()
    for f in (ROOT / "requirements.txt", req, ROOT / "pyproject.toml"):
        digest.update(f.read_bytes())
    stamp = VENV / f".installed-{'dev' if dev else 'run'}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    _sh(PY, "-m", "pip", "install", "-q", "--upgrade", "pip")
    _sh(PY, "-m", "pip", "install", "-q", "-r", req)
    _sh(PY, "-m", "pip", "install", "-q", "--no-deps", "-e", ".")
    stamp.write_text(digest.hexdigest())


def _ensure_chromium() -> None:
    """The browser tests drive Debian's chromium; install it when missing and we may."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        _sh("apt-get", "update", "-q", env=env)
        _sh("apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium", env=env)
    else:
        print("chromium is not installed and cannot be installed here: browser tests will be skipped.")


def run() -> None:
    _install(dev=False)
    port = os.environ.get("DASH40_PORT", "8501")
    os.environ.setdefault("DASH40_DATA_DIR", str(ROOT / "data"))
    print(f"dash40 dashboard: http://localhost:{port}  (data in {os.environ['DASH40_DATA_DIR']})", flush=True)
    os.execv(
        str(PY),
        [str(PY), "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "localhost", "--server.port", port, "--browser.gatherUsageStats", "false",
         "--client.toolbarMode", "minimal"],
    )


def test() -> None:
    _install(dev=True)
    _ensure_chromium()
    _sh(PY, "-m", "ruff", "check", ".")
    _sh(PY, "-m", "pytest", "-q", "-n", os.environ.get("DASH40_TEST_WORKERS", "2"), "--dist", "loadgroup", *sys.argv[2:])


if __name__ == "__main__":
    cmds = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]]()
