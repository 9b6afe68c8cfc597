"""The SMS channel: the Twilio webhook, what an inbound text means, and SMS providers."""
