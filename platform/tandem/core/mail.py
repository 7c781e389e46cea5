"""Every e-mail Tandem sends goes through ``send``: one subject rule, one failure rule.

A subject is one line: a line break in it (a meeting title from a partner's file, say)
makes Django refuse the whole message with ``BadHeaderError``. A message that cannot go
is logged and reported to the caller, never raised: the next recipient still gets theirs,
and the caller decides whether to try again on its next run.
"""

import logging

from django.core.mail import send_mail

logger = logging.getLogger(__name__)

SUBJECT_LENGTH = 150


def subject_line(text, limit=SUBJECT_LENGTH):
    """``text`` as a safe subject: one line (breaks and tabs become spaces), at most ``limit``."""
    line = " ".join(str(text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def send(*, subject, body, to):
    """Send one message to one address; True when the mail backend took it."""
    try:
        send_mail(subject_line(subject), body, None, [to])
    except Exception:  # BadHeaderError, SMTP and connection errors: this recipient only
        logger.exception("E-mail to one recipient could not be sent (subject %r)", subject[:60])
        return False
    return True
