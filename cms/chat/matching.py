"""Choosing a prepared answer for a visitor's question: pure ranking, no generation.

``FaqIndex`` holds the knowledge base as token statistics. ``rank`` scores every
answer with BM25 over three token kinds (see ``cms.chat.text``) on the phrasings
(main question and alternatives, each phrasing on its own so a long list of
alternatives does not dilute a good one) and, with less weight, on the answer body;
short or misspelt questions get a fuzzy comparison of readings (rapidfuzz, on
segmented text); an optional semantic score (embedding cosine) is fused by z-score.

Each candidate gets a ``confidence`` in 0–1: how much of what the question says
(weighted by how rare it is in the knowledge base) the answer covers, or how close
the question is to one of its phrasings. Below the threshold the bot does not guess;
it offers the top candidates (「もしかして」) and the consultation desk.

No Django here: the service layer (``cms.chat.service``) feeds entries in and keeps
one index per process, reusing analyses of unchanged answers when it rebuilds.
"""

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from .text import NO_SYNONYMS, Analysis, SynonymTable, analyse

# Body text beyond this adds little to matching and much to indexing time.
BODY_CHARS = 400
# Answers given the fuzzy comparison after the BM25 pass, and candidates given the
# coverage look; the rest cannot reach the top on fuzziness alone.
FUZZY_SHORTLIST = 80
SHORTLIST = 40


@dataclass(frozen=True)
class FaqEntry:
    """What the matcher needs of one answer. ``revision`` changes whenever the text
    does (the service uses ``updated_at``), so unchanged analyses are reused."""

    key: str
    question: str
    alternatives: tuple[str, ...] = ()
    body: str = ""
    category: str = ""
    municipality: str = ""
    revision: str = ""

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.alternatives)


@dataclass(frozen=True)
class Weights:
    """How much each signal counts. Chosen on the demo evaluation set and checked on
    held-out phrasings; see bench/chat.py for the numbers."""

    phrase_words: float = 1.2
    phrase_reading: float = 0.8
    phrase_surface: float = 0.7
    body_words: float = 0.3
    body_surface: float = 0.15
    fuzzy: float = 0.3
    semantic: float = 0.7
    # Words guessed from a kana-only question are unreliable (see Analysis.kana_only).
    kana_factor: float = 0.2


@dataclass(frozen=True)
class Candidate:
    key: str
    score: float
    confidence: float
    matched: str  # the phrasing closest to the question


class TokenTable:
    """Process-wide token → id table (one per token kind), so analyses cached
    across index rebuilds keep valid ids and rebuilding needs no Python loop over
    tokens."""

    def __init__(self):
        self.tables: dict[str, dict[str, int]] = {}
        self.lock = threading.Lock()

    def ids(self, kind: str, tokens) -> np.ndarray:
        with self.lock:
            table = self.tables.setdefault(kind, {})
            return np.fromiter(
                (table.setdefault(t, len(table)) for t in tokens),
                dtype=np.int64,
                count=len(tokens),
            )

    def lookup(self, kind: str, tokens) -> list[int]:
        table = self.tables.get(kind, {})
        return [table[t] for t in tokens if t in table]

    def size(self, kind: str) -> int:
        return len(self.tables.get(kind, {}))


TOKENS = TokenTable()


@dataclass(frozen=True)
class EntryAnalysis:
    phrasings: tuple[Analysis, ...]
    body: Analysis
    words: frozenset  # every word of the phrasings
    body_words: frozenset
    readings: frozenset  # every reading bigram of the phrasings

    # The same tokens as interned ids, so an index rebuild is array work only.
    phrase_word_ids: tuple = ()
    phrase_reading_ids: tuple = ()
    phrase_surface_ids: tuple = ()
    body_word_ids: np.ndarray | None = None
    body_surface_ids: np.ndarray | None = None

    @classmethod
    def of(cls, phrasings: tuple[Analysis, ...], body: Analysis) -> "EntryAnalysis":
        ids = TOKENS.ids
        return cls(
            phrasings=phrasings,
            body=body,
            words=frozenset(w for p in phrasings for w in p.words),
            body_words=frozenset(body.words),
            readings=frozenset(b for p in phrasings for b in p.reading_pairs),
            phrase_word_ids=tuple(ids("w", p.words) for p in phrasings),
            phrase_reading_ids=tuple(ids("r", p.reading_pairs) for p in phrasings),
            phrase_surface_ids=tuple(ids("s", p.surface_pairs) for p in phrasings),
            body_word_ids=ids("w", body.words),
            body_surface_ids=ids("s", body.surface_pairs),
        )


