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

from songngu.translate.phrase import contains_phrase, ends_in_word

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
    acronyms, "(ACR) (ACR)"). Terms and forbidden strings are whole phrases: one that ends in a letter
    or digit only counts where the word ends there too.
    """

    positives: tuple[tuple[TokenIds, ...], ...]
    texts: tuple[tuple[str, ...], ...]
    negatives: tuple[TokenIds, ...]
    negative_texts: tuple[str, ...]  # the forbidden string of each sequence in ``negatives``
    forbidden_texts: tuple[str, ...]

    def automaton(self, extra_negatives: Sequence[TokenIds] = ()) -> ConstraintAutomaton:
        """The request's automaton; identical constraints compile once (one occurrence meets both)."""
        unique = list(dict.fromkeys(zip(self.positives, self.texts, strict=True)))
        return ConstraintAutomaton(
            [ids for ids, _ in unique],
            [*self.negatives, *extra_negatives],
            positive_word_ends=[tuple(ends_in_word(text) for text in texts) for _, texts in unique],
            negative_word_ends=[
                *(ends_in_word(text) for text in self.negative_texts),
                *(False for _ in extra_negatives),
            ],
        )

    @property
    def encodable(self) -> tuple[bool, ...]:
        """Per constraint: whether at least one alternative could be encoded faithfully."""
        return tuple(bool(alternatives) for alternatives in self.positives)

    def met_in(self, text: str) -> tuple[bool, ...]:
        """Per constraint: whether ``text`` contains one of its alternatives as a whole phrase."""
        return tuple(any(contains_phrase(text, alt) for alt in alternatives) for alternatives in self.texts)

    def forbidden_in(self, text: str) -> bool:
        """Whether ``text`` contains any forbidden string as a whole phrase."""
        return any(contains_phrase(text, forbidden) for forbidden in self.forbidden_texts)


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
    negative_texts: list[str] = []
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
            negative_texts.append(text)
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
            if any(contains_phrase(faithful[1], text) for text in forbidden_texts):
                continue
            sequences.append(faithful[0])
            strings.append(faithful[1])
        positives.append(tuple(sequences))
        texts.append(tuple(strings))
    return EncodedConstraints(
        tuple(positives), tuple(texts), tuple(negatives), tuple(negative_texts), tuple(forbidden_texts)
    )


def _faithful(
    text: str, encode: Encoder, decode: Callable[[Sequence[int]], str], unk_id: int
) -> tuple[TokenIds, str] | None:
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
    forbidden: bool = False  # a negative pattern ends here: the token reaching it is banned
    # A negative pattern ending in a letter or digit ends here: it is forbidden only as a whole word,
    # so the next token must continue the word ("...Program" + "me" is allowed, "...Program" + " " not).
    forbidden_word: bool = False
    # A positive alternative ending in a letter or digit ends here: the next token must not continue
    # the word, or the term would be glued into a longer one ("Viet Nam" + "ub").
    ends_term: bool = False


class ConstraintAutomaton:
    """Aho–Corasick automaton over the token sequences of one request's constraints.

    State 0 is the root (nothing matched). :meth:`advance` follows one token; :meth:`completes` gives
    the constraints whose alternative has just been produced; :meth:`forbidden` says a negative
    sequence has just been produced; :meth:`proposals` are the tokens that make progress on an unmet
    constraint from a state.
    """

    def __init__(
        self,
        positives: Sequence[Sequence[TokenIds]],
        negatives: Sequence[TokenIds] = (),
        *,
        positive_word_ends: Sequence[Sequence[bool]] | None = None,
        negative_word_ends: Sequence[bool] | None = None,
    ) -> None:
        """``positive_word_ends[c][a]`` / ``negative_word_ends[n]``: whether that pattern's text ends in
        a letter or digit, so that it is a term, or is forbidden, only where the word ends with it
        (default: no word rules; a forbidden sequence's last token is simply banned)."""
        self.num_constraints = len(positives)
        # Weight of a constraint for bank allocation: tokens of its shortest alternative.
        self.weights = tuple(min((len(alt) for alt in alts), default=0) for alts in positives)
        self.nodes: list[_Node] = [_Node()]
        for index, alternatives in enumerate(positives):
            for a, tokens in enumerate(alternatives):
                end = self._insert(tokens, index)
                self.nodes[end].completes.add(index)
                if positive_word_ends is not None and positive_word_ends[index][a]:
                    self.nodes[end].ends_term = True
        for n, tokens in enumerate(negatives):
            end = self._insert(tokens, None)
            if negative_word_ends is not None and negative_word_ends[n]:
                self.nodes[end].forbidden_word = True
            else:
                self.nodes[end].forbidden = True
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
            node.forbidden_word = node.forbidden_word or fail.forbidden_word
            node.ends_term = node.ends_term or fail.ends_term
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
    forbidden_word: torch.Tensor
    ends_term: torch.Tensor
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
    forbidden_word = torch.zeros(total, dtype=torch.bool)
    ends_term = torch.zeros(total, dtype=torch.bool)
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
            forbidden_word[offset + local] = node.forbidden_word
            ends_term[offset + local] = node.ends_term
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
    for state, pairs in enumerate(proposal_lists):
        if pairs:
            proposals[state, : len(pairs)] = torch.tensor([t for t, _ in pairs], dtype=torch.long)
            proposal_nodes[state, : len(pairs)] = torch.tensor([n for _, n in pairs], dtype=torch.long)
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
        forbidden_word=forbidden_word.to(to),
        ends_term=ends_term.to(to),
        depth=depth.to(to),
        proposals=proposals.to(to),
        proposal_nodes=proposal_nodes.to(to),
        weights=weights.to(to),
        active=active.to(to),
    )
