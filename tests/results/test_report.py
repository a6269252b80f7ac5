"""The printable report of a process: every section, with the numbers the services that
compute them give (compared with their output, not written down here), in each of the
process's languages; public once the results are published, organizers only before."""

import html
import re
from datetime import timedelta

import pytest

from app.db import utcnow
from app.equity import service as equity
from app.ideas import service as ideas
from app.ideas.board import idea_board
from app.paper import service as paper
from app.processes import service as processes
from app.processes.models import Process
from app.results import awards, display, service
from app.results.models import OfficialResult
from app.results.report import report_is_public
from app.users.models import Role
from app.voting import service as voting
from app.web import i18n
from tests.equity.helpers import sign_in
from tests.ideas.helpers import create_process
from tests.proposals.helpers import EQUITY
from tests.results import cycle as cycles

LANGUAGES = ["en", "es", "vi"]
SECTIONS = ["timeline", "ideas", "scoring", "equity-assessments", "turnout", "result"]
SECTIONS += ["verify", "funding"]


def section(page: str, name: str) -> str:
    part = page.split(f'<section class="report-page" id="{name}"', 1)[1]
    return html.unescape(part.split("</section>", 1)[0])


def text(fragment: str) -> str:
    """What a reader sees: tags gone, spaces as one."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", fragment))


def row_of_class(fragment: str, name: str) -> str:
    return text(re.search(rf'<tr class="{name}">(.*?)</tr>', fragment, re.S).group(1))


def row_of(fragment: str, heading: str) -> str:
    """The table row whose row heading starts with `heading`, as text."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, re.S):
        cells = re.findall(r'<th scope="row">(.*?)</th>', row, re.S)
        if cells and text(cells[0]).strip().startswith(heading):
            return text(row)
    raise AssertionError(f"no row {heading!r}")


@pytest.fixture
def funded_cycle(client, organizer, make_staff, session_factory):
    cycle = cycles.written(client, organizer, make_staff)
    cycles.voted(client, organizer, cycle, session_factory)
    cycles.funded(client, organizer, cycle)
    client.cookies.clear()
    return cycle


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_section_says_what_the_services_computed(
    client, funded_cycle, session_factory, language
):
    t = lambda key, **v: i18n.translate(language, key, **v)  # noqa: E731
    money = lambda cents: i18n.format_money(language, cents, "USD")  # noqa: E731
    number = lambda n: i18n.format_number(language, n)  # noqa: E731
    pid = funded_cycle.process_id
    response = client.get(f"/processes/{pid}/report?lang={language}")
    assert response.status_code == 200
    assert response.headers["content-language"] == language
    page = response.text
    assert f'<html lang="{language}" dir="ltr">' in page and t("report.title") in page
    assert "report.css" in page and "<script" not in page
    assert t("report.not_public") not in page
    for name in SECTIONS:
        assert section(page, name)
    with session_factory() as session:
        process = session.get(Process, pid)
        transitions = processes.transitions_of(session=session, process_id=pid)
        changes = processes.window_changes(session=session, process_id=pid)
        counts = ideas.idea_counts(session=session, process_id=pid)
        board = idea_board(session=session, process=process, event=None, neighborhood=None)
        ranked = {
            r["idea_id"]: r for r in ideas.ranking_of(session=session, process_id=pid)["ideas"]
        }
        turnout = voting.turnout_summary(session=session, process_id=pid)
        sheets = paper.reconciliation(session=session, process_id=pid)["total_sheets"]
        public = equity.public_equity(session=session, process=process)
        result = service.results_for(session=session, process=process, user=None)
        funded = awards.funded_projects(session=session, process=process)

    timeline = section(page, "timeline")
    assert timeline.count('<tr class="timeline-phase">') == len(transitions) == 4
    assert timeline.count('<tr class="timeline-window">') == len(changes) == 1
    moved = row_of_class(timeline, "timeline-window")
    assert cycles.WINDOW_REASON in moved
    closes = i18n.format_moment(language, changes[0].new_closes_at, process.time_zone)
    assert closes in moved
    for step in transitions:
        after = t("phase." + step.to_phase)
        assert (
            t("report.phase_change", before=t("phase." + step.from_phase), after=after) in timeline
        )

    ideas_part = section(page, "ideas")
    assert t(
        "report.idea_counts",
        all=number(counts["all"]),
        visible=number(counts["visible"]),
        merged=number(counts["merged"]),
        hidden=number(counts["hidden"]),
    ) in text(ideas_part)
    for group in board.events:
        name = group.site.name if group.site else t(f"board.kind.{group.kind}")
        assert f" {number(group.shown)} " in row_of(ideas_part, name)

    scoring = section(page, "scoring")
    assert _title(language, "food") in scoring and _title(language, "bus") in scoring
    food = ranked[min(ranked)]  # the food recovery grew from the first online idea
    assert f" {number(food['weighted_mean'])} " in row_of(scoring, f"#{food['idea_id']}")
    for mean in food["criterion_means"]:
        assert f" {number(mean['mean'])} " in row_of(scoring, f"#{food['idea_id']}")

    assessments = section(page, "equity-assessments")
    for answer in EQUITY.values():
        assert answer in assessments
    assert assessments.count('<div class="assessment">') == 2

    turnout_part = section(page, "turnout")
    assert t(
        "report.turnout_total",
        voters=number(turnout["voters"]),
        ballots=number(turnout["ballots"] + sheets),
    ) in text(turnout_part)
    online = row_of(turnout_part, t("channel.online"))
    assert online.split()[-2:] == [
        number(turnout["check_ins_by_channel"]["online"]),
        number(turnout["ballots_by_channel"]["online"]),
    ]
    site = turnout["by_site"][0]
    assert row_of(turnout_part, site["name"]).split()[-3:] == [number(site["check_ins"]), "0", "0"]
    north = next(r for r in public["rows"] if r["name"] == "North")
    assert north["voters"] == 12  # placed at the library
    assert f" {number(north['voters'])} " in row_of(turnout_part, "North")

    result_part = section(page, "result")
    assert t("results.how.borda", first=2, second=1, last=1, size=2) in result_part
    for line in result["result"]["projects"]:
        shown = row_of(result_part, _title(language, "food" if line["funded"] else "bus"))
        assert f" {display.number_text(line['score'], language)} " in shown
        assert (t("results.funded") if line["funded"] else t("results.not_funded")) in shown

    verify = section(page, "verify")
    assert f'id="ballots-sha256">{result["ballots_sha256"]}<' in verify
    assert f'id="audit-head">{result["audit_head"]}<' in verify
    assert t("report.audit_head", seq=result["audit_head_seq"]) in verify

    funding = section(page, "funding")
    assert [p["proposal_id"] for p in funded] == [funded_cycle.funded]
    shown = row_of(funding, _title(language, "food"))
    assert money(funded[0]["amount_cents"]) in shown and "Foodlink" in shown
    assert t("results.status.in_progress") in shown


