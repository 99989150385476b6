"""OKR teams, key results, learning and customer-impact stories, and metric concerns."""
