"""Entry points: the okrbot command, the HTTP server, the demo, and the build from settings."""
