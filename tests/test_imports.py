"""Every domain module imports on its own, first, as the command line, the system tests' workers and the lifespan
tasks import them: an import cycle that one order hides breaks another entry point (a polling worker importing
`core.polling` first once met `core.pipeline` half-initialised).

One fresh interpreter imports each module in turn after forgetting the project's modules (the libraries stay loaded,
and so do the table definitions of `citymes_app.models`, which SQLAlchemy allows once per process): each import starts
from that module, as it would in a process of its own, at a fraction of the cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    f"citymes_app.core.{path.stem}" for path in (ROOT / "citymes_app" / "core").glob("*.py") if path.stem != "__init__"
) + ["citymes_app.runtime", "tests.system.poller"]
KEPT = ("citymes_app.models",)

IMPORT_EACH_FIRST = """
import importlib, sys, traceback
failures = []
for module in sys.argv[1:]:
    for name in [n for n in sys.modules if n.split(".")[0] in ("citymes_app", "integrations", "tests") and n not in KEPT]:
        del sys.modules[name]
    try:
        importlib.import_module(module)
    except Exception as exc:
        failures.append(f"{module}: {traceback.format_exception_only(exc)[-1].strip()}")
print("\\n".join(failures))
"""


def test_each_domain_module_imports_first_in_a_fresh_interpreter() -> None:
    script = f"KEPT = {KEPT!r}\n" + IMPORT_EACH_FIRST
    done = subprocess.run([sys.executable, "-c", script, *MODULES], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not done.stdout.strip(), done.stdout
