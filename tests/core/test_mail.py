"""The one way Tandem sends e-mail: subjects on one line, a failure reported, not raised."""

import logging

from tandem.core import mail


def test_subject_is_one_line_and_bounded():
    assert mail.subject_line("Reminder:\r\n“Kallio”\tsession \n") == "Reminder: “Kallio” session"
    long = mail.subject_line("word " * 100)
    assert len(long) <= mail.SUBJECT_LENGTH and long.endswith("…")


def test_a_message_that_cannot_go_is_logged_and_reported(mailoutbox, caplog):
    with caplog.at_level(logging.ERROR, logger="tandem.core.mail"):
        assert not mail.send(subject="Hello", body="x", to="someone@example.org\r\nBcc: a@b.c")
    assert mailoutbox == []
    assert "could not be sent" in caplog.text


def test_a_subject_with_line_breaks_goes(mailoutbox):
    assert mail.send(subject="Hello\r\nBcc: a@example.org", body="x", to="p@example.org")
    assert mailoutbox[0].subject == "Hello Bcc: a@example.org"
