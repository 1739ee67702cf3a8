"""The engine's two errors: bad input, and a solver that could not finish."""

from __future__ import annotations


class ProblemError(ValueError):
    """The input is not a valid problem; the message is one line naming what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self.args[0])


class SolverError(RuntimeError):
    """The optimiser could not prove an optimum (a limit of the solver, not of the input)."""
