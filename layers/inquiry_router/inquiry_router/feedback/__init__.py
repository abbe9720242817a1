"""Sending feedback: what SES says became of our own mail (bounces, complaints, deliveries, delays,
rejections), on the contact, the inquiry's timeline and, for a dead buyer address, the owner's mail."""
