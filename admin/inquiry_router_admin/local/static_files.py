"""The repository's examples/ folder served as-is, so the contact form can be tried in a browser."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from inquiry_router_admin.local.http_events import HttpResponse

MOUNT = "/examples/"
FORM_PATH = "/examples/contact-form.html"
_TEXT_TYPES = ("application/javascript", "application/json", "image/svg+xml")


class StaticFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def respond(self, raw_path: str) -> HttpResponse | None:
        """The answer to a GET of this path, or None when it is not a static path."""
        if raw_path == "/":
            return HttpResponse(302, [("Location", FORM_PATH)])
        if not raw_path.startswith(MOUNT):
            return None
        file = self._file(unquote(raw_path[len(MOUNT) :]))
        if file is None:
            return None
        return HttpResponse(
            200,
            [("Content-Type", content_type(file)), ("Cache-Control", "no-store")],
            file.read_bytes(),
        )

    def _file(self, relative: str) -> Path | None:
        """The file under the folder, refusing anything that would step outside it."""
        if not relative or "\x00" in relative or "\\" in relative:
            return None
        candidate = (self.folder / relative).resolve()
        if not candidate.is_relative_to(self.folder) or not candidate.is_file():
            return None
        return candidate


def content_type(file: Path) -> str:
    guessed, _ = mimetypes.guess_type(file.name)
    media_type = guessed or "application/octet-stream"
    if media_type.startswith("text/") or media_type in _TEXT_TYPES:
        return f"{media_type}; charset=utf-8"
    return media_type
