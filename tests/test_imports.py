"""Every domain module imports on its own, first in a fresh interpreter, as the command line, the system tests'
workers and the lifespan tasks import them: an import cycle that one order hides breaks another entry point
(a polling worker importing `core.polling` first once met `core.pipeline` half-initialised)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    f"citymes_app.core.{path.stem}" for path in (ROOT / "citymes_app" / "core").glob("*.py") if path.stem != "__init__"
) + ["citymes_app.cli", "citymes_app.runtime", "tests.system.poller"]


def _import_alone(module: str) -> str:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return "" if done.returncode == 0 else f"{module}:\n{done.stderr.strip().splitlines()[-1]}"


def test_each_domain_module_imports_first_in_a_fresh_interpreter() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [failure for failure in pool.map(_import_alone, MODULES) if failure]
    assert not failures, "\n".join(failures)
