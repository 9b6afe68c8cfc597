"""The supervisor and inspector console: Flask blueprints, Persian and right-to-left."""
