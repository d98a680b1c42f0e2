"""Simulated users: one browser-like session on the app's HTTP API each, and their checks."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.ui.chat import ERROR_LABEL, PENDING
from assistant.ui.tabs.questions import EXAMPLE_QUESTIONS
from tests.load import ROOT
from tests.load.recorder import Recorder, Sample

DRAFTS: tuple[tuple[Path, str], ...] = (
    (ROOT / "examples" / "brouillon-valide.json", "oui"),
    (ROOT / "examples" / "brouillon-avec-erreurs.json", "non"),
)
"""The drafts uploaded in turn, with the "Conforme" cell each must get."""
CHAT_TURNS = 5
"""Questions asked in one chat before the user starts a new one."""
REQUEST_TIMEOUT = 120.0


def text_of(content: Any) -> str:
    """The text of a chat message's content (a string, or Gradio's list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, list):
        return " ".join(text_of(part) for part in content)
    return ""


class AppError(Exception):
    """The app answered with an error (a ``gr.Error`` pop-up, an unexpected failure)."""


class GradioSession:
    """One browser-like session on the app's HTTP API, over one keep-alive connection.

    Non-queued events go through ``/gradio_api/run/<name>`` (as the page does), queued ones
    through ``/gradio_api/call/<name>`` and its event stream; the session hash carries the
    ``gr.State`` values from one event to the next, as in the browser.
    """

    def __init__(self, url: str) -> None:
        import httpx

        self.http = httpx.Client(
            base_url=f"{url}gradio_api/", timeout=REQUEST_TIMEOUT, trust_env=False
        )
        self.session_hash = uuid.uuid4().hex[:12]

    def _body(self, data: Sequence[Any]) -> dict[str, Any]:
        return {"data": list(data), "session_hash": self.session_hash}

    def run(self, api_name: str, *data: Any) -> list[Any]:
        """Call a non-queued event; its outputs."""
        response = self.http.post(f"run/{api_name}", json=self._body(data))
        if response.status_code == 500:
            raise AppError(str(response.json().get("error")))
        response.raise_for_status()
        return list(response.json()["data"])

    def call(self, api_name: str, *data: Any) -> list[Any]:
        """Call a queued event and wait for its final outputs."""
        deadline = time.monotonic() + REQUEST_TIMEOUT
        response = self.http.post(f"call/{api_name}", json=self._body(data))
        response.raise_for_status()
        event_id = response.json()["event_id"]
        event = ""
        with self.http.stream("GET", f"call/{api_name}/{event_id}") as stream:
            stream.raise_for_status()
            for line in stream.iter_lines():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"/{api_name}: no result after {REQUEST_TIMEOUT:.0f} s")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = json.loads(line[5:])
                    if event == "error":
                        raise AppError(str(payload))
                    return list(payload)
        raise AppError(f"/{api_name}: the event stream ended without a result")

    def upload(self, path: Path) -> dict[str, Any]:
        """Upload a file as the page does; the value a ``gr.File`` input then holds."""
        with path.open("rb") as handle:
            response = self.http.post("upload", files={"files": (path.name, handle)})
        response.raise_for_status()
        return {
            "path": response.json()[0],
            "orig_name": path.name,
            "size": path.stat().st_size,
            "meta": {"_type": "gradio.FileData"},
        }

    def close(self) -> None:
        """Close the connection."""
        self.http.close()


class User:
    """One simulated user: one session, questions and draft checks in turn."""

    def __init__(
        self,
        url: str,
        n: int,
        recorder: Recorder,
        *,
        questions: Sequence[str] | None = None,
        think: float = 0.0,
    ) -> None:
        self.n = n
        self.recorder = recorder
        self.think = think
        self.session = GradioSession(url)
        self.questions = list(questions or EXAMPLE_QUESTIONS)
        """The questions asked in turn (the bench gives dev-set conversations)."""
        self.history: list[Any] = []
        self.turns: list[Any] = []
        """The chat's turns as the app keeps them (its ``cpom-chat`` browser state)."""
        self.asked_in_chat = 0
        self.asked = 0
        self.verified = 0

    def _timed(self, kind: str, action: Any) -> Sample:
        start = time.monotonic()
        try:
            error = action()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        seconds = time.monotonic() - start
        sample = Sample(kind, start - self.recorder.t0, seconds, error)
        self.recorder.add(sample)
        return sample

    def ask(self, question: str | None = None) -> Sample:
        """Ask the next question (or ``question``) in the current chat."""
        if question is None:
            question = self.questions[self.asked % len(self.questions)]
        self.asked += 1
        if self.asked_in_chat >= CHAT_TURNS:
            self.history, self.turns, self.asked_in_chat = [], [], 0
        fresh = not self.history

        def action() -> str | None:
            shown, *_ = self.session.run("show_question", question, self.history)
            history, *_, turns = self.session.call("answer", shown, self.turns)
            self.history, self.asked_in_chat = history, self.asked_in_chat + 1
            if isinstance(turns, list):
                self.turns = turns
            return check_answer(self.recorder, question, history, fresh=fresh)

        return self._timed("question", action)

    def verify(self, path: Path | None = None, expected: str | None = None) -> Sample:
        """Upload a draft and check it (the example drafts in turn by default)."""
        if path is None:
            path, expected = DRAFTS[self.verified % len(DRAFTS)]
        self.verified += 1

        def action() -> str | None:
            result = self.session.call("verify", [self.session.upload(path)])
            return check_report(self.recorder, path, expected, result)

        return self._timed("verify", action)

    def run(self, deadline: float) -> None:
        """Ask and verify in turn until ``deadline`` or the end of the request budget."""
        steps = (self.ask, self.verify)
        step = 0
        while time.monotonic() < deadline and self.recorder.take():
            steps[step % 2]()
            step += 1
            if self.think:
                time.sleep(self.think)

    def close(self) -> None:
        """Close the session's connection."""
        self.session.close()


def check_answer(recorder: Recorder, question: str, history: Any, *, fresh: bool) -> str | None:
    """Why a chat after ``/answer`` is not a proper answer (None when it is)."""
    if not isinstance(history, list) or not history:
        return f"empty or unreadable chat: {str(history)[:200]!r}"
    last = history[-1]
    text = text_of(last.get("content")) if isinstance(last, dict) else ""
    if ERROR_LABEL in text:
        return f"error message in the chat: {text[:300]!r}"
    if text == PENDING or 'class="cpom-answer' not in text:
        return f"no answer: {text[:300]!r}"
    if fresh and not recorder.same_as_first(f"question:{question}", text):
        return f"not the first answer to the same question: {question!r}"
    return None


def check_report(recorder: Recorder, path: Path, expected: str | None, result: Any) -> str | None:
    """Why a ``/verify`` result is not the expected report (None when it is)."""
    summary, report, *_files = result
    rows = summary.get("value", {}).get("data") if isinstance(summary, dict) else None
    if not rows or 'class="cpom-report' not in str(report):
        return f"no report: {str(result)[:300]!r}"
    if expected is not None and rows[0][3] != expected:
        return f"{path.name}: conforme = {rows[0][3]!r}, expected {expected!r}"
    if not recorder.same_as_first(f"verify:{path}", (rows, report)):
        return f"not the first report of {path.name}"
    return None