def _title(language: str, which: str) -> str:
    titles = {
        "food": {
            "en": "Food recovery",
            "es": "Recuperación de alimentos",
            "vi": "Thu hồi thực phẩm",
        },
        "bus": {"en": "Bus shelters", "es": "Paradas de autobús", "vi": "Nhà chờ xe buýt"},
    }
    return titles[which][language]


def test_before_the_results_are_published_only_organizers_read_it(
    client, organizer, make_staff, session_factory
):
    cycle = cycles.written(client, organizer, make_staff)
    cycles.voted(client, organizer, cycle, session_factory)
    pid = cycle.process_id
    address = f"/processes/{pid}/report"
    html_page = {"Accept": "text/html"}
    assert client.get(address, headers=html_page).status_code == 404
    sign_in(client, cycle.delegate)
    assert client.get(address, headers=html_page).status_code == 403
    worker = make_staff(Role.poll_worker)
    client.cookies.clear()
    sign_in(client, worker)
    assert client.get(address, headers=html_page).status_code == 403
    client.cookies.clear()
    sign_in(client, organizer)
    early = client.get(address + "?lang=es")
    assert early.status_code == 200
    assert i18n.translate("es", "report.not_public") in early.text
    assert i18n.translate("es", "results.not_yet") in section(early.text, "result")
    results = client.get(f"/organize/processes/{pid}/results")
    assert f'href="{address}"' in results.text
    assert client.get("/processes/999999/report", headers=html_page).status_code == 404

    cycles.funded(client, organizer, cycle)
    client.cookies.clear()
    with session_factory() as session:
        assert report_is_public(session, session.get(Process, pid), utcnow())
    assert client.get(address).status_code == 200
    assert f'href="{address}"' in client.get(f"/processes/{pid}/results").text


def test_a_process_in_design_has_a_report_for_organizers_only(client, organizer):
    pid = create_process(client, organizer)["id"]
    address = f"/processes/{pid}/report"
    assert client.get(address, headers={"Accept": "text/html"}).status_code == 404
    sign_in(client, organizer)
    page = client.get(address + "?lang=vi")
    assert page.status_code == 200
    assert i18n.translate("vi", "report.no_ballot") in section(page.text, "scoring")
    assert i18n.translate("vi", "results.not_yet") in section(page.text, "funding")


def test_the_report_is_public_once_the_result_is_published(session_factory):
    now = utcnow()
    with session_factory() as session:
        process = Process(
            name="R", phase="funding", budget_cents=100, currency="USD", languages=["en"]
        )
        session.add(process)
        session.flush()
        assert not report_is_public(session, process, now)  # counted at funding: not yet
        result = OfficialResult(
            process_id=process.id,
            result={},
            ballots_counted=0,
            ballots_sha256="0" * 64,
            ballots_file="",
            publish_at=now + timedelta(hours=1),
        )
        session.add(result)
        session.flush()
        assert not report_is_public(session, process, now)  # published at a time to come
        assert report_is_public(session, process, now + timedelta(hours=1))
