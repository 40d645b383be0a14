"""One extractor per document kind; each takes an open PDF and returns a `Parsed`."""