@dataclass
class AnalysisCache:
    """Analyses by (key, revision, synonyms): an index rebuilt after one edit
    re-analyses only that answer."""

    entries: dict = field(default_factory=dict)

    def get(
        self, entry: FaqEntry, synonyms: SynonymTable, synonyms_id
    ) -> EntryAnalysis:
        cache_key = (entry.key, entry.revision, synonyms_id)
        found = self.entries.get(cache_key)
        if found is None:
            body_text = " ".join(
                part for part in (entry.municipality, entry.body[:BODY_CHARS]) if part
            )
            found = EntryAnalysis.of(
                tuple(analyse(p, synonyms) for p in entry.phrasings),
                analyse(body_text, synonyms),
            )
            self.entries[cache_key] = found
        return found

    def keep_only(self, live_keys: set) -> None:
        self.entries = {k: v for k, v in self.entries.items() if k in live_keys}


class _Channel:
    """BM25 (Lucene's variant, as in bm25s) over one token kind of one field,
    kept as term → (documents, weights) arrays so a question costs one
    ``bincount``; built from interned token ids with array operations only, so a
    rebuild after an edit is quick even for 20,000 answers."""

    k1 = 1.2
    b = 0.75

    def __init__(self, kind: str, documents: list[np.ndarray]):
        self.kind = kind
        self.size = len(documents)
        lengths = np.fromiter(
            (len(d) for d in documents), dtype=np.int64, count=self.size
        )
        terms = np.concatenate(documents) if self.size else np.zeros(0, np.int64)
        owners = np.repeat(np.arange(self.size, dtype=np.int64), lengths)
        vocabulary = max(TOKENS.size(kind), int(terms.max()) + 1 if len(terms) else 0)
        average = float(lengths.mean()) if self.size and lengths.sum() else 1.0
        span = max(self.size, 1)
        # One posting per (term, document) with its term frequency, sorted by term.
        pairs, tf = np.unique(terms * span + owners, return_counts=True)
        term, doc = pairs // span, pairs % span
        norm = self.k1 * (1 - self.b + self.b * lengths[doc] / average)
        weight = (tf * (self.k1 + 1) / (tf + norm)).astype(np.float32)
        self.df = np.bincount(term, minlength=vocabulary)
        self.idf = np.log(1 + (self.size - self.df + 0.5) / (self.df + 0.5)).astype(
            np.float32
        )
        self.start = np.concatenate(([0], np.cumsum(self.df)))
        self.docs = doc
        self.weights = weight * self.idf[term]
        self.unseen_idf = math.log(1 + (self.size + 0.5) / 0.5)

    def _ids(self, tokens) -> list[int]:
        return [i for i in TOKENS.lookup(self.kind, tokens) if i < len(self.df)]

    def scores(self, tokens) -> np.ndarray:
        ids = [i for i in self._ids(tokens) if self.df[i]]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        slices = [slice(self.start[i], self.start[i + 1]) for i in ids]
        docs = np.concatenate([self.docs[s] for s in slices])
        weights = np.concatenate([self.weights[s] for s in slices])
        return np.bincount(docs, weights, minlength=self.size).astype(np.float32)

    def ideal(self, tokens) -> float:
        """The most a document could score for ``tokens``: dividing by it turns a
        BM25 score into the share of the question matched (0–1), comparable across
        questions, which a plain max-normalisation is not. Tokens the field never
        uses count at the highest idf."""
        seen = [i for i in self._ids(tokens) if self.df[i]]
        total = float(self.idf[seen].sum()) if seen else 0.0
        return (total + (len(tokens) - len(seen)) * self.unseen_idf) * (self.k1 + 1)

    def share(self, tokens) -> np.ndarray:
        ideal = self.ideal(tokens)
        if ideal <= 0:
            return np.zeros(self.size, dtype=np.float32)
        return self.scores(tokens) / ideal

    def idf_of(self, token: str) -> float:
        # Words the knowledge base never uses are the most telling of all: an
        # answer that lacks them is not about the question.
        ids = self._ids([token])
        df = int(self.df[ids[0]]) if ids else 0
        return math.log(1 + (self.size + 1) / (df + 0.5))


