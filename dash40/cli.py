"""Command line: ``dash40 analyze`` and ``dash40 fit``.

Every error that dash40 raises on purpose is printed as one sentence and exits with code 2.
"""

from __future__ import annotations

import argparse
import sys

from .errors import Dash40Error


def _build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dash40", description="Sprint-start and 40-yard-dash timing from a phone clip.")
    sub = p.add_subparsers(dest="command", required=True)
    import importlib

    for name in ("analyze_command", "fit_command"):
        try:
            mod = importlib.import_module(f".{name}", __package__)
        except ModuleNotFoundError as exc:  # a command module still being written
            if exc.name != f"{__package__}.{name}":
                raise
            continue
        mod.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except Dash40Error as exc:
        print(f"dash40: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dash40: interrupted; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
