"""One respondent, one response: the normalised e-mail and its keyed hash (the only form the address is kept in)."""

import hashlib
import hmac

from django.conf import settings

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def normalise_email(email: str) -> str:
    """«Ivanov+opros@Example.RU » and «ivanov@example.ru» are one respondent: case, spaces and a «+tag»
    are dropped; for Gmail, whose addresses ignore dots, the dots of the name too."""
    email = (email or "").strip().lower()
    name, _, domain = email.rpartition("@")
    if not name:
        return email
    name = name.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        name, domain = name.replace(".", ""), "gmail.com"
    return f"{name}@{domain}"


def email_digest(email: str) -> str:
    """A keyed hash (the secret key salts it, so a list of addresses cannot be hashed and matched)."""
    key = f"survey-respondent|{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalise_email(email).encode(), hashlib.sha256).hexdigest()
