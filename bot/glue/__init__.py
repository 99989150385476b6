"""Platform SDK stores kept in our database: Slack installations, Teams conversation references."""
