"""A rep's actions on their inquiries: from the notification's links and from command lines in mail."""
