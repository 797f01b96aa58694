from __future__ import annotations

from django import forms

from valuechain import models as m


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=m.COMMENT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": m.COMMENT_MAX_LENGTH}),
        help_text="Plain text. Mention someone with @username to notify them.",
        error_messages={"required": "Write something before posting."},
    )
