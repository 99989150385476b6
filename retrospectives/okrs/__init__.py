"""Teams, their key results, learning and customer-impact stories, metric concerns, the coach."""
