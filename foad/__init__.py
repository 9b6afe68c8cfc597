"""The composition root: settings, the Flask app factory, logging and the `foad` command."""
