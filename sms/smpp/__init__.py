"""The SMPP 3.4 link to the mobile operator's SMSC (`foad smpp`); see docs/smpp.md."""
