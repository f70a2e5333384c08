"""Least-cost paths of beads through a region of the ``(i, j)`` grid, and their posteriors.

The grid has a cell ``(i, j)`` for every pair of prefixes of the two texts (``i`` Vietnamese and
``j`` English sentences aligned); a bead of shape ``(a, b)`` goes from ``(i - a, j - b)`` to
``(i, j)``. A **region** is searched row by row: row ``i`` holds the columns ``lo[i]..hi[i]``, the
whole grid for short texts, a corridor around a coarser path for long ones (:func:`corridor`, as
vecalign and hunalign narrow their search). The caller gives the costs of every bead of the region
in one ``[shape, cell]`` matrix (:class:`CellCosts`: one vectorised pass), and the search keeps
three flat arrays over the cells (best cost, back pointer, the bead costs), so time and memory grow
with the number of cells searched: linearly with the texts inside a corridor.

Ties go to the shape listed first, as a cell-by-cell search trying the shapes in order would.
:func:`posteriors` runs forward–backward over the same cells and beads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Shape = tuple[int, int]  # (Vietnamese sentences, English sentences) of a bead
Vector = npt.NDArray[np.float64]
IntVector = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float64]  # [shape, cell]
Step = tuple[int, int, int, int, float]  # a bead (i0, i1, j0, j1) and its cost


class CellCosts(Protocol):
    """The costs of every shape's bead ending at each of the given cells (``rows[x]``,
    ``columns[x]``): a ``[shape, cell]`` matrix, the priors included. Entries of beads that would
    start outside the grid may hold anything: they are never used."""

    def __call__(self, rows: IntVector, columns: IntVector) -> Matrix: ...


@dataclass
class Row:
    """One searched row: columns ``lo..hi``, the best cost to reach each cell, the shape of the
    bead that reaches it best (-1: unreachable), and the cost of every shape's bead ending there
    (``inf`` where that bead would start outside the region)."""

    lo: int
    hi: int
    best: Vector
    back: npt.NDArray[np.int8]
    costs: npt.NDArray[np.float64]  # [shape, column - lo]


@dataclass
class Lattice:
    """The searched rows of the grid and the shapes the beads take."""

    n: int
    m: int
    shapes: list[Shape]
    rows: list[Row]

    def path(self) -> list[Step]:
        """The best path's beads ``(i0, i1, j0, j1, cost)``, in order."""
        path: list[Step] = []
        i, j = self.n, self.m
        while i or j:
            row = self.rows[i]
            k = int(row.back[j - row.lo]) if row.lo <= j <= row.hi else -1
            if k < 0:
                raise ValueError("no alignment within the searched cells")  # 1-0 and 0-1 reach every cell
            a, b = self.shapes[k]
            path.append((i - a, i, j - b, j, float(row.costs[k, j - row.lo])))
            i, j = i - a, j - b
        path.reverse()
        return path


def full_region(n: int, m: int) -> tuple[list[int], list[int]]:
    """Every cell of the grid."""
    return [0] * (n + 1), [m] * (n + 1)


def corridor(
    beads: Sequence[tuple[int, int, int, int]], n: int, m: int, window: int
) -> tuple[list[int], list[int]]:
    """For each row, the columns within ``window`` of the cells a path through ``beads`` takes there.

    The path crosses each bead in a straight staircase, and a run of 1-0 and 0-1 beads as one
    straight line (vecalign's ``alignment_to_search_path``): where a coarse search put a skipped
    sentence inside such a run says little about where it goes."""
    low = [m] * (n + 1)
    high = [0] * (n + 1)
    low[0] = 0

    def visit(i: int, j: int) -> None:
        low[i] = min(low[i], j)
        high[i] = max(high[i], j)

    i = j = 0
    skipped_i = skipped_j = 0  # a run of skips not drawn yet
    for i0, i1, j0, j1 in [*beads, (n, n, m, m)]:
        if (i1 > i0 and j1 > j0) or (i0, j0) == (n, m):
            for di, dj in ((skipped_i, skipped_j), (i1 - i0, j1 - j0)):
                i, j = _staircase(i, j, di, dj, visit)
            skipped_i = skipped_j = 0
        else:
            skipped_i += i1 - i0
            skipped_j += j1 - j0
    return [max(0, j - window) for j in low], [min(m, j + window) for j in high]


