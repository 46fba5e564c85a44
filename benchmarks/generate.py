"""A deterministic generator of news-like corpora, and of the query mix that goes with them.

``python -m benchmarks.generate --size 20000 --out benchmarks/corpora/20000-s1``

What it writes (under ``OUT``)::

    manifest.json          counts, raw text bytes, how it was made
    queries.json           the fixed query mix (benchmarks.querymix)
    articles/jsonl/shard-00000.jsonl   1,000 articles per shard (~80% of articles)
    articles/txt/000/article-0000012.txt   front matter + text (~10%)
    articles/md/000/article-0000017.md     front matter + Markdown (~10%)

Only ``articles/`` is meant to be indexed (``manifest.json`` would otherwise be
read as a JSON article file).  With ``--layout files`` every article is its own
``.txt`` or ``.md`` file (the no-op re-run over many files).

The text:

* lengths are lognormal, median ~480 words (clipped to 40..5,000);
* words follow a Zipf law over ~50,000 forms: English function words first,
  a few hundred real news words in families (``attack``/``attacks``/
  ``attacked``) so stemming matters, and pseudo-English words made of
  syllables, many with ``-s``/``-ed``/``-ing`` forms;
* each article has a topic (its own words, people, places and set phrases),
  a source (one of 40), an author most of the time, and a date between
  2019-01-01 and 2024-12-31 (3% undated);
* sentences come from a fixed pool of 300,000 Zipf-sampled sentences mixed
  with fresh topical ones, which keeps 100k articles well under a minute.

Everything comes from ``random.Random`` seeded by ``--seed``: the same seed
gives byte-identical files, and the first 1,000 articles are the same at every
size (so phrases taken from them exist in every corpus).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import random
import shutil
import sys
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import words as realwords
from benchmarks.querymix import BenchQuery, save_queries
from benchmarks.words import words_of

#: Bumped whenever the output for a given seed changes (cached corpora are redone).
GENERATOR_VERSION = 2

VOCABULARY_SIZE = 50_000
POOL_SENTENCES = 300_000
SHARD_ARTICLES = 1_000
#: Articles whose sentences the query mix may quote (present at every size).
STABLE_PREFIX = 1_000
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
UNDATED_SHARE = 0.03
MEDIAN_WORDS = 480
LENGTH_SIGMA = 0.6
TOPICAL_SHARE = 0.12

_ONSETS = (
    list(
        words_of(
            "b c d f g h j k l m n p r s t v w z b c d f g l m n p r s t br ch cl cr dr fl fr gr "
            "pl pr sh st th tr"
        )
    )
    + [""] * 6
)
_VOWELS = words_of("a e i o u a e i o a e i ai ea ee ou oo")
_CODAS = list(words_of("n r s t l m d k nd nt st ck ng")) + [""] * 10
_SUFFIXES = (("s", 0.6), ("ed", 0.35), ("ing", 0.35), ("er", 0.15), ("ly", 0.08))
_PLACE_SUFFIXES = words_of("ville burg stan pur ford haven port field grad abad mouth dale")
_SURNAME_SUFFIXES = ["", "", "", "son", "ov", "ez", "ani", "ski", "berg", "ou", "ic"]
_REAL_SURNAMES = words_of(
    "Müller García Nguyen Kowalski Okafor Haddad Novak Silva Tanaka Petrov Rossi Mensah "
    "Johansson Dubois Kaya Reyes Horvath Mwangi Fernández Ødegaard"
)
_MONTHS = words_of(
    "January February March April May June July August September October November December"
)
_DAYS = words_of("Mon Tue Wed Thu Fri Sat Sun")
_MONTH_ABBR = words_of("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _zipf_weights(n: int, s: float = 1.0, q: float = 2.7) -> list[float]:
    return [1.0 / (rank + q) ** s for rank in range(n)]


@dataclass
class Topic:
    words: list[str]
    people: list[tuple[str, str]]
    places: list[str]
    phrases: list[str]


@dataclass
class Model:
    """Vocabulary, names, sources and topics: everything but the text itself."""

    seed: int
    ranked: list[str] = field(default_factory=list)
    cum: list[float] = field(default_factory=list)
    function_words: list[str] = field(default_factory=list)
    content_words: list[str] = field(default_factory=list)
    pseudo: list[str] = field(default_factory=list)
    first_names: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    collocations: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    source_cum: list[float] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    topic_cum: list[float] = field(default_factory=list)

    @staticmethod
    def build(seed: int) -> Model:
        rng = random.Random(f"model-{seed}")
        m = Model(seed)
        m.function_words = list(dict.fromkeys(realwords.FUNCTION_WORDS))
        m.content_words = list(dict.fromkeys(realwords.CONTENT_WORDS))
        taken = set(m.function_words) | set(m.content_words)
        taken |= {w.lower() for w in realwords.FIRST_NAMES + realwords.PLACES}

        def syllables(k: int) -> str:
            return "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(k)
            )

        wanted = VOCABULARY_SIZE - len(m.function_words) - len(m.content_words)
        pseudo: list[str] = []
        while len(pseudo) < wanted:
            lemma = syllables(rng.choices((1, 2, 3), (0.3, 0.5, 0.2))[0])
            if len(lemma) < 4 or not lemma.isalpha() or lemma in taken:
                continue
            forms = [lemma] + [lemma + sfx for sfx, p in _SUFFIXES if rng.random() < p]
            for form in forms:
                if form not in taken:
                    taken.add(form)
                    pseudo.append(form)
        # Shorter words tend to be more frequent (Zipf's law of abbreviation).
        m.pseudo = sorted(pseudo[:wanted], key=lambda w: len(w) + rng.gauss(0.0, 2.5))

        # Rank order: function words, then pseudo words with the real content
        # words scattered over ranks ~110..4,000.
        keyed: list[tuple[float, str]] = [(float(i), w) for i, w in enumerate(m.pseudo)]
        for w in m.content_words:
            rank = math.exp(rng.uniform(math.log(10), math.log(4000)))
            keyed.append((rank - 0.5, w))
        keyed.sort()
        m.ranked = m.function_words + [w for _, w in keyed]
        m.cum = _cumulative(_zipf_weights(len(m.ranked), 1.02))

        m.first_names = list(realwords.FIRST_NAMES)
        surnames = list(_REAL_SURNAMES)
        while len(surnames) < 300:
            name = (syllables(2) + rng.choice(_SURNAME_SUFFIXES)).capitalize()
            if name.isalpha() and len(name) >= 4 and name.lower() not in taken:
                taken.add(name.lower())
                surnames.append(name)
        m.surnames = surnames
        places = list(realwords.PLACES)
        while len(places) < 200:
            name = (syllables(rng.choice((1, 2))) + rng.choice(_PLACE_SUFFIXES)).capitalize()
            if name.isalpha() and name.lower() not in taken:
                taken.add(name.lower())
                places.append(name)
        m.places = places

        mid = m.ranked[200:8000]
        pseudo_phrases = {f"{rng.choice(mid)} {rng.choice(mid)}" for _ in range(160)}
        m.collocations = list(realwords.COLLOCATIONS) + sorted(pseudo_phrases)

        names = [
            f"The {a} {n}" for a in realwords.SOURCE_ADJECTIVES for n in realwords.SOURCE_NOUNS
        ]
        m.sources = rng.sample(names, 40)
        m.source_cum = _cumulative(_zipf_weights(40, 0.8, 1.0))

        topical = m.ranked[150:20000]
        topical_cum = _cumulative(_zipf_weights(len(topical), 0.6, 50.0))
        for _ in range(300):
            m.topics.append(
                Topic(
                    words=list(dict.fromkeys(rng.choices(topical, cum_weights=topical_cum, k=30))),
                    people=[(rng.choice(m.first_names), rng.choice(m.surnames)) for _ in range(6)],
                    places=rng.sample(m.places, 3),
                    phrases=rng.sample(m.collocations, 3),
                )
            )
        m.topic_cum = _cumulative(_zipf_weights(300, 0.7, 1.0))
        return m


def build_pool(model: Model, size: int = POOL_SENTENCES) -> tuple[list[str], array[int]]:
    """Zipf-sampled sentences: the bulk of every article's text."""
    rng = random.Random(f"pool-{model.seed}")
    ranked, cum = model.ranked, model.cum
    sentences: list[str] = []
    counts: array[int] = array("H")
    choices, randint, rand = rng.choices, rng.randint, rng.random
    for _ in range(size):
        n = randint(6, 28)
        toks = choices(ranked, cum_weights=cum, k=n)
        if rand() < 0.1:
            number = rng.choice(
                (
                    str(randint(2, 99)),
                    f"{randint(1, 999)},{randint(0, 999):03d}",
                    f"{randint(1, 99)}%",
                )
            )
            toks.insert(randint(0, n), number)
        if rand() < 0.35:
            at = randint(2, len(toks) - 1)
            toks[at - 1] += ","
        first = toks[0]
        toks[0] = first[:1].upper() + first[1:]
        sentences.append(" ".join(toks) + ("?" if rand() < 0.02 else "."))
        counts.append(len(toks))
    return sentences, counts


