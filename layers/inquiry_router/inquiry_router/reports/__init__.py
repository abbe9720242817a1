"""What a sales manager reads about the team: response times in business hours, SLA, outcomes."""
