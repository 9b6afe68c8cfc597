"""Trying the engine on one machine: a local Twilio-compatible server and `foad sms`."""
