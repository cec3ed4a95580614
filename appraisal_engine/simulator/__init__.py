"""The simulator: scripted actors, generated rosters and simulated cycles on a time-skipping
server, for demos, tests and benchmarks. It is given its server and worker; it never imports the
composition root."""
