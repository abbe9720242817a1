"""`GET /files/{token}`: the download links in reps' mail, redirected to a fresh presigned URL."""
