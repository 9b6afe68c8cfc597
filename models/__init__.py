"""The domain: SQLAlchemy 2 models, tracking codes, phone numbers, the ticket lifecycle and
the one intake service every channel calls."""
