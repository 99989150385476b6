"""What a team learned over time: its stories found by their words, its learning ledger."""
