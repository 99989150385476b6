"""Adaptations followed through: an owner and a date, asked about then and at the next retro."""
