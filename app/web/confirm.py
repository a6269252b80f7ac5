"""A confirmation page for a one-click action that cannot be undone (close a paper batch,
deactivate an account): a GET page that says the consequence in plain words, with one POST
button and a way back. No JavaScript: the button that used to act now leads here. The POST
it sends carries the state it was made for, so Back, a reload or a second tab never acts
twice (the route compares it, as before)."""

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.web.render import render


@dataclass
class Confirmation:
    heading: str
    consequence: str  # what happens, and that it cannot be undone
    action: str  # where the button posts
    button: str
    back: str  # where "No, go back" leads
    hidden: dict[str, str] = field(default_factory=dict)


def confirm_page(
    request: Request, confirmation: Confirmation, *, staff: bool, context: dict | None = None
) -> HTMLResponse:
    """`staff`: drawn in the organizers' frame (their menu and the process's tabs)."""
    template = "staff/confirm.html" if staff else "confirm.html"
    return render(request, template, {**(context or {}), "confirm": confirmation})
