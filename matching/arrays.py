"""The rules of `matching.policy` applied to every candidate pair at once, with numpy.

A district's families against the mentors serving it: rules and scores as matrices,
so a national problem is built without a Python loop per pair. `eligible_pairs` lists
the result as plain records (tests compare it with the scalar rules).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.model import (
    KINDS,
    SCORE_TERMS,
    SLOTS,
    Family,
    Mentor,
    Problem,
    SlotName,
    Weights,
    validate_problem,
)
from matching.policy import (
    CONFLICT_FAIL,
    DA_FAIL,
    ELIGIBLE,
    GENDER_FAIL,
    I8,
    I32,
    I64,
    LANGUAGE_FAIL,
    SERVING,
    U64,
    Bools,
    _priorities,
    active_state,
    open_slots,
    symmetric_neighbours,
)

# --- Vectorised build ------------------------------------------------------------------


def _popcount(x: U64) -> I64:
    counter = getattr(np, "bitwise_count", None)
    if counter is not None:
        return np.asarray(counter(x), dtype=np.int64)
    as_bytes = x.view(np.uint8).reshape(*x.shape, 8)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    return np.asarray(table[as_bytes].sum(axis=-1), dtype=np.int64)


class _Interner:
    """Strings to bit positions."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self._seen: set[frozenset[str]] = set()

    def add(self, values: frozenset[str]) -> None:
        if values in self._seen:
            return
        self._seen.add(values)
        for v in sorted(values):
            if v not in self.index:
                self.index[v] = len(self.index)

    def words(self) -> int:
        return max(1, (len(self.index) + 63) // 64)

    def masks(self, sets: Sequence[frozenset[str]]) -> U64:
        """One row of 64-bit words per set."""
        w = self.words()
        index = self.index
        memo: dict[frozenset[str], int] = {}
        ints = []
        for s in sets:
            value = memo.get(s)
            if value is None:
                value = memo[s] = sum(1 << index[v] for v in s)
            ints.append(value)
        out = np.zeros((len(sets), w), dtype=np.uint64)
        low = (1 << 64) - 1
        for word in range(w):
            out[:, word] = np.fromiter(
                ((i >> (64 * word)) & low for i in ints), dtype=np.uint64, count=len(ints)
            )
        return out

    def bit(self, value: str | None) -> int:
        return -1 if value is None else self.index[value]


def _has_bit(masks: U64, rows: I32 | I64, bits: I64) -> Bools:
    """For each i: is bit bits[i] set in masks[rows[i]] (bits >= 0)?"""
    word = bits >> 6
    shift = (bits & 63).astype(np.uint64)
    values = masks[rows, word]
    return np.asarray(((values >> shift) & np.uint64(1)) == 1, dtype=np.bool_)


@dataclass(eq=False)
class _Attributes:
    """Mentor and family attributes as arrays, for the vectorised rules and scores."""

    m_da: Bools
    m_gender: I64
    m_skills: U64
    m_langs: U64
    m_avail: U64
    f_da: Bools
    f_needs: U64
    f_langs: U64
    f_avail: U64
    f_req_gender: I64
    f_wish_gender: I64
    f_req_lang: I64
    f_wish_lang: I64


@dataclass(eq=False)
class PolicyArrays:
    """Every slot and every eligible pair of a problem (or a part of one), as arrays.

    Mentors and families are sorted by id; slots by family then slot; pairs by
    slot then mentor. `counts[s]` holds the rule counts of slot s (see SERVING ...).
    """

    mentors: tuple[Mentor, ...]
    families: tuple[Family, ...]
    weights: Weights
    neighbours: Mapping[str, frozenset[str]]
    mentor_capacity: I64
    mentor_load: I64
    family_priority: I64
    slot_family: I32
    slot_kind: I8
    slot_priority: I64
    pair_slot: I32
    pair_mentor: I32
    pair_score: I64
    pair_relation: I8
    counts: I32
    attributes: _Attributes = field(repr=False)

    def terms(self) -> dict[str, I64]:
        """The score of every pair by term (recomputed; the score is their sum)."""
        cf = self.slot_family[self.pair_slot]
        return _score_terms(self.attributes, self.weights, cf, self.pair_mentor, self.pair_relation)


def _score_terms(a: _Attributes, w: Weights, cf: I32, cm: I32, rel: I8) -> dict[str, I64]:
    needs = _popcount(a.f_needs[cf] & a.m_skills[cm]).sum(axis=1)
    shared = (a.f_langs[cf] & a.m_langs[cm]).any(axis=1)
    overlap = _popcount(a.f_avail[cf] & a.m_avail[cm]).sum(axis=1)
    wish_g = a.f_wish_gender[cf]
    gender_ok = (wish_g >= 0) & (a.m_gender[cm] == wish_g)
    wish_l = a.f_wish_lang[cf]
    lang_ok = np.zeros(cf.shape[0], dtype=np.bool_)
    has = wish_l >= 0
    if has.any():
        lang_ok[has] = _has_bit(a.m_langs, cm[has], wish_l[has])
    district = np.array(
        [w.same_district, w.neighbouring_district, w.other_travel_district], dtype=np.int64
    )
    rel64 = rel.astype(np.int64)
    return {
        "need_covered": needs * w.need_covered,
        "shared_language": shared.astype(np.int64) * w.shared_language,
        "same_district": np.where(rel64 == 0, district[0], 0).astype(np.int64),
        "neighbouring_district": np.where(rel64 == 1, district[1], 0).astype(np.int64),
        "other_travel_district": np.where(rel64 == 2, district[2], 0).astype(np.int64),
        "availability_overlap": np.minimum(overlap, w.availability_cap) * w.availability_overlap,
        "gender_wish": gender_ok.astype(np.int64) * w.gender_wish,
        "language_wish": lang_ok.astype(np.int64) * w.language_wish,
    }


_BLOCK_CELLS = 2_000_000


def _bits(masks: U64, mentors: I64, bits: I64) -> Bools:
    """Matrix [family, mentor]: is bit bits[family] (>= 0) set in the mentor's mask?"""
    word = bits >> 6
    shift = (bits & 63).astype(np.uint64)
    values = masks[mentors].T[word]  # (families, mentors)
    return np.asarray(((values >> shift[:, None]) & np.uint64(1)) == 1, dtype=np.bool_)


def _count_bits(x: U64) -> npt.NDArray[np.integer[Any]]:
    """Bits set per word, in a small integer type (at most 64)."""
    counter = getattr(np, "bitwise_count", None)
    if counter is not None:
        return np.asarray(counter(x))
    return _popcount(x)


def _overlap(a: U64, b: U64, dtype: type[np.signedinteger[Any]]) -> npt.NDArray[Any]:
    """Matrix [row of a, row of b]: the number of bits both masks set."""
    total = _count_bits(a[:, 0][:, None] & b[:, 0][None, :]).astype(dtype)
    for w in range(1, a.shape[1]):
        total += _count_bits(a[:, w][:, None] & b[:, w][None, :]).astype(dtype)
    return total


def _intersects(a: U64, b: U64) -> Bools:
    """Matrix [row of a, row of b]: do the masks share a bit?"""
    out = (a[:, 0][:, None] & b[:, 0][None, :]) != 0
    for w in range(1, a.shape[1]):
        out |= (a[:, w][:, None] & b[:, w][None, :]) != 0
    return np.asarray(out, dtype=np.bool_)


def _score_dtype(w: Weights, need_bits: int, avail_bits: int) -> type[np.signedinteger[Any]]:
    """The smallest integer type that holds any score under these weights."""
    top = (
        w.need_covered * need_bits
        + w.shared_language
        + max(w.same_district, w.neighbouring_district, w.other_travel_district)
        + w.availability_overlap * min(avail_bits, w.availability_cap)
        + w.gender_wish
        + w.language_wish
    )
    for dtype in (np.int16, np.int32):
        if top <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def _block(
    a: _Attributes,
    w: Weights,
    fam: I64,
    mentors: I64,
    rel: I8,
    conflict: Bools,
    dtype: type[np.signedinteger[Any]] = np.int64,
) -> tuple[Bools, npt.NDArray[Any], tuple[I64, I64, I64, I64]]:
    """Rules and scores of families x mentors: (eligible, score, failures per rule per row).

    Scores are of `dtype` (see `_score_dtype`); a preference is looked at only in the
    rows of families that state one.
    """
    shape = (fam.shape[0], mentors.shape[0])
    fail_da = a.f_da[fam][:, None] & ~a.m_da[mentors][None, :]
    m_gender = a.m_gender[mentors]
    req_g = a.f_req_gender[fam]
    fail_g = np.zeros(shape, dtype=np.bool_)
    rows = np.flatnonzero(req_g >= 0)
    if rows.size:
        fail_g[rows] = m_gender[None, :] != req_g[rows][:, None]
    req_l = a.f_req_lang[fam]
    fail_l = np.zeros(shape, dtype=np.bool_)
    rows = np.flatnonzero(req_l >= 0)
    if rows.size:
        fail_l[rows] = ~_bits(a.m_langs, mentors, req_l[rows])
    elig = ~(fail_da | fail_g | fail_l | conflict)
    zero = dtype(0)
    score = _overlap(a.f_needs[fam], a.m_skills[mentors], dtype)
    if w.need_covered != 1:
        score *= dtype(w.need_covered)
    if w.shared_language:
        shared = _intersects(a.f_langs[fam], a.m_langs[mentors])
        score += np.where(shared, dtype(w.shared_language), zero)
    district = np.array(
        [w.same_district, w.neighbouring_district, w.other_travel_district], dtype=dtype
    )
    score += district[rel.astype(np.intp)][None, :]
    if w.availability_overlap:
        overlap = _overlap(a.f_avail[fam], a.m_avail[mentors], dtype)
        np.minimum(overlap, dtype(w.availability_cap), out=overlap)
        if w.availability_overlap != 1:
            overlap *= dtype(w.availability_overlap)
        score += overlap
    wish_g = a.f_wish_gender[fam]
    rows = np.flatnonzero(wish_g >= 0)
    if rows.size and w.gender_wish:
        met = m_gender[None, :] == wish_g[rows][:, None]
        score[rows] += np.where(met, dtype(w.gender_wish), zero)
    wish_l = a.f_wish_lang[fam]
    rows = np.flatnonzero(wish_l >= 0)
    if rows.size and w.language_wish:
        met = _bits(a.m_langs, mentors, wish_l[rows])
        score[rows] += np.where(met, dtype(w.language_wish), zero)
    fails = (
        np.count_nonzero(fail_da, axis=1).astype(np.int64),
        np.count_nonzero(fail_g, axis=1).astype(np.int64),
        np.count_nonzero(fail_l, axis=1).astype(np.int64),
        np.count_nonzero(conflict, axis=1).astype(np.int64),
    )
    return elig, score, fails


def build_arrays(
    mentors: Sequence[Mentor],
    families: Sequence[Family],
    weights: Weights,
    neighbours: Mapping[str, frozenset[str]],
    *,
    load: Mapping[str, int] | None = None,
    filled: Mapping[str, frozenset[str]] | None = None,
) -> PolicyArrays:
    """Apply the rules and scores to every candidate pair (vectorised).

    `neighbours` must be symmetric. `load` counts each mentor's active matches
    (they use capacity); `filled` names the slots of each family that an active
    match already fills (they are not refilled).
    """
    load = load or {}
    filled = filled or {}
    ms = tuple(sorted(mentors, key=lambda m: m.id))
    fs = tuple(sorted(families, key=lambda f: f.id))
    n_m, n_f = len(ms), len(fs)
    m_index = {m.id: i for i, m in enumerate(ms)}
    f_index = {f.id: i for i, f in enumerate(fs)}

    # Data: interned attributes (one pass over the families, one over the mentors).
    needs = _Interner()
    langs = _Interner()
    avail = _Interner()
    genders: dict[str | None, int] = {None: -1}
    m_rows = []
    for m in ms:
        needs.add(m.skills)
        langs.add(m.languages)
        avail.add(m.availability)
        if m.gender not in genders:
            genders[m.gender] = len(genders) - 1
        m_rows.append((m.domestic_abuse_trained, genders[m.gender], m.capacity, load.get(m.id, 0)))
    f_rows = []
    lang_values: list[tuple[str | None, str | None]] = []
    for f in fs:
        needs.add(f.needs)
        langs.add(f.languages)
        avail.add(f.availability)
        gp, lp = f.gender_preference, f.language_preference
        req_g = wish_g = -1
        if gp is not None:
            if gp.value not in genders:
                genders[gp.value] = len(genders) - 1
            if gp.required:
                req_g = genders[gp.value]
            else:
                wish_g = genders[gp.value]
        req_l = wish_l = None
        if lp is not None:
            langs.add(frozenset([lp.value]))
            if lp.required:
                req_l = lp.value
            else:
                wish_l = lp.value
        lang_values.append((req_l, wish_l))
        f_rows.append((f.domestic_abuse, req_g, wish_g))
    m_arr = np.array(m_rows, dtype=np.int64).reshape(n_m, 4)
    f_arr = np.array(f_rows, dtype=np.int64).reshape(n_f, 3)
    lang_bits = np.array(
        [(langs.bit(r), langs.bit(w)) for r, w in lang_values], dtype=np.int64
    ).reshape(n_f, 2)
    attrs = _Attributes(
        m_da=m_arr[:, 0].astype(np.bool_),
        m_gender=m_arr[:, 1].copy(),
        m_skills=needs.masks([m.skills for m in ms]),
        m_langs=langs.masks([m.languages for m in ms]),
        m_avail=avail.masks([m.availability for m in ms]),
        f_da=f_arr[:, 0].astype(np.bool_),
        f_needs=needs.masks([f.needs for f in fs]),
        f_langs=langs.masks([f.languages for f in fs]),
        f_avail=avail.masks([f.availability for f in fs]),
        f_req_gender=f_arr[:, 1].copy(),
        f_wish_gender=f_arr[:, 2].copy(),
        f_req_lang=lang_bits[:, 0].copy(),
        f_wish_lang=lang_bits[:, 1].copy(),
    )
    mentor_load = m_arr[:, 3].copy()
    mentor_capacity = np.maximum(m_arr[:, 2] - mentor_load, 0)

    # Who serves what: (district, kind) -> mentors (in id order) and how they serve it.
    serving: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, m in enumerate(ms):
        k = KINDS.index(m.kind)
        near = neighbours.get(m.home_district, frozenset())
        entry = serving[(m.home_district, k)]
        entry[0].append(i)
        entry[1].append(0)
        for d in sorted(m.travel_districts - {m.home_district}):
            entry = serving[(d, k)]
            entry[0].append(i)
            entry[1].append(1 if d in near else 2)

    # Slots: a family's open mentor slot, then its open role model slot.
    slot_family: list[int] = []
    slot_kind: list[int] = []
    slot_priority: list[int] = []
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    fam_priority = _priorities(fs, weights)
    for fi, (f, p) in enumerate(zip(fs, fam_priority.tolist(), strict=True)):
        for slot in open_slots(f, filled):
            k = SLOTS.index(slot)
            groups[(f.district, k)].append(len(slot_family))
            slot_family.append(fi)
            slot_kind.append(k)
            slot_priority.append(p)
    n_s = len(slot_family)
    s_family = np.array(slot_family, dtype=np.int32)

    # Conflicts of interest declared on either side, as (mentor, family) indices.
    conflict_pairs = sorted(
        {(m_index[mid], f_index[f.id]) for f in fs for mid in f.conflicts if mid in m_index}
        | {(i, f_index[fid]) for i, m in enumerate(ms) for fid in m.conflicts if fid in f_index}
    )
    conflict_m = np.array([c[0] for c in conflict_pairs], dtype=np.int64)
    conflict_f = np.array([c[1] for c in conflict_pairs], dtype=np.int64)
    row_of_family = np.full(n_f, -1, dtype=np.int64)
    col_of_mentor = np.full(n_m, -1, dtype=np.int64)

    # Each block of slots (one district and kind) against the mentors serving it:
    # rules and scores as matrices, the eligible cells kept in (slot, mentor) order.
    counts = np.zeros((n_s, 6), dtype=np.int32)
    blocks: list[tuple[I64, I32, npt.NDArray[Any], I8, I64]] = []
    dtype = _score_dtype(weights, len(needs.index), len(avail.index))
    for key in sorted(groups):
        slots = np.array(groups[key], dtype=np.int64)
        if key not in serving:
            continue
        m_idx, rels = serving[key]
        marr = np.array(m_idx, dtype=np.int64)
        rel = np.array(rels, dtype=np.int8)
        col_of_mentor[marr] = np.arange(marr.size)
        rows_per_block = max(1, _BLOCK_CELLS // max(1, marr.size))
        for lo in range(0, slots.size, rows_per_block):
            part = slots[lo : lo + rows_per_block]
            fam = s_family[part].astype(np.int64)
            conflict = np.zeros((part.size, marr.size), dtype=np.bool_)
            if conflict_pairs:
                row_of_family[fam] = np.arange(part.size)
                r = row_of_family[conflict_f]
                c = col_of_mentor[conflict_m]
                hit = (r >= 0) & (c >= 0)
                conflict[r[hit], c[hit]] = True
                row_of_family[fam] = -1
            elig, score, fails = _block(attrs, weights, fam, marr, rel, conflict, dtype)
            counts[part, SERVING] = marr.size
            for col, values in zip(
                (DA_FAIL, GENDER_FAIL, LANGUAGE_FAIL, CONFLICT_FAIL), fails, strict=True
            ):
                counts[part, col] = values
            per_row = np.count_nonzero(elig, axis=1)
            counts[part, ELIGIBLE] = per_row
            rows, cols = np.nonzero(elig)
            blocks.append(
                (
                    part[rows],
                    marr[cols].astype(np.int32),
                    score[rows, cols],
                    rel[cols],
                    per_row.astype(np.int64),
                )
            )
        col_of_mentor[marr] = -1

    # Pairs in slot order: each block's cells scattered to their slot's place.
    deg = counts[:, ELIGIBLE].astype(np.int64)
    start = np.concatenate(([0], np.cumsum(deg))).astype(np.int64)
    n_p = int(start[-1])
    ps = np.empty(n_p, dtype=np.int32)
    pm = np.empty(n_p, dtype=np.int32)
    score_out = np.empty(n_p, dtype=np.int64)
    pr = np.empty(n_p, dtype=np.int8)
    for b_slots, b_mentors, b_score, b_rel, per_row in blocks:
        row_first = np.concatenate(([0], np.cumsum(per_row)[:-1]))
        rank = np.arange(b_slots.size, dtype=np.int64) - np.repeat(row_first, per_row)
        where = start[b_slots] + rank
        ps[where] = b_slots
        pm[where] = b_mentors
        score_out[where] = b_score
        pr[where] = b_rel
    score = score_out
    return PolicyArrays(
        mentors=ms,
        families=fs,
        weights=weights,
        neighbours=neighbours,
        mentor_capacity=mentor_capacity,
        mentor_load=mentor_load,
        family_priority=fam_priority,
        slot_family=s_family,
        slot_kind=np.array(slot_kind, dtype=np.int8),
        slot_priority=np.array(slot_priority, dtype=np.int64),
        pair_slot=ps,
        pair_mentor=pm,
        pair_score=score,
        pair_relation=pr,
        counts=counts,
        attributes=attrs,
    )


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """An allowed (mentor, family, slot) with its score by term."""

    mentor: str
    family: str
    slot: SlotName
    score: int
    breakdown: dict[str, int]


def eligible_pairs(problem: Problem) -> list[ScoredPair]:
    """Every allowed pair of the problem with its score, sorted by family, slot, mentor.

    Pairs with a mentor whose capacity is used up by active matches are listed
    too (they are allowed, just full).
    """
    validate_problem(problem)
    load, filled = active_state(problem)
    arrays = build_arrays(
        problem.mentors,
        problem.families,
        problem.weights,
        symmetric_neighbours(problem.neighbours),
        load=load,
        filled=filled,
    )
    terms = arrays.terms()
    out = []
    for p in range(arrays.pair_slot.shape[0]):
        s = int(arrays.pair_slot[p])
        out.append(
            ScoredPair(
                mentor=arrays.mentors[int(arrays.pair_mentor[p])].id,
                family=arrays.families[int(arrays.slot_family[s])].id,
                slot=SLOTS[int(arrays.slot_kind[s])],
                score=int(arrays.pair_score[p]),
                breakdown={t: int(terms[t][p]) for t in SCORE_TERMS},
            )
        )
    return out
