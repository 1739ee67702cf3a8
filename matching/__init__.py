"""Mentor Match's matching engine: pure Python and OR-Tools, no Flask, no database.

    from matching import Problem, Mentor, Family, Weights, solve
    solution = solve(Problem(mentors, families, Weights()))

Policy (`matching.policy`) decides which pairs are allowed and scores them;
the optimiser (`matching.optimiser`) finds the lexicographically best plan
(priority covered, then score, then balanced workload) and proves it optimal.
The format and the method are documented in docs/matching.md.
"""

from matching.arrays import (
    ScoredPair,
    eligible_pairs,
)
from matching.errors import ProblemError, SolverError
from matching.explain import Reading, read_explanation
from matching.graph import Graph, GraphMentor, GraphPair, GraphSlot, build_graph
from matching.jsonform import load_problem, problem_to_json
from matching.model import (
    SCORE_TERMS,
    ActiveMatch,
    Family,
    Kind,
    Mentor,
    Preference,
    Problem,
    SlotName,
    Weights,
    validate_problem,
    weights_to_dict,
)
from matching.policy import (
    priority,
    rule_failures,
    score_breakdown,
    symmetric_neighbours,
)
from matching.solver import Assignment, Solution, Unmatched, solve

__all__ = [
    "Reading",
    "read_explanation",
    "SCORE_TERMS",
    "ActiveMatch",
    "Assignment",
    "Family",
    "Graph",
    "GraphMentor",
    "GraphPair",
    "GraphSlot",
    "Kind",
    "Mentor",
    "Preference",
    "Problem",
    "ProblemError",
    "ScoredPair",
    "SlotName",
    "Solution",
    "SolverError",
    "Unmatched",
    "Weights",
    "build_graph",
    "eligible_pairs",
    "load_problem",
    "priority",
    "problem_to_json",
    "rule_failures",
    "symmetric_neighbours",
    "score_breakdown",
    "solve",
    "validate_problem",
    "weights_to_dict",
]