@dataclass
class GeneratedArticle:
    index: int
    title: str
    paragraphs: list[str]
    date: dt.date | None
    source: str
    author: str | None
    url: str
    words: int


class ArticleStream:
    """Articles in order; article ``i`` depends only on the seed and ``i``'s predecessors."""

    def __init__(self, model: Model, pool: list[str], counts: array[int]) -> None:
        self.model = model
        self.pool = pool
        self.counts = counts
        self.rng = random.Random(f"articles-{model.seed}")
        self.days = (LAST_DAY - FIRST_DAY).days + 1
        #: Pool sentences used by the first STABLE_PREFIX articles.
        self.stable_sentences: list[int] = []

    def _person(self, topic: Topic) -> str:
        first, last = self.rng.choice(topic.people)
        return f"{first} {last}" if self.rng.random() < 0.6 else last

    def _topical_sentence(self, topic: Topic) -> tuple[str, int]:
        rng, m = self.rng, self.model
        toks: list[str] = []
        n = rng.randint(8, 18)
        fw = m.function_words
        while len(toks) < n:
            r = rng.random()
            if r < 0.38:
                toks.append(rng.choice(topic.words))
            elif r < 0.66:
                toks.append(fw[int(len(fw) * rng.random() ** 2)])
            elif r < 0.76:
                toks.extend(rng.choice(topic.phrases).split())
            elif r < 0.86:
                toks.extend(self._person(topic).split())
            elif r < 0.93:
                toks.append(rng.choice(topic.places))
            else:
                toks.append(m.ranked[int(rng.paretovariate(1.0)) % len(m.ranked)])
        toks[0] = toks[0][:1].upper() + toks[0][1:]
        return " ".join(toks) + ".", len(toks)

    def _title(self, topic: Topic, sentence_case: bool) -> str:
        rng = self.rng
        parts: list[str] = []
        r = rng.random()
        if r < 0.35:
            parts.extend(self._person(topic).split())
        elif r < 0.6:
            parts.append(rng.choice(topic.places))
        n = rng.randint(5, 11)
        while len(parts) < n:
            r = rng.random()
            if r < 0.55:
                parts.append(rng.choice(topic.words))
            elif r < 0.7:
                parts.extend(rng.choice(topic.phrases).split())
            else:
                parts.append(rng.choice(self.model.function_words[:40]))
        if sentence_case:
            return parts[0][:1].upper() + parts[0][1:] + " " + " ".join(parts[1:])
        return " ".join(p[:1].upper() + p[1:] if len(p) > 3 else p for p in parts)

    def next(self, index: int) -> GeneratedArticle:
        rng, m = self.rng, self.model
        topic = m.topics[rng.choices(range(300), cum_weights=m.topic_cum)[0]]
        source = m.sources[rng.choices(range(40), cum_weights=m.source_cum)[0]]
        length = int(rng.lognormvariate(math.log(MEDIAN_WORDS), LENGTH_SIGMA))
        length = max(40, min(5000, length))
        date = None
        if rng.random() >= UNDATED_SHARE:
            # Somewhat more articles in recent years.
            date = FIRST_DAY + dt.timedelta(days=int(self.days * rng.random() ** 0.8))
        author = None
        if rng.random() < 0.65:
            author = f"{rng.choice(m.first_names)} {rng.choice(m.surnames)}"
        sentences: list[str] = []
        total = 0
        pool, counts, npool = self.pool, self.counts, len(self.pool)
        stable = index < STABLE_PREFIX
        while total < length:
            if rng.random() < TOPICAL_SHARE:
                text, n = self._topical_sentence(topic)
            else:
                k = rng.randrange(npool)
                text, n = pool[k], counts[k]
                if stable:
                    self.stable_sentences.append(k)
            sentences.append(text)
            total += n
        paragraphs: list[str] = []
        i = 0
        while i < len(sentences):
            step = rng.randint(2, 6)
            paragraphs.append(" ".join(sentences[i : i + step]))
            i += step
        title = self._title(topic, sentence_case=rng.random() < 0.5)
        domain = source.lower().replace("the ", "").replace(" ", "") + ".example"
        slug = "-".join(title.lower().split()[:6])
        year = date.year if date else 2020
        url = f"https://{domain}/{year}/{slug}-{index}"
        return GeneratedArticle(index, title, paragraphs, date, source, author, url, total)


