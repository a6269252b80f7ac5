"""The one error the counting engine raises for input a person must fix."""


class TallyError(ValueError):
    """Bad rules or ballots. The message says what to change; the service maps it to a 4xx."""
