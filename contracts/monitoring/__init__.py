"""Scheduled checks of every active contract's SLA, whether or not a consumer runs, and the
contract's health over time."""
