"""The engine's typed input: mentors, families, active matches, weights, the problem.

Everything here is a frozen dataclass with slots. Constructors check types and
ranges and raise `ProblemError` with one line naming the object and the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from types import MappingProxyType
from typing import Any, Literal, get_args

from matching.errors import ProblemError

Kind = Literal["volunteer", "role_model"]
SlotName = Literal["mentor", "role_model"]

KINDS: tuple[Kind, ...] = get_args(Kind)
SLOTS: tuple[SlotName, ...] = get_args(SlotName)
# A volunteer fills a family's mentor slot; a former participant its role model slot.
SLOT_OF_KIND: Mapping[str, SlotName] = MappingProxyType(
    {"volunteer": "mentor", "role_model": "role_model"}
)
KIND_OF_SLOT: Mapping[str, Kind] = MappingProxyType(
    {"mentor": "volunteer", "role_model": "role_model"}
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_id(owner: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{owner}: id must be a non-empty string, got {value!r}")


def _check_count(owner: str, name: str, value: object) -> None:
    if not _is_int(value) or value < 0:  # type: ignore[operator]
        raise ProblemError(f"{owner}: {name} must be a non-negative integer, got {value!r}")


def _strings(owner: str, name: str, value: object) -> frozenset[str]:
    """Accept any iterable of strings (not a bare string) and return it as a frozenset."""
    if isinstance(value, frozenset) and all(isinstance(v, str) for v in value):
        return value
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ProblemError(f"{owner}: {name} must be a list of strings, got {value!r}")
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise ProblemError(f"{owner}: {name} must be a list of strings, got {items!r}")
    return frozenset(items)


def _coerce_sets(obj: Any, owner: str, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(obj, name)
        coerced = _strings(owner, name, value)
        if coerced is not value:
            object.__setattr__(obj, name, coerced)


@dataclass(frozen=True, slots=True)
class Mentor:
    """A vetted mentor: a volunteer, or a former participant who is a role model.

    `capacity` is the total number of families the mentor takes on; active
    matches use part of it. `conflicts` are ids of families the mentor knows.
    """

    id: str
    kind: Kind
    capacity: int
    home_district: str
    travel_districts: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    gender: str | None = None
    domestic_abuse_trained: bool = False
    conflicts: frozenset[str] = frozenset()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Fast pickling (for worker processes): field values, restored without re-checking.
        return (_restore, (type(self), _FIELD_VALUES[type(self)](self)))

    def __post_init__(self) -> None:
        _check_id("mentor", self.id)
        owner = f"mentor {self.id!r}"
        if self.kind not in KINDS:
            raise ProblemError(f"{owner}: kind must be one of {list(KINDS)}, got {self.kind!r}")
        _check_count(owner, "capacity", self.capacity)
        if not isinstance(self.home_district, str) or not self.home_district:
            raise ProblemError(f"{owner}: home_district must be a non-empty string")
        if self.gender is not None and not isinstance(self.gender, str):
            raise ProblemError(f"{owner}: gender must be a string or null, got {self.gender!r}")
        if not isinstance(self.domestic_abuse_trained, bool):
            raise ProblemError(f"{owner}: domestic_abuse_trained must be true or false")
        _coerce_sets(
            self,
            owner,
            ("travel_districts", "skills", "languages", "availability", "conflicts"),
        )


@dataclass(frozen=True, slots=True)
class Preference:
    """A family's stated preference: a requirement (hard rule) or a wish (scored)."""

    value: str
    required: bool

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Fast pickling (for worker processes): field values, restored without re-checking.
        return (_restore, (type(self), _FIELD_VALUES[type(self)](self)))

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not self.value:
            raise ProblemError(f"preference: value must be a non-empty string, got {self.value!r}")
        if not isinstance(self.required, bool):
            raise ProblemError(f"preference {self.value!r}: required must be true or false")


