"""Command line: `python -m matching solve PROBLEM.json` prints the solution as JSON;
`python -m matching recruit PROBLEM.json --budget K [--capacity C]` the recruitment plan.

Bad input exits with status 2 and one line `error: ...` on standard error;
a solver failure exits with status 1. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn

from matching.errors import ProblemError, SolverError
from matching.graph import Graph
from matching.jsonform import load_problem
from matching.recruit import DEFAULT_CAPACITY, MAX_BUDGET, MAX_CAPACITY, check_limits, plan
from matching.solver import solve


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m matching", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("solve", help="solve a problem and print the solution as JSON")
    run.add_argument("problem", help="the problem as JSON (attribute or replay form); - for stdin")
    run.add_argument("--workers", type=int, default=1, help="processes for independent parts")
    run.add_argument("--time-limit", type=float, default=None, help="seconds")
    run.add_argument("--compact", action="store_true", help="one line of JSON, no indent")
    run.add_argument("--no-timings", action="store_true", help="leave out the timings")
    rec = commands.add_parser("recruit", help="propose mentors to recruit and to train, as JSON")
    rec.add_argument("problem", help="the problem as JSON (attribute form); - for stdin")
    rec.add_argument("--budget", type=int, required=True, help=f"recruits, 0 to {MAX_BUDGET}")
    rec.add_argument(
        "--capacity",
        type=int,
        default=DEFAULT_CAPACITY,
        help=f"most families a recruit takes, 1 to {MAX_CAPACITY} (default {DEFAULT_CAPACITY})",
    )
    rec.add_argument("--compact", action="store_true", help="one line of JSON, no indent")
    return parser


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "recruit":
        try:
            check_limits(args.budget, args.capacity)
        except ProblemError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    name = "standard input" if args.problem == "-" else args.problem
    try:
        text = _read(args.problem)
    except (OSError, UnicodeDecodeError) as exc:
        print(
            f"error: cannot read {name}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr
        )
        return 2
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        print(
            f"error: {name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            file=sys.stderr,
        )
        return 2
    except RecursionError:
        print(f"error: {name} is not valid JSON: nested too deeply", file=sys.stderr)
        return 2
    try:
        problem = load_problem(data)
        if args.command == "recruit":
            if isinstance(problem, Graph):
                raise ProblemError(
                    f"{name} is in the replay form (pairs); recruit needs the attribute form"
                )
            out = plan(problem, budget=args.budget, capacity=args.capacity).to_json()
        else:
            solution = solve(problem, time_limit=args.time_limit, workers=max(1, args.workers))
            out = solution.to_json(timings=not args.no_timings)
    except ProblemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SolverError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the command line never shows a traceback
        print(
            f"error: internal error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr
        )
        return 1
    json.dump(out, sys.stdout, indent=None if args.compact else 2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