def _staircase(i: int, j: int, di: int, dj: int, visit: Callable[[int, int], None]) -> tuple[int, int]:
    """Visit the cells of unit steps from ``(i, j)`` to ``(i + di, j + dj)`` along the straight line
    between them; return the end."""
    at_i, at_j = i, j
    steps = di + dj
    for k in range(1, steps + 1):
        if (at_i < i + round(di * k / steps) and at_i < i + di) or at_j == j + dj:
            at_i += 1
        else:
            at_j += 1
        visit(at_i, at_j)
    return i + di, j + dj


def viterbi(
    n: int, m: int, shapes: Sequence[Shape], lo: Sequence[int], hi: Sequence[int], bead_costs: CellCosts
) -> Lattice:
    """The least-cost paths from ``(0, 0)`` to every cell of the region (rows ``lo[i]..hi[i]``).

    The costs of all the region's beads are asked for at once (one vectorised pass for the
    caller); the search itself goes row by row, the beads from earlier rows a row at a time, those
    within the row cell by cell."""
    if lo[0] != 0:
        raise ValueError("the region must hold the cell (0, 0)")
    widths = np.array([last - first + 1 for first, last in zip(lo, hi, strict=True)], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(widths)))
    rows_of = np.repeat(np.arange(n + 1, dtype=np.int64), widths)
    columns_of = np.arange(int(offsets[-1]), dtype=np.int64) - np.repeat(
        offsets[:-1] - np.asarray(lo), widths
    )
    costs = np.array(bead_costs(rows_of, columns_of), dtype=np.float64)
    best = np.full(int(offsets[-1]), math.inf)
    back = np.full(int(offsets[-1]), -1, dtype=np.int8)
    within_row = [(k, b) for k, (a, b) in enumerate(shapes) if a == 0]
    rows: list[Row] = []
    for i in range(n + 1):
        start, end = int(offsets[i]), int(offsets[i + 1])
        row = Row(lo[i], hi[i], best[start:end], back[start:end], costs[:, start:end])
        for k, (a, b) in enumerate(shapes):
            if a == 0:
                row.costs[k, :b] = math.inf  # would start left of the region
                continue
            if a > i:
                row.costs[k] = math.inf
                continue
            before = _shifted(rows[i - a].best, rows[i - a].lo, rows[i - a].hi, row.lo, row.hi, b, math.inf)
            row.costs[k][before == math.inf] = math.inf  # starts outside the region, or unreachable
            total = before + row.costs[k]
            better = total < row.best  # strictly: the shape listed first keeps a tie
            row.best[better] = total[better]
            row.back[better] = k
        if i == 0:
            row.best[0] = 0.0
        if within_row:
            _sweep(row, within_row)
        rows.append(row)
    return Lattice(n, m, list(shapes), rows)


def _sweep(row: Row, within_row: Sequence[tuple[int, int]]) -> None:
    """Relax the beads that start in the row itself (shapes ``(0, b)``), in column order, cell by
    cell: each may start where another such bead ended."""
    best = row.best.tolist()
    back = row.back.tolist()
    costs = [(k, b, row.costs[k].tolist()) for k, b in within_row]
    for x in range(len(best)):
        for k, b, cost in costs:
            if x < b:
                continue
            total = best[x - b] + cost[x]
            # The shape listed first wins a tie, whichever was tried first here.
            if total < best[x] or (total == best[x] < math.inf and back[x] > k):
                best[x], back[x] = total, k
    row.best[:] = best
    row.back[:] = back


def _shifted(values: Vector, source_lo: int, source_hi: int, lo: int, hi: int, b: int, fill: float) -> Vector:
    """``values`` (of columns ``source_lo..source_hi``) at columns ``j - b`` for ``j`` in ``lo..hi``,
    ``fill`` where that column is outside the source."""
    out = np.full(hi - lo + 1, fill)
    first, last = max(source_lo, lo - b), min(source_hi, hi - b)
    if first <= last:
        out[first + b - lo : last + b - lo + 1] = values[first - source_lo : last - source_lo + 1]
    return out


