"""History and conversation: what changed on an idea or an asset (who, when, before -> after,
with the idea's ROI before and after a re-pricing), comments with @mentions, notifications."""
