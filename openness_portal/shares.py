"""One way to print a share in per cent everywhere: rounded half up, as people round (12,5 % → 13 %)."""

from decimal import ROUND_HALF_UP, Decimal


def percent(part: int, whole: int, *, places: int = 0) -> Decimal | None:
    """`part` of `whole` in per cent to `places` decimals; None when there is no whole to share."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def whole_percent(part: int, whole: int) -> int | None:
    share = percent(part, whole)
    return None if share is None else int(share)
