"""Central transport: specimen and patient transport tasks, rounds, scans, alerts."""
