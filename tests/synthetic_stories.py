"""Synthetic stories for the content-warning checks at scale: tests/test_content_warnings.py and
the benchmark that times them (scripts/bench_content.py) use the same corpus."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from digest.model import Source, Story


def synthetic(count: int) -> list[Story]:
    """`count` stories, 70 a week, headlines of 5 to 9 words from a newsroom-like vocabulary
    (a few words in many headlines, a long tail), each story citing two URLs of its own."""
    rng = random.Random(4)
    vocabulary = [f"word{n}" for n in range(3_000)]
    cum_weights = list(itertools.accumulate(1 / (rank + 3) for rank in range(len(vocabulary))))
    start = dt.date(2020, 1, 6)
    stories = []
    for i in range(count):
        day = start + dt.timedelta(days=i // 10)
        stories.append(Story(
            slug=f"s{i}", path=f"stories/s{i}.md", title=" ".join(rng.choices(vocabulary, cum_weights=cum_weights, k=rng.randint(5, 9))),
            summary="x", published=dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc), edition=day,
            tags=("t",), countries=(), body_markdown="Body",
            sources=(Source("A", f"https://a.example/{i}"), Source("B", f"https://b.example/{i}")),
            line_of={"title": 2, "sources": 6}, shown_path=f"content/stories/s{i}.md",
        ))
    return stories
