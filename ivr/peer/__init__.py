"""A stand-in for Asterisk's side of AGI, byte for byte, scripted with what a caller does.

Used by the tests, by `foad call` (a call without Asterisk) and by the benchmark.
`channel.Channel` is the simulated channel (no I/O); `dial` drives it over FastAGI or pipes.
"""
