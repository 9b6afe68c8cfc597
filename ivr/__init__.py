"""Voice intake: Asterisk call flows over FastAGI (or plain AGI), prompts, and a test peer."""
