"""The `foad` command's groups, one module each; foad.cli puts them together."""
