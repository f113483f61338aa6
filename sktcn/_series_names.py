"""How sktcn's messages name one series of a panel or hierarchy.

:func:`sktcn._windows.series_of` keys every series by the tuple of its values
on the index levels above time, a 1-tuple for a panel's one level. A message
that printed that tuple would name series ``'b'`` as ``('b',)``.
"""


def series_name(key):
    """How a message names the series of :func:`sktcn._windows.series_of`'s ``key``: the bare value of a one-level key.

    Examples
    --------
    >>> from sktcn._series_names import series_name
    >>> series_name(("b",)), series_name(("north", 3))
    ("'b'", "('north', 3)")
    """
    return repr(key[0] if isinstance(key, tuple) and len(key) == 1 else key)
