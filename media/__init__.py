"""Photo evidence: validation, storage, EXIF, thumbnails, hashes, geotag checks."""