def _unshifted(values: Vector, lo: int, hi: int, target_lo: int, target_hi: int, b: int) -> Vector:
    """The inverse of :func:`_shifted`: ``values`` of columns ``lo..hi`` moved to the columns
    ``j - b`` they start from, over ``target_lo..target_hi`` (``-inf`` elsewhere)."""
    return _shifted(values, lo - b, hi - b, target_lo, target_hi, 0, -math.inf)


def posteriors(lattice: Lattice, temperature: float) -> Callable[[int, int, int, int, float], float]:
    """P(bead) under the distribution over every path through the searched cells, ``∝ exp(-total
    cost / T)`` (forward–backward in log space over the same beads as the search): a bead's
    confidence. One that every nearly-as-cheap path shares scores near 1; one the search chose over
    close rivals scores low. Returns ``posterior(i0, j0, i1, j1, cost)``."""
    shapes, rows = lattice.shapes, lattice.rows
    within_row = [(k, b) for k, (a, b) in enumerate(shapes) if a == 0]
    scaled = [row.costs / temperature for row in rows]
    forward: list[Vector] = []
    for i, row in enumerate(rows):
        terms = [
            _shifted(forward[i - a], rows[i - a].lo, rows[i - a].hi, row.lo, row.hi, b, -math.inf)
            - scaled[i][k]
            for k, (a, b) in enumerate(shapes)
            if 0 < a <= i
        ]
        values = _log_sum(terms, len(row.best))
        if i == 0:
            values[0] = 0.0
        _log_sweep(values, [(b, scaled[i][k]) for k, b in within_row], forward=True)
        forward.append(values)
    backward: list[Vector] = [np.full(0, 0.0)] * len(rows)
    for i in range(len(rows) - 1, -1, -1):
        row = rows[i]
        terms = [
            _unshifted(backward[i + a] - scaled[i + a][k], rows[i + a].lo, rows[i + a].hi, row.lo, row.hi, b)
            for k, (a, b) in enumerate(shapes)
            if a > 0 and i + a < len(rows)
        ]
        values = _log_sum(terms, len(row.best))
        if i == lattice.n:
            values[lattice.m - row.lo] = 0.0
        _log_sweep(values, [(b, scaled[i][k]) for k, b in within_row], forward=False)
        backward[i] = values
    total = float(forward[lattice.n][lattice.m - rows[lattice.n].lo])

    def posterior(i0: int, j0: int, i1: int, j1: int, cost: float) -> float:
        start = float(forward[i0][j0 - rows[i0].lo])
        end = float(backward[i1][j1 - rows[i1].lo])
        return math.exp(min(0.0, start - cost / temperature + end - total))

    return posterior


def _log_sum(terms: Sequence[Vector], width: int) -> Vector:
    """``log(Σ exp(term))`` element by element (``-inf`` where every term is)."""
    if not terms:
        return np.full(width, -math.inf)
    stacked = np.vstack(terms)
    top = stacked.max(axis=0)
    safe = np.where(top == -math.inf, 0.0, top)
    with np.errstate(divide="ignore"):
        total: Vector = safe + np.log(np.exp(stacked - safe).sum(axis=0))
    return total


def _log_sweep(values: Vector, within_row: Sequence[tuple[int, Vector]], *, forward: bool) -> None:
    """Add the beads that start and end in the row (shapes ``(0, b)``), cell by cell: left to right
    for the forward pass, right to left for the backward one."""
    if not within_row:
        return
    cells = values.tolist()
    costs = [(b, cost.tolist()) for b, cost in within_row]
    order = range(len(cells)) if forward else range(len(cells) - 1, -1, -1)
    for x in order:
        for b, cost in costs:
            # forward: from cell x - b by the bead ending at x; backward: on to x + b by the one ending there
            source = x - b if forward else x + b
            if not 0 <= source < len(cells):
                continue
            term = cells[source] - (cost[x] if forward else cost[source])
            if term > -math.inf:
                cells[x] = _log_add(cells[x], term)
    values[:] = cells


def _log_add(x: float, y: float) -> float:
    if x == -math.inf:
        return y
    top = max(x, y)
    return top + math.log(math.exp(x - top) + math.exp(y - top))