def _iso(date: dt.date) -> str:
    return date.isoformat()


def _datetime_text(rng: random.Random, date: dt.date, zone: str) -> str:
    return f"{date.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00{zone}"


def _rfc2822(rng: random.Random, date: dt.date) -> str:
    return (
        f"{_DAYS[date.weekday()]}, {date.day:02d} {_MONTH_ABBR[date.month - 1]} {date.year} "
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 +0000"
    )


def _english(date: dt.date) -> str:
    return f"{_MONTHS[date.month - 1]} {date.day}, {date.year}"


def _front_matter(a: GeneratedArticle, rng: random.Random) -> str:
    lines = ["---", f'title: "{a.title}"']
    if a.date is not None:
        r = rng.random()
        if r < 0.7:
            lines.append(f"date: {_iso(a.date)}")
        elif r < 0.9:
            lines.append(f"date: {_english(a.date)}")
        else:
            lines.append(f"date: {_datetime_text(rng, a.date, '+02:00')}")
    lines.append(f"source: {a.source}")
    if a.author:
        lines.append(f"author: {a.author}")
    lines.append(f"url: {a.url}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _markdown_body(a: GeneratedArticle, rng: random.Random) -> str:
    out: list[str] = []
    for i, para in enumerate(a.paragraphs):
        if i and rng.random() < 0.15:
            out.append("## " + " ".join(para.split()[: rng.randint(3, 6)]).rstrip(".,?"))
        if rng.random() < 0.25:
            first, _, rest = para.partition(" ")
            para = f"**{first}** {rest}"
        out.append(para)
    return "\n\n".join(out)


def _record(a: GeneratedArticle, body: str, style: str, rng: random.Random) -> dict[str, Any]:
    if style == "newsapi":
        obj: dict[str, Any] = {
            "source": {"id": None, "name": a.source},
            "author": a.author,
            "title": a.title,
            "url": a.url,
        }
        if a.date is not None:
            obj["publishedAt"] = _datetime_text(rng, a.date, "Z")
        obj["content"] = body
        return obj
    obj = {"title": a.title, "body": body, "source": a.source}
    if a.date is not None:
        r = rng.random()
        if r < 0.85:
            obj["date"] = _iso(a.date)
        elif r < 0.95:
            obj["date"] = _datetime_text(rng, a.date, "-05:00")
        else:
            obj["date"] = _rfc2822(rng, a.date)
    if a.author:
        obj["author"] = a.author
    obj["url"] = a.url
    return obj


def generate(size: int, out: Path, *, seed: int = 1, layout: str = "mixed") -> dict[str, Any]:
    """Write a corpus of ``size`` articles (and its query mix) under ``out``."""
    started = time.perf_counter()
    model = Model.build(seed)
    pool, counts = build_pool(model)
    stream = ArticleStream(model, pool, counts)
    fmt_rng = random.Random(f"formats-{seed}")

    if out.exists():
        shutil.rmtree(out)
    articles_dir = out / "articles"
    articles_dir.mkdir(parents=True)
    raw_bytes = 0
    file_bytes = 0
    files = {"jsonl": 0, "txt": 0, "md": 0}
    per_format = {"jsonl": 0, "txt": 0, "md": 0}
    undated = 0
    lengths: list[int] = []
    shard: list[str] = []
    shard_no = 0

    def flush_shard() -> None:
        nonlocal shard, shard_no, file_bytes
        if not shard:
            return
        path = articles_dir / "jsonl" / f"shard-{shard_no:05d}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = ("\n".join(shard) + "\n").encode("utf-8")
        path.write_bytes(data)
        file_bytes += len(data)
        files["jsonl"] += 1
        shard = []
        shard_no += 1

    for i in range(size):
        a = stream.next(i)
        r = fmt_rng.random()
        if layout == "files":
            fmt = "txt" if r < 0.5 else "md"
        else:
            fmt = "jsonl" if r < 0.8 else "txt" if r < 0.9 else "md"
        per_format[fmt] += 1
        lengths.append(a.words)
        undated += a.date is None
        if fmt == "jsonl":
            body = "\n\n".join(a.paragraphs)
            style = "newsapi" if shard_no % 4 == 3 else "plain"
            shard.append(json.dumps(_record(a, body, style, fmt_rng), ensure_ascii=False))
            if len(shard) >= SHARD_ARTICLES:
                flush_shard()
        else:
            if fmt == "md":
                body = _markdown_body(a, fmt_rng)
                text = _front_matter(a, fmt_rng) + f"\n# {a.title}\n\n{body}\n"
            else:
                body = "\n\n".join(a.paragraphs)
                text = _front_matter(a, fmt_rng) + f"\n{body}\n"
            path = articles_dir / fmt / f"{i // 1000:03d}" / f"article-{i:07d}.{fmt}"
            if i % 1000 == 0 or not path.parent.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            path.write_bytes(data)
            file_bytes += len(data)
            files[fmt] += 1
        raw_bytes += len(a.title.encode("utf-8")) + len(body.encode("utf-8"))
    flush_shard()

    queries = make_queries(model, pool, stream.stable_sentences, seed)
    save_queries(out / "queries.json", queries)
    lengths.sort()
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "size": size,
        "layout": layout,
        "count": size,
        "raw_text_bytes": raw_bytes,
        "file_bytes": file_bytes,
        "files": files,
        "articles_by_format": per_format,
        "undated": undated,
        "words_median": lengths[len(lengths) // 2] if lengths else 0,
        "words_mean": round(sum(lengths) / len(lengths), 1) if lengths else 0,
        "words_total": sum(lengths),
        "sources": len(model.sources),
        "vocabulary": len(model.ranked),
        "queries": len(queries),
        "articles_dir": "articles",
        "generate_seconds": round(time.perf_counter() - started, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


# -- the query mix ------------------------------------------------------------


def _plain(word: str) -> str:
    return word.strip(".,?").lower()


def _date_range(rng: random.Random, kind: str) -> tuple[str, str]:
    year = rng.randint(FIRST_DAY.year, LAST_DAY.year)
    if kind == "year":
        return f"{year}-01-01", f"{year}-12-31"
    if kind == "quarter":
        q = rng.randint(0, 3)
        first = dt.date(year, 3 * q + 1, 1)
        last = (dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - dt.timedelta(days=1)
        return first.isoformat(), last.isoformat()
    month = rng.randint(1, 12)
    first = dt.date(year, month, 1)
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return first.isoformat(), last.isoformat()


def _misspell(rng: random.Random, word: str) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(20):
        i = rng.randint(1, len(word) - 2)
        op = rng.random()
        if op < 0.4:
            new = word[:i] + rng.choice(letters) + word[i + 1 :]
        elif op < 0.7:
            new = word[:i] + word[i + 1 :]
        else:
            new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if new != word:
            return new
    return word + "x"


def make_queries(
    model: Model, pool: list[str], stable: list[int], seed: int, per_class: int = 30
) -> list[BenchQuery]:
    """The fixed, seeded query mix (``per_class`` queries in each class)."""
    rng = random.Random(f"queries-{seed}")
    fw = set(model.function_words)
    content = [w for w in model.content_words if w.isalpha()]
    high = [w for w in model.ranked[150:2000] if w not in fw]
    mid = [w for w in model.ranked[2000:15000] if w not in fw]
    topics = model.topics
    surnames = [s for s in model.surnames if s.isascii()]
    queries: list[BenchQuery] = []

    def add(kind: str, words: Sequence[str], **kw: Any) -> None:
        n = sum(1 for q in queries if q.kind == kind)
        queries.append(BenchQuery(f"{kind}-{n:02d}", kind, tuple(w.lower() for w in words), **kw))

    singles = (
        rng.sample(content, 8)
        + rng.sample(high, 8)
        + rng.sample(mid, 8)
        + rng.sample(surnames, 3)
        + [p for p in rng.sample(model.places, 12) if p.isascii() and p.isalpha()][:3]
    )
    for w in singles[:per_class]:
        add("single", [w])

    for kind in ("and", "or"):
        for i in range(per_class):
            if i % 3 == 2:
                pair = [rng.choice(high), rng.choice(mid)]
            else:
                topic = rng.choice(topics)
                pair = rng.sample(topic.words, 2)
            add(kind, pair)

    # Phrases: set phrases and 2-3 word slices of sentences the corpus holds.
    phrases: list[list[str]] = []
    stable_unique = list(dict.fromkeys(stable))
    real_phrases = list(model.collocations[: len(realwords.COLLOCATIONS)])
    for c in rng.sample(real_phrases, per_class // 3):
        phrases.append(c.split())
    while len(phrases) < per_class:
        toks = [_plain(t) for t in pool[rng.choice(stable_unique)].split()]
        n = rng.choice((2, 2, 3))
        start = rng.randint(0, len(toks) - n)
        words_ = toks[start : start + n]
        if all(w.isalpha() for w in words_) and not all(w in fw for w in words_):
            phrases.append(words_)
    for p in phrases:
        add("phrase", p)

    slops: list[tuple[list[str], int]] = []
    while len(slops) < per_class:
        toks = [_plain(t) for t in pool[rng.choice(stable_unique)].split()]
        gap = rng.choice((1, 2))
        if len(toks) < gap + 2:
            continue
        start = rng.randint(0, len(toks) - gap - 2)
        pair = [toks[start], toks[start + gap + 1]]
        if all(w.isalpha() for w in pair) and not all(w in fw for w in pair):
            slops.append((pair, 3))
    for pair, slop in slops:
        add("slop", pair, slop=slop)

    for i, p in enumerate(phrases):
        low, high_ = _date_range(rng, ("month", "quarter", "year")[i % 3])
        add("phrase_date", p, date_from=low, date_to=high_)

    prefix_words = rng.sample(content, per_class // 3) + rng.sample(high + mid, per_class)
    prefixes: list[str] = []
    for w in prefix_words:
        if len(w) >= 5:
            pre = w[: rng.choice((3, 4, 4, 5))]
            if pre not in prefixes:
                prefixes.append(pre)
    for pre in prefixes[:per_class]:
        add("prefix", [pre])

    fuzzy_src = rng.sample([w for w in content if len(w) >= 6], per_class // 2) + rng.sample(
        [w for w in high if len(w) >= 6], per_class
    )
    for w in fuzzy_src[:per_class]:
        add("fuzzy", [_misspell(rng, w)])

    for _ in range(per_class):
        topic = rng.choice(topics)
        add("field", [rng.choice(topic.words)])

    for i in range(per_class):
        low, high_ = _date_range(rng, ("month", "quarter", "year")[i % 3])
        add("browse", [], date_from=low, date_to=high_)
    return queries


def read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def ensure_corpus(size: int, out: Path, *, seed: int, layout: str = "mixed") -> dict[str, Any]:
    """The manifest of the corpus at ``out``, generating it unless it is already there."""
    manifest = read_manifest(out)
    if (
        manifest is not None
        and manifest.get("generator_version") == GENERATOR_VERSION
        and manifest.get("seed") == seed
        and manifest.get("size") == size
        and manifest.get("layout") == layout
        and (out / "queries.json").exists()
    ):
        return manifest
    return generate(size, out, seed=seed, layout=layout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate", description="Write a news-like test corpus."
    )
    parser.add_argument("--size", type=int, default=1000, help="articles (e.g. 1000, 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--layout", choices=("mixed", "files"), default="mixed")
    parser.add_argument("--out", type=Path, help="folder (default benchmarks/corpora/SIZE-sSEED)")
    args = parser.parse_args(argv)
    out = args.out or Path(__file__).parent / "corpora" / f"{args.size}-s{args.seed}"
    manifest = generate(args.size, out, seed=args.seed, layout=args.layout)
    json.dump(manifest, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
