import csv
import io

from tests.ideas.helpers import advance, create_process, submit_idea


def rows(response):
    return list(csv.DictReader(io.StringIO(response.text)))


def test_ideas_csv_is_public_without_contact_details_or_hidden_ideas(client, organizer):
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    kept = submit_idea(
        client,
        pid,
        title='=HYPERLINK("x")',
        description="Lights, please.",
        contact_name="Rosa Parks",
        contact_email="rosa@example.org",
    )
    hidden = submit_idea(client, pid, title="Spam", description="Buy things.")
    r = client.post(
        f"/api/ideas/{hidden['id']}/hide",
        headers=organizer.headers,
        json={"reason": "Advertising, not an idea."},
    )
    assert r.status_code == 200, r.text

    public = client.get(f"/api/processes/{pid}/exports/ideas.csv")
    assert public.status_code == 200 and public.headers["content-type"].startswith("text/csv")
    assert [row["idea_id"] for row in rows(public)] == [str(kept["id"])]
    assert "contact_email" not in public.text.splitlines()[0] and "rosa" not in public.text
    # A title a spreadsheet would run as a formula is written as text.
    assert rows(public)[0]["title"] == '\'=HYPERLINK("x")'

    staff = rows(client.get(f"/api/processes/{pid}/exports/ideas.csv", headers=organizer.headers))
    assert {row["idea_id"] for row in staff} == {str(kept["id"]), str(hidden["id"])}
    assert next(r for r in staff if r["idea_id"] == str(kept["id"]))["contact_email"] == (
        "rosa@example.org"
    )
