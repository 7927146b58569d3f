"""Transports: how discovery talks to a target (ssh now; snmp and agent later)."""
