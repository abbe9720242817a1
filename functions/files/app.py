"""Files function: `GET /files/{token}`, a download link in a rep's mail, answered with a redirect
to a short-lived presigned URL (or a page saying the link expired)."""

from inquiry_router.base.observability import instrument
from inquiry_router.entry.files_api import handle
from inquiry_router.entry.settings import pipeline_settings

# At init, not at the first request: a missing variable fails the start and names itself.
pipeline_settings()

handler = instrument(handle)