@dataclass(frozen=True, slots=True)
class Family:
    """A family ready for matching.

    `needs_mentor` False means its mentor slot is already filled (or not wanted);
    `wants_role_model` asks for a role model in a separate slot. `history` is
    free text carried into the family's explanation. `conflicts` are ids of
    mentors the family declared it knows.
    """

    id: str
    district: str
    needs: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    tranche: int = 3
    waiting_days: int = 0
    criteria_met: int = 0
    domestic_abuse: bool = False
    wants_role_model: bool = False
    needs_mentor: bool = True
    gender_preference: Preference | None = None
    language_preference: Preference | None = None
    conflicts: frozenset[str] = frozenset()
    history: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Fast pickling (for worker processes): field values, restored without re-checking.
        return (_restore, (type(self), _FIELD_VALUES[type(self)](self)))

    def __post_init__(self) -> None:
        _check_id("family", self.id)
        owner = f"family {self.id!r}"
        if not isinstance(self.district, str) or not self.district:
            raise ProblemError(f"{owner}: district must be a non-empty string")
        if not _is_int(self.tranche) or not 1 <= self.tranche <= 3:
            raise ProblemError(f"{owner}: tranche must be 1, 2 or 3, got {self.tranche!r}")
        _check_count(owner, "waiting_days", self.waiting_days)
        _check_count(owner, "criteria_met", self.criteria_met)
        for name in ("domestic_abuse", "wants_role_model", "needs_mentor"):
            if not isinstance(getattr(self, name), bool):
                raise ProblemError(f"{owner}: {name} must be true or false")
        for name in ("gender_preference", "language_preference"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Preference):
                raise ProblemError(f"{owner}: {name} must be a Preference or null")
        _coerce_sets(self, owner, ("needs", "languages", "availability", "conflicts"))
        if isinstance(self.history, str) or not isinstance(self.history, Iterable):
            raise ProblemError(f"{owner}: history must be a list of strings")
        history = tuple(self.history)
        if not all(isinstance(h, str) for h in history):
            raise ProblemError(f"{owner}: history must be a list of strings")
        if history is not self.history:
            object.__setattr__(self, "history", history)


@dataclass(frozen=True, slots=True)
class ActiveMatch:
    """A match already running: kept as it is, using the mentor's capacity and the slot."""

    mentor: str
    family: str
    slot: SlotName

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Fast pickling (for worker processes): field values, restored without re-checking.
        return (_restore, (type(self), _FIELD_VALUES[type(self)](self)))

    def __post_init__(self) -> None:
        for name in ("mentor", "family"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ProblemError(f"active match: {name} must be a non-empty string")
        if self.slot not in SLOTS:
            raise ProblemError(
                f"active match {self.mentor!r}-{self.family!r}: slot must be one of "
                f"{list(SLOTS)}, got {self.slot!r}"
            )


_FIELD_VALUES: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    cls: attrgetter(*(f.name for f in dataclasses.fields(cls)))
    for cls in (Mentor, Preference, Family, ActiveMatch)
}
_FIELD_NAMES: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls))
    for cls in (Mentor, Preference, Family, ActiveMatch)
}


def _restore(cls: type, values: tuple[Any, ...]) -> Any:
    """Unpickle an object checked when it was made: set its fields, skip the checks."""
    obj: Any = object.__new__(cls)
    for name, value in zip(_FIELD_NAMES[cls], values, strict=True):
        object.__setattr__(obj, name, value)
    return obj


# The score terms, in the order explanations list them.
SCORE_TERMS: tuple[str, ...] = (
    "need_covered",
    "shared_language",
    "same_district",
    "neighbouring_district",
    "other_travel_district",
    "availability_overlap",
    "gender_wish",
    "language_wish",
)


