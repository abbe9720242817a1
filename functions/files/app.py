"""Files function: `GET /files/{token}`, a download link in a rep's mail, answered with a redirect
to a short-lived presigned URL (or a page saying the link expired).

Its composition root, entry/files_function.py, is built once here, at init: the settings are
validated (a missing variable fails the start, naming itself) and the clients are made.
"""

import os

from inquiry_router.entry.files_function import build_files

function = build_files(os.environ)
handler = function.handler
