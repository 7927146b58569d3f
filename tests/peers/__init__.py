"""Real peers (servers) that tests start on loopback and stop by PID (DESIGN §7)."""