def _normalised(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values


def _zscore(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - float(values.mean())) / std if std > 1e-9 else values * 0


class FaqIndex:
    """The knowledge base ready for ranking. Immutable once built; build a new one
    (with the same ``cache``) when answers change."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        synonyms: SynonymTable = NO_SYNONYMS,
        cache: AnalysisCache | None = None,
        synonyms_id=None,
        weights: Weights | None = None,
    ):
        self.entries = list(entries)
        self.synonyms = synonyms
        self.weights = weights or Weights()
        self.cache = cache if cache is not None else AnalysisCache()
        self.position = {entry.key: i for i, entry in enumerate(self.entries)}
        analyses = [self.cache.get(e, synonyms, synonyms_id) for e in self.entries]
        self.cache.keep_only({(e.key, e.revision, synonyms_id) for e in self.entries})
        self.analyses = analyses

        # One document per phrasing; ``owner`` maps it back to its answer, and an
        # answer's phrasings are the slice first_phrasing[i]:phrase_end[i].
        phrasings = [a for ea in analyses for a in ea.phrasings]
        counts = np.array([len(ea.phrasings) for ea in analyses], dtype=np.int64)
        self.phrase_end = np.cumsum(counts)
        self.first_phrasing = self.phrase_end - counts
        self.phrase_count = len(phrasings)
        self.phrasing_text = [p for entry in self.entries for p in entry.phrasings]
        self.phrase_words = _Channel(
            "w", [ids for ea in analyses for ids in ea.phrase_word_ids]
        )
        self.phrase_reading = _Channel(
            "r", [ids for ea in analyses for ids in ea.phrase_reading_ids]
        )
        self.phrase_surface = _Channel(
            "s", [ids for ea in analyses for ids in ea.phrase_surface_ids]
        )
        self.body_words = _Channel("w", [ea.body_word_ids for ea in analyses])
        self.body_surface = _Channel("s", [ea.body_surface_ids for ea in analyses])
        self.phrase_segmented = [a.segmented for a in phrasings]
        self.phrase_readings = [a.reading for a in phrasings]
        self.semantic: np.ndarray | None = None
        self.has_vector = np.zeros(len(self.entries), dtype=bool)

    def __len__(self):
        return len(self.entries)

    # --- semantic layer ------------------------------------------------------

    def attach_vectors(self, vectors: dict[str, np.ndarray], dim: int) -> None:
        """Answer embeddings by key (L2-normalised); answers without one simply get
        no semantic score until their vector arrives."""
        matrix = np.zeros((len(self.entries), dim), dtype=np.float32)
        has = np.zeros(len(self.entries), dtype=bool)
        for key, vector in vectors.items():
            i = self.position.get(key)
            if i is not None and vector.shape == (dim,):
                matrix[i] = vector
                has[i] = True
        self.semantic = matrix if has.any() else None
        self.has_vector = has

    # --- ranking ---------------------------------------------------------------

    def _per_answer(self, phrasing_scores: np.ndarray) -> np.ndarray:
        if not len(self.first_phrasing):
            return phrasing_scores
        return np.maximum.reduceat(phrasing_scores, self.first_phrasing)

    def lexical_scores(self, query: Analysis) -> np.ndarray:
        w = self.weights
        words = list(query.words)
        reading, surface = query.reading_bigrams(), query.surface_bigrams()
        # Words and characters guessed from a kana-only question are unreliable.
        kana = w.kana_factor if query.kana_only else 1.0
        return (
            w.phrase_words * kana * self._per_answer(self.phrase_words.share(words))
            + w.phrase_reading * self._per_answer(self.phrase_reading.share(reading))
            + w.phrase_surface
            * kana
            * self._per_answer(self.phrase_surface.share(surface))
            + w.body_words * kana * self.body_words.share(words)
            + w.body_surface * kana * self.body_surface.share(surface)
        )

    def fuzzy_scores(self, query: Analysis, answers: np.ndarray) -> np.ndarray:
        """Closeness of the question's reading to the nearest phrasing of each of
        ``answers`` (0 for the others), on segmented readings (whole-word edits) and
        whole readings (typos), 0–1. Only a shortlist is compared: rapidfuzz over
        every phrasing of a large knowledge base would cost more than all the rest."""
        fuzzy = np.zeros(len(self.entries), dtype=np.float32)
        if not query.reading or not len(answers):
            return fuzzy
        starts = self.first_phrasing[answers]
        counts = self.phrase_end[answers] - starts
        offsets = np.repeat(np.cumsum(counts) - counts, counts)
        phrasing_ids = (
            np.arange(int(counts.sum())) - offsets + np.repeat(starts, counts)
        )
        segmented = process.cdist(
            [query.segmented or query.reading],
            [self.phrase_segmented[j] for j in phrasing_ids],
            scorer=fuzz.token_set_ratio,
            dtype=np.uint8,
        )[0]
        whole = process.cdist(
            [query.reading],
            [self.phrase_readings[j] for j in phrasing_ids],
            scorer=fuzz.ratio,
            dtype=np.uint8,
        )[0]
        best = np.maximum(segmented, whole).astype(np.float32) / 100.0
        owners = np.repeat(
            answers, self.phrase_end[answers] - self.first_phrasing[answers]
        )
        np.maximum.at(fuzzy, owners, best)
        return fuzzy

    def query_weights(self, query: Analysis) -> tuple[dict, dict]:
        """idf of the question's words and reading bigrams, once per question."""
        words = {t: self.phrase_words.idf_of(t) for t in set(query.words)}
        readings = {t: self.phrase_reading.idf_of(t) for t in set(query.reading_pairs)}
        return words, readings

    def coverage(self, query: Analysis, i: int, weights=None) -> float:
        """Share of the question's meaning (idf-weighted words and reading bigrams)
        found in answer ``i`` — its phrasings fully, its body at half weight."""
        analysis = self.analyses[i]
        word_idf, reading_idf = weights or self.query_weights(query)
        word_total = sum(word_idf.values())
        word_hit = sum(
            idf
            * (1.0 if t in analysis.words else 0.5 if t in analysis.body_words else 0.0)
            for t, idf in word_idf.items()
        )
        reading_total = sum(reading_idf.values())
        reading_hit = sum(
            idf for t, idf in reading_idf.items() if t in analysis.readings
        )
        parts = []
        if word_total and not query.kana_only:
            parts.append(word_hit / word_total)
        if reading_total:
            parts.append(reading_hit / reading_total)
        return sum(parts) / len(parts) if parts else 0.0

    def rank(
        self,
        query_text: str,
        top: int = 5,
        query_vector: np.ndarray | None = None,
    ) -> list[Candidate]:
        if not self.entries:
            return []
        query = analyse(query_text, self.synonyms)
        if not (query.words or query.reading or query.surface):
            return []
        w = self.weights
        size = len(self.entries)
        lexical = self.lexical_scores(query)
        shortlist_size = min(size, SHORTLIST)
        fuzzy_size = min(size, FUZZY_SHORTLIST)
        shortlist = np.argpartition(-lexical, fuzzy_size - 1)[:fuzzy_size]
        cosine = None
        if query_vector is not None and self.semantic is not None:
            cosine = self.semantic @ query_vector
            # Answers still waiting for their vector get the average, not a penalty.
            if not self.has_vector.all():
                cosine = np.where(
                    self.has_vector, cosine, float(cosine[self.has_vector].mean())
                )
            nearest = np.argpartition(-cosine, fuzzy_size - 1)[:fuzzy_size]
            shortlist = np.union1d(shortlist, nearest)
        fuzzy = self.fuzzy_scores(query, shortlist)
        fused = lexical + w.fuzzy * fuzzy
        if cosine is not None:
            # e5 reads kana-only text poorly; trust it less there.
            semantic_weight = w.semantic * (0.5 if query.kana_only else 1.0)
            fused = _zscore(fused) + semantic_weight * _zscore(cosine)
        order = np.argpartition(-fused, shortlist_size - 1)[:shortlist_size]
        order = order[np.argsort(-fused[order], kind="stable")][:top]
        candidates = []
        weights = self.query_weights(query)
        for i in order:
            confidence = max(
                self.coverage(query, int(i), weights), float(fuzzy[i]) ** 2
            )
            if cosine is not None:
                # The semantic layer vouches for an answer it also ranks highly.
                confidence = min(1.0, confidence + max(0.0, float(cosine[i]) - 0.85))
            candidates.append(
                Candidate(
                    key=self.entries[i].key,
                    score=round(float(fused[i]), 4),
                    confidence=round(confidence, 3),
                    matched=self._closest_phrasing(query, int(i)),
                )
            )
        return candidates

    def _closest_phrasing(self, query: Analysis, i: int) -> str:
        start, end = int(self.first_phrasing[i]), int(self.phrase_end[i])
        if end - start == 1:
            return self.phrasing_text[start]
        best = max(
            range(start, end),
            key=lambda j: fuzz.token_set_ratio(
                query.segmented, self.phrase_segmented[j]
            ),
        )
        return self.phrasing_text[best]
