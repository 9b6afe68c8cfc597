"""Protocol-faithful stand-ins for the systems at our edges, for tests and benches."""
