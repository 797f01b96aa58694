"""Stored figures: each idea's ROI report computed once, kept fresh by versioned invalidation.

codec.py (pure) turns reports into JSON and back; store.py reads, invalidates and refreshes
them; invalidation.py bumps versions on every write that can change a figure; tasks.py
refreshes in the background.
"""
