"""Tokens that let their holder in travel in URL paths: sign-in and invitation links,
unsubscribe links, the calendar feed's secret, password resets. A log must never keep one
(a log is read by more people than the patient, and kept longer than the link lives).

``install()`` redacts them from every log record the process makes, whatever the logger
(Django's request and CSRF warnings, the development server's request lines, gunicorn's
access log, our own), at the moment the record is made: handlers, formatters and anything
that captures records see only the redacted text. gunicorn.conf.py redacts its access log
with the same pattern before the app is loaded.
"""

import logging
import re

SECRET_PATH = re.compile(
    r"/(plan/calendar|plan/unsubscribe|accounts/invite|accounts/sign-in|accounts/reset)/"
    r"[^\s?#\"'<>]*"
)


def redact(text: str) -> str:
    return SECRET_PATH.sub(lambda match: f"/{match.group(1)}/…", text)


def _redacted(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float)) or value is None:
        return value  # numbers keep their %d and %.2f formatting
    # Anything else (a request object, a URL object) is logged as its text: redact that.
    text = str(value)
    return redact(text) if SECRET_PATH.search(text) else value


def _redact_record(record: logging.LogRecord) -> None:
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redacted(arg) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _redacted(value) for key, value in record.args.items()}


def install() -> None:
    """Make every log record of this process redact secret-bearing paths (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_secret_paths", False):
        return

    def factory(*args, **kwargs):
        record = current(*args, **kwargs)
        _redact_record(record)
        return record

    factory.redacts_secret_paths = True
    logging.setLogRecordFactory(factory)
