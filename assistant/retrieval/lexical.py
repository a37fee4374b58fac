"""BM25 over stored tokens (bm25s), saved beside the database and rebuilt when stale."""
from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import numpy as np


class LexicalIndex:
    """A bm25s index over passages; `ids[k]` is the passage id of row k."""

    def __init__(self, retriever, ids: np.ndarray, generation: int):
        self.retriever = retriever
        self.ids = ids
        self.generation = generation
        self.row_of = {int(pid): k for k, pid in enumerate(ids)}

    @classmethod
    def build(cls, ids: list[int], token_lists: list[list[str]], generation: int) -> "LexicalIndex":
        return cls.build_pages([(ids, token_lists)], generation)

    @classmethod
    def build_pages(cls, pages: Iterable[tuple[list[int], list[list[str]]]], generation: int) -> "LexicalIndex":
        """Build from pages of (passage ids, token lists).

        Each page's tokens become vocabulary ids at once, and every occurrence of a term refers to
        the one int object stored in the vocabulary, so a 100k-passage corpus is held as lists of
        shared ints rather than tens of millions of token strings.
        """
        import bm25s
        from bm25s.tokenization import Tokenized

        vocab: defaultdict[str, int] = defaultdict()
        vocab.default_factory = vocab.__len__  # an unseen token gets the next id on first lookup
        all_ids: list[int] = []
        corpus: list[list[int]] = []
        for ids, token_lists in pages:
            all_ids.extend(ids)
            corpus.extend(list(map(vocab.__getitem__, toks)) for toks in token_lists)
        vocab = dict(vocab)
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        if vocab:
            retriever.index(Tokenized(ids=corpus, vocab=vocab), show_progress=False)
        else:
            # bm25s cannot index an empty vocabulary; one document of the empty token keeps the shapes valid
            retriever.index([[""]], show_progress=False)
        return cls(retriever, np.asarray(all_ids, dtype=np.int64), generation)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if len(self.ids) == 0:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in query_tokens if t in self.retriever.vocab_dict]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)[: len(self.ids)]

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.retriever.save(str(tmp))
        np.save(tmp / "ids.npy", self.ids)
        (tmp / "generation.json").write_text(json.dumps({"generation": self.generation}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)  # the old index stays usable until the new one is complete

    @classmethod
    def load(cls, folder: Path, generation: int) -> "LexicalIndex | None":
        """The saved index if it matches the database generation, else None (rebuild)."""
        try:
            stamp = json.loads((folder / "generation.json").read_text())["generation"]
            if stamp != generation:
                return None
            import bm25s

            retriever = bm25s.BM25.load(str(folder))
            return cls(retriever, np.load(folder / "ids.npy"), generation)
        except (OSError, ValueError, KeyError):
            return None
