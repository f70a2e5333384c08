"""Terminology constraints on the target side, as token automata the beam search can step through.

A positive constraint (:class:`TermConstraint`) is disjunctive: any one of its alternatives satisfies
it. Negative constraints are strings that must never be produced. Both are encoded with the TARGET
tokenizer and compiled, per request, into one Aho–Corasick automaton over token ids
(:class:`ConstraintAutomaton`): a state is the longest suffix of the output that is a prefix of some
pattern, so a constraint is recognised wherever it appears (forced by the search or produced by the
model on its own), progress on a partial match is rolled back automatically when the output
deviates, and a forbidden sequence is stopped by banning the token that would complete it.

:func:`pack` stacks the automata of a batch into dense tensors so that the search advances every
hypothesis with a single gather per step. Unlike fairseq's ``token_generation_constraints`` (an
ordered or unordered trie with counts over conjunctive constraints), constraints here are sets of
alternatives, and identical constraints in one request are satisfied by one occurrence.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

TokenIds = tuple[int, ...]
Encoder = Callable[[str], list[int]]

_ACRONYM_TAIL = re.compile(r"\(([^()\s]+)\)\s*$")


@dataclass(frozen=True)
class TermConstraint:
    """A term the translation must contain: any one of ``alternatives`` (preferred first)."""

    alternatives: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.alternatives or not all(alt.strip() for alt in self.alternatives):
            raise ValueError("a term constraint needs at least one non-empty alternative")


@dataclass(frozen=True)
class EncodedConstraints:
    """The constraints of one request in target token ids.

    ``positives[c]`` holds the token sequences of constraint ``c``'s alternatives that the target
    tokenizer encodes faithfully (no ``<unk>``, and decoding gives the text back); a constraint with
    none is ``encodable[c] == False`` and cannot be guaranteed. ``texts[c]`` are the same alternatives
    as the tokenizer gives them back, for checking a decoded translation. ``negatives`` are the token
    sequences never to produce, ``forbidden_texts`` their strings (including the automatic doubled
    acronyms, "(ACR) (ACR)").
    """

    positives: tuple[tuple[TokenIds, ...], ...]
    texts: tuple[tuple[str, ...], ...]
    negatives: tuple[TokenIds, ...]
    forbidden_texts: tuple[str, ...]

    @property
    def encodable(self) -> tuple[bool, ...]:
        """Per constraint: whether at least one alternative could be encoded faithfully."""
        return tuple(bool(alternatives) for alternatives in self.positives)

    def met_in(self, text: str) -> tuple[bool, ...]:
        """Per constraint: whether ``text`` contains one of its alternatives."""
        return tuple(any(alt in text for alt in alternatives) for alternatives in self.texts)

    def forbidden_in(self, text: str) -> bool:
        """Whether ``text`` contains any forbidden string."""
        return any(forbidden in text for forbidden in self.forbidden_texts)


def doubled_acronyms(alternatives: Sequence[str]) -> tuple[str, ...]:
    """For alternatives ending in "(ACR)", the doubled rendering "(ACR) (ACR)" that must not appear."""
    doubled: list[str] = []
    for alternative in alternatives:
        match = _ACRONYM_TAIL.search(alternative)
        if match:
            acronym = f"({match.group(1)})"
            for form in (f"{acronym} {acronym}", f"{acronym}{acronym}"):
                if form not in doubled:
                    doubled.append(form)
    return tuple(doubled)


def encode_constraints(
    constraints: Sequence[TermConstraint],
    forbidden: Sequence[str],
    encode: Encoder,
    decode: Callable[[Sequence[int]], str],
    unk_id: int,
) -> EncodedConstraints:
    """Encode positive and negative constraints with the target tokenizer.

    ``encode`` turns text into target token ids without special tokens, ``decode`` turns ids back
    into text. An alternative is kept only if it round-trips (modulo spacing) without ``<unk>`` (one
    that does not could never be checked in the output, so it is not pretended to be enforceable)
    and contains no forbidden string (it could never be produced).
    """
    negatives: list[TokenIds] = []
    forbidden_texts: list[str] = []
    automatic = [form for c in constraints for form in doubled_acronyms(c.alternatives)]
    for text in (*forbidden, *automatic):
        if not text.strip() or text in forbidden_texts:
            continue
        forbidden_texts.append(text)
        ids = tuple(encode(text))
        if ids and unk_id not in ids and ids not in negatives:
            # An <unk> pattern is never produced as such; the text check still catches it.
            negatives.append(ids)
    positives: list[tuple[TokenIds, ...]] = []
    texts: list[tuple[str, ...]] = []
    for constraint in constraints:
        sequences: list[TokenIds] = []
        strings: list[str] = []
        for alternative in constraint.alternatives:
            faithful = _faithful(alternative, encode, decode, unk_id)
            if faithful is None or faithful[0] in sequences:
                continue
            # An alternative containing a forbidden string can never be produced: a dead end that
            # would hold the top bank of the beam forever.
            if any(text in faithful[1] for text in forbidden_texts):
                continue
            sequences.append(faithful[0])
            strings.append(faithful[1])
        positives.append(tuple(sequences))
        texts.append(tuple(strings))
    return EncodedConstraints(tuple(positives), tuple(texts), tuple(negatives), tuple(forbidden_texts))


def _faithful(text: str, encode: Encoder, decode: Callable[[Sequence[int]], str], unk_id: int):
    ids = tuple(encode(text))
    if not ids or unk_id in ids:
        return None
    back = decode(ids)
    if " ".join(back.split()) != " ".join(text.split()):
        return None
    return ids, back


@dataclass
class _Node:
    goto: dict[int, int] = field(default_factory=dict)
    fail: int = 0
    depth: int = 0
    completes: set[int] = field(default_factory=set)  # constraints with an alternative ending here
    prefix_of: set[int] = field(default_factory=set)  # constraints with an alternative through here
    forbidden: bool = False  # a negative pattern ends here (directly or as a suffix)


class ConstraintAutomaton:
    """Aho–Corasick automaton over the token sequences of one request's constraints.

    State 0 is the root (nothing matched). :meth:`advance` follows one token; :meth:`completes` gives
    the constraints whose alternative has just been produced; :meth:`forbidden` says a negative
    sequence has just been produced; :meth:`proposals` are the tokens that make progress on an unmet
    constraint from a state.
    """

    def __init__(self, positives: Sequence[Sequence[TokenIds]], negatives: Sequence[TokenIds] = ()) -> None:
        self.num_constraints = len(positives)
        # Weight of a constraint for bank allocation: tokens of its shortest alternative.
        self.weights = tuple(min((len(alt) for alt in alts), default=0) for alts in positives)
        self.nodes: list[_Node] = [_Node()]
        for index, alternatives in enumerate(positives):
            for tokens in alternatives:
                end = self._insert(tokens, index)
                self.nodes[end].completes.add(index)
        for tokens in negatives:
            self.nodes[self._insert(tokens, None)].forbidden = True
        self._link()

    def _insert(self, tokens: Sequence[int], constraint: int | None) -> int:
        if not tokens:
            raise ValueError("constraint token sequences must not be empty")
        state = 0
        for token in tokens:
            nxt = self.nodes[state].goto.get(token)
            if nxt is None:
                nxt = len(self.nodes)
                self.nodes.append(_Node(depth=self.nodes[state].depth + 1))
                self.nodes[state].goto[token] = nxt
            state = nxt
            if constraint is not None:
                self.nodes[state].prefix_of.add(constraint)
        return state

    def _link(self) -> None:
        queue = deque(self.nodes[0].goto.values())
        while queue:
            state = queue.popleft()
            node = self.nodes[state]
            fail = self.nodes[node.fail]
            node.completes |= fail.completes
            node.forbidden = node.forbidden or fail.forbidden
            for token, child in node.goto.items():
                probe = node.fail
                while probe and token not in self.nodes[probe].goto:
                    probe = self.nodes[probe].fail
                target = self.nodes[probe].goto.get(token, 0)
                self.nodes[child].fail = target if target != child else 0
                queue.append(child)

    @property
    def alphabet(self) -> tuple[int, ...]:
        """The tokens that occur in any pattern (every other token leads back to the root)."""
        return tuple(sorted({token for node in self.nodes for token in node.goto}))

    def advance(self, state: int, token: int) -> int:
        """The state after producing ``token`` in ``state``."""
        while True:
            nxt = self.nodes[state].goto.get(token)
            if nxt is not None:
                return nxt
            if state == 0:
                return 0
            state = self.nodes[state].fail

    def completes(self, state: int) -> frozenset[int]:
        """The constraints one of whose alternatives ends exactly at ``state``."""
        return frozenset(self.nodes[state].completes)

    def forbidden(self, state: int) -> bool:
        """Whether reaching ``state`` means a forbidden sequence was just produced."""
        return self.nodes[state].forbidden

    def proposals(self, state: int, met: frozenset[int] = frozenset()) -> tuple[int, ...]:
        """Tokens that continue the current partial match or start an unmet constraint."""
        tokens: list[int] = []
        for source in (state, 0):
            for token, child in self.nodes[source].goto.items():
                if self.nodes[child].prefix_of - met and token not in tokens:
                    tokens.append(token)
        return tuple(tokens)


@dataclass
class PackedAutomata:
    """The automata of a batch as dense tensors, nodes of all requests numbered globally.

    ``transitions[node, column[token]]`` is the next node (the last column stands for every token in
    no pattern: back to the request's root). ``completes``/``prefix_of`` are ``[nodes, C]`` with ``C``
    the largest number of constraints in the batch; ``weights`` and ``active`` are ``[requests, C]``
    (padding constraints are inactive and count as met). ``proposals`` are ``[nodes, M]`` token ids
    (-1 padding) with ``proposal_nodes`` the nodes they lead to.
    """

    roots: torch.Tensor
    column: torch.Tensor
    alphabet: torch.Tensor
    transitions: torch.Tensor
    completes: torch.Tensor
    prefix_of: torch.Tensor
    forbidden: torch.Tensor
    depth: torch.Tensor
    proposals: torch.Tensor
    proposal_nodes: torch.Tensor
    weights: torch.Tensor
    active: torch.Tensor


def pack(
    automata: Sequence[ConstraintAutomaton], vocab_size: int, device: torch.device | str
) -> PackedAutomata:
    """Stack per-request automata into the tensors the vectorised search uses."""
    alphabet = sorted({token for automaton in automata for token in automaton.alphabet})
    columns = {token: index for index, token in enumerate(alphabet)}
    width = len(alphabet) + 1
    num_c = max((a.num_constraints for a in automata), default=0)
    offsets, total = [], 0
    for automaton in automata:
        offsets.append(total)
        total += len(automaton.nodes)
    roots = torch.tensor(offsets, dtype=torch.long)
    transitions = torch.empty((total, width), dtype=torch.long)
    completes = torch.zeros((total, num_c), dtype=torch.bool)
    prefix_of = torch.zeros((total, num_c), dtype=torch.bool)
    forbidden = torch.zeros(total, dtype=torch.bool)
    depth = torch.zeros(total, dtype=torch.long)
    proposal_lists: list[list[tuple[int, int]]] = []
    weights = torch.zeros((len(automata), num_c), dtype=torch.long)
    active = torch.zeros((len(automata), num_c), dtype=torch.bool)
    for index, (automaton, offset) in enumerate(zip(automata, offsets, strict=True)):
        count = automaton.num_constraints
        weights[index, :count] = torch.tensor(automaton.weights, dtype=torch.long)
        active[index, :count] = True
        local_columns = [columns[token] for token in automaton.alphabet]
        block = torch.full((len(automaton.nodes), width), offset, dtype=torch.long)
        for local, node in enumerate(automaton.nodes):
            row = [automaton.advance(local, token) + offset for token in automaton.alphabet]
            if row:
                block[local, local_columns] = torch.tensor(row, dtype=torch.long)
            for c in node.completes:
                completes[offset + local, c] = True
            for c in node.prefix_of:
                prefix_of[offset + local, c] = True
            forbidden[offset + local] = node.forbidden
            depth[offset + local] = node.depth
            pairs = [
                (token, child + offset)
                for source in (local, 0)
                for token, child in automaton.nodes[source].goto.items()
                if automaton.nodes[child].prefix_of
            ]
            proposal_lists.append(list(dict.fromkeys(pairs)))
        transitions[offset : offset + len(automaton.nodes)] = block
    width_p = max((len(p) for p in proposal_lists), default=0)
    proposals = torch.full((total, width_p), -1, dtype=torch.long)
    proposal_nodes = torch.zeros((total, width_p), dtype=torch.long)
    for node, pairs in enumerate(proposal_lists):
        if pairs:
            proposals[node, : len(pairs)] = torch.tensor([t for t, _ in pairs], dtype=torch.long)
            proposal_nodes[node, : len(pairs)] = torch.tensor([n for _, n in pairs], dtype=torch.long)
    column = torch.full((vocab_size,), len(alphabet), dtype=torch.long)
    if alphabet:
        column[torch.tensor(alphabet, dtype=torch.long)] = torch.arange(len(alphabet))
    to = torch.device(device)
    return PackedAutomata(
        roots=roots.to(to),
        column=column.to(to),
        alphabet=torch.tensor(alphabet, dtype=torch.long, device=to),
        transitions=transitions.to(to),
        completes=completes.to(to),
        prefix_of=prefix_of.to(to),
        forbidden=forbidden.to(to),
        depth=depth.to(to),
        proposals=proposals.to(to),
        proposal_nodes=proposal_nodes.to(to),
        weights=weights.to(to),
        active=active.to(to),
    )
