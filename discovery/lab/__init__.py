"""Local stand-ins for real infrastructure, bound to loopback only (demo, lab, tests)."""
