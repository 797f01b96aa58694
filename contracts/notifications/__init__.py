"""Notifications that leave the app: email (immediate or a daily digest) and signed webhooks,
fanned out when an SLA breach opens or resolves, to the producer, each consumer team's members
and the subscribers of the contract."""
