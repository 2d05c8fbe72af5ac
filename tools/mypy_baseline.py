"""Type checking against a recorded baseline: ``make typecheck``.

mypy's errors are compared with ``typecheck-baseline.txt``, the errors the
code had when type checking began. The baseline may only shrink:

- an error that is not in the baseline fails the check (fix it);
- an error in the baseline that mypy no longer reports fails the check too
  (remove it: ``make typecheck-baseline`` rewrites the file), so that a fixed
  error cannot come back unnoticed.

An entry is mypy's error code and message, and how many times it occurs.
Files and line numbers are left out, so that editing, splitting or moving
a module (to another app too) does not touch the baseline; ``make
typecheck`` prints the new errors with their place.

Not for: deciding what is an error (mypy's configuration in pyproject.toml).
"""

from __future__ import annotations

import argparse
import re
import subprocess  # nosec B404: runs mypy of this virtualenv, no shell
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "typecheck-baseline.txt"
HEADER = (
    "# mypy errors the code had when type checking began. This file may only shrink:\n"
    "# fix an error, then run `make typecheck-baseline`. Format: count<TAB>[code] message\n"
)

ERROR = re.compile(r"^(?P<path>[^:\s]+\.pyi?):\d+(?::\d+)?: error: (?P<message>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")


# Line numbers inside a message ("already defined on line 148") move with every edit.
LINE_IN_MESSAGE = re.compile(r"\bline \d+")


def entry(line: str) -> str | None:
    """An error line of mypy's output as ``[code] message``; None for other lines."""
    match = ERROR.match(line.strip())
    if match is None:
        return None
    message = LINE_IN_MESSAGE.sub("line N", match["message"])
    return f"[{match['code'] or 'misc'}] {message}"


def entries(output: str) -> Counter[str]:
    """The errors of mypy's output, counted."""
    return Counter(key for key in map(entry, output.splitlines()) if key is not None)


def read_baseline(path: Path = BASELINE) -> Counter[str]:
    recorded: Counter[str] = Counter()
    if not path.exists():
        return recorded
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        count, entry = line.split("\t", 1)
        recorded[entry] += int(count)
    return recorded


def write_baseline(found: Counter[str], path: Path = BASELINE) -> None:
    lines = [f"{count}\t{entry}\n" for entry, count in sorted(found.items())]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")


def compare(found: Counter[str], recorded: Counter[str]) -> tuple[Counter[str], Counter[str]]:
    """(new errors, fixed errors still in the baseline)."""
    return found - recorded, recorded - found


def run_mypy() -> tuple[int, str]:
    completed = subprocess.run(  # nosec B603: a fixed argument list
        [sys.executable, "-m", "mypy", "--no-color-output", "--no-error-summary", "--show-error-codes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode not in (0, 1):
        # 2: mypy could not check at all (a syntax error, a bad configuration).
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(completed.returncode)
    return completed.returncode, completed.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the baseline with today's errors")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--output", type=Path, help="read mypy's output from this file instead of running mypy")
    args = parser.parse_args(argv)

    output = args.output.read_text(encoding="utf-8") if args.output else run_mypy()[1]
    found = entries(output)
    if args.update:
        write_baseline(found, args.baseline)
        print(f"typecheck: baseline rewritten, {sum(found.values())} errors recorded in {args.baseline.name}")
        return 0

    recorded = read_baseline(args.baseline)
    new, fixed = compare(found, recorded)
    if new:
        print("typecheck: new mypy errors (fix them; the baseline may only shrink):")
        for line in output.splitlines():
            if entry(line) in new:
                print(f"  {line.strip()}")
    if fixed:
        print(f"typecheck: fixed errors are still in {args.baseline.name}; run `make typecheck-baseline`:")
        for key, count in sorted(fixed.items()):
            print(f"  {count}x {key}")
    if new or fixed:
        return 1
    print(f"typecheck: {sum(found.values())} errors, all in the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
