"""Microsoft Teams: Bot Framework activities in, Adaptive Cards and text out."""