@dataclass(frozen=True, slots=True)
class Weights:
    """Integer weights of the scores and the priority, all configurable.

    Scores (per eligible pair):
      need_covered          per family need that the mentor has a skill in
      shared_language       the family and the mentor share a language
      same_district         the mentor lives in the family's district
      neighbouring_district the mentor travels to it and it neighbours their home
      other_travel_district the mentor travels to it, not a neighbour of home
      availability_overlap  per availability period both share, at most
      availability_cap      periods
      gender_wish           the mentor's gender is the family's wish (not a requirement)
      language_wish         the mentor speaks the language the family wishes for
    Priority (per family slot; the defaults make it lexicographic: tranche 3
    first, then weeks waited, then criteria met):
      base_priority + tranche_3 (if tranche 3)
      + waiting_week * min(waiting_days // 7, max_waiting_weeks)
      + criterion * min(criteria_met, max_criteria)
    balance: weight of the convex penalty balance * load**2 on each mentor's
      load; it is the third objective, so any positive value gives the same
      plan (0 turns balancing off).
    """

    need_covered: int = 10
    shared_language: int = 6
    same_district: int = 8
    neighbouring_district: int = 4
    other_travel_district: int = 0
    availability_overlap: int = 2
    availability_cap: int = 3
    gender_wish: int = 5
    language_wish: int = 5
    base_priority: int = 1
    tranche_3: int = 400
    waiting_week: int = 7
    max_waiting_weeks: int = 52
    criterion: int = 1
    max_criteria: int = 6
    balance: int = 1

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not _is_int(value) or value < 0:
                raise ProblemError(
                    f"weights: {f.name} must be a non-negative integer, got {value!r}"
                )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Weights:
        """Build weights from a mapping; unknown keys and negative values are refused."""
        if not isinstance(data, Mapping):
            raise ProblemError(f"weights must be an object, got {type(data).__name__}")
        known = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in known:
                raise ProblemError(f"weights: unknown weight {key!r} (known: {', '.join(known)})")
        return cls(**dict(data))

    def to_dict(self) -> dict[str, int]:
        """Every weight by name."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def weights_to_dict(weights: Weights) -> dict[str, int]:
    """Every weight by name (for storing a run's settings)."""
    return weights.to_dict()


@dataclass(frozen=True, slots=True)
class Problem:
    """Mentors, families and weights; `neighbours` maps a district to its neighbours.

    `active` are matches already running: they stay, use their mentor's capacity
    and fill their family's slot. Neighbourhood is taken as symmetric.
    """

    mentors: tuple[Mentor, ...]
    families: tuple[Family, ...]
    weights: Weights = Weights()
    neighbours: Mapping[str, frozenset[str]] = field(default_factory=dict)
    active: tuple[ActiveMatch, ...] = ()

    def __post_init__(self) -> None:
        for name, cls in (("mentors", Mentor), ("families", Family), ("active", ActiveMatch)):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise ProblemError(f"problem: {name} must be a list")
            items = tuple(value)
            for item in items:
                if not isinstance(item, cls):
                    raise ProblemError(f"problem: {name} must hold {cls.__name__} objects")
            if items is not value:
                object.__setattr__(self, name, items)
        if not isinstance(self.weights, Weights):
            raise ProblemError("problem: weights must be a Weights object")
        if not isinstance(self.neighbours, Mapping):
            raise ProblemError("problem: neighbours must map a district to its neighbours")
        neighbours = {}
        for district, near in self.neighbours.items():
            if not isinstance(district, str):
                raise ProblemError("problem: neighbours keys must be district names")
            neighbours[district] = _strings(f"neighbours of {district!r}", "value", near)
        object.__setattr__(self, "neighbours", neighbours)


def validate_problem(problem: Problem) -> None:
    """Check what one object cannot: unique ids and the active matches' references."""
    _unique("mentor", (m.id for m in problem.mentors))
    _unique("family", (f.id for f in problem.families))
    mentors = {m.id: m for m in problem.mentors}
    families = {f.id for f in problem.families}
    seen: set[tuple[str, str]] = set()
    for a in problem.active:
        if a.mentor not in mentors:
            raise ProblemError(f"active match: unknown mentor {a.mentor!r}")
        if a.family not in families:
            raise ProblemError(f"active match: unknown family {a.family!r}")
        kind = mentors[a.mentor].kind
        if SLOT_OF_KIND[kind] != a.slot:
            raise ProblemError(
                f"active match {a.mentor!r}-{a.family!r}: a {kind.replace('_', ' ')} "
                f"cannot fill the {a.slot.replace('_', ' ')} slot"
            )
        if (a.family, a.slot) in seen:
            raise ProblemError(
                f"active match: family {a.family!r} has two active matches "
                f"in its {a.slot.replace('_', ' ')} slot"
            )
        seen.add((a.family, a.slot))


def _unique(what: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ProblemError(f"duplicate {what} id {i!r}")
        seen.add(i)
