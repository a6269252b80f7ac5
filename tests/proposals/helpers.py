from tests.ideas.helpers import advance, create_process, submit_idea


def developing(client, organizer, ideas: int = 3, **fields) -> tuple[int, list[int]]:
    """A process in proposal_development with `ideas` ideas; returns (process id, idea ids)."""
    pid = create_process(client, organizer, **fields)["id"]
    advance(client, organizer, pid, "idea_collection")
    made = [
        submit_idea(client, pid, organizer.headers, title=f"Idea {n}")["id"] for n in range(ideas)
    ]
    advance(client, organizer, pid, "proposal_development")
    return pid, made


EQUITY = {
    "goal": "Less food wasted; fuller pantry shelves.",
    "stakeholders": "Grocers, pantry volunteers; pantry users choose the routes.",
    "benefits": "Families who use pantries in high-poverty neighborhoods.",
    "burdens": "Volunteer time; pantries need storage space.",
    "equity_impact": "Fresh food in neighborhoods with few grocery stores.",
    "needs": "A refrigerated van and agreements with donors.",
}
TRANSLATIONS = {
    "es": {"title": "Recuperación de alimentos", "summary": "Comida para las despensas."},
    "vi": {"title": "Thu hồi thực phẩm", "summary": "Thực phẩm cho các kho thực phẩm."},
}


def proposal_body(idea_ids: list[int], /, **fields) -> dict:
    """A proposal ready for the ballot of an en/es/vi process: every language, every answer
    of the equity assessment (override `translations` or `equity_assessment` to leave out)."""
    body = {
        "title": "Food recovery",
        "summary": "Bring landfill-bound food to community pantries.",
        "cost_cents": 40_000_00,
        "idea_ids": idea_ids,
        "translations": TRANSLATIONS,
        "equity_assessment": EQUITY,
    }
    body.update(fields)
    return body


def create_proposal(client, staff, pid: int, idea_ids: list[int], **fields) -> dict:
    r = client.post(
        f"/api/processes/{pid}/proposals",
        json=proposal_body(idea_ids, **fields),
        headers=staff.headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def approve(client, organizer, proposal_id: int) -> dict:
    r = client.post(f"/api/proposals/{proposal_id}/approve", headers=organizer.headers)
    assert r.status_code == 200, r.text
    return r.json()
