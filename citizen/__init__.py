"""The citizen page: file a complaint from any phone browser, and follow it."""
