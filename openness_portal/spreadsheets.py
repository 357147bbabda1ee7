"""One rule for every export: text that a spreadsheet would read as a formula stays text."""

# Excel and LibreOffice start a formula on any of these (OWASP «CSV injection»).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def quote_formula(value):
    """For CSV and plain cells: a leading quote makes the spreadsheet show the text as typed."""
    return "'" + value if looks_like_formula(value) else value
