"""Migration 0037 (issue 20): what exists before it stays public. Every process is
migrated as published (when it was made) and every official result as published (when it
was counted); only processes and counts made afterwards start unpublished."""

from datetime import UTC, datetime

from sqlalchemy import text

from app import migrate
from app.db import make_engine

MADE = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
COUNTED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_existing_processes_and_results_are_migrated_as_published(fresh_database_url):
    migrate.upgrade(fresh_database_url, "0033")
    engine = make_engine(fresh_database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO pb_process (id, name, description, phase, budget_cents, currency,"
                " ballot_size, languages, count_method, tie_break, created_at, updated_at)"
                " VALUES (1, 'Old PB', '', 'funding', 100, 'USD', 5, '[\"en\"]', 'borda',"
                " 'seeded', :made, :made)"
            ),
            {"made": MADE},
        )
        conn.execute(
            text(
                "INSERT INTO official_result (process_id, result, ballots_counted,"
                " ballots_sha256, ballots_file, computed_at)"
                " VALUES (1, '{}', 0, :sha, '', :counted)"
            ),
            {"sha": "0" * 64, "counted": COUNTED},
        )
    migrate.upgrade(fresh_database_url)
    with engine.connect() as conn:
        published = conn.execute(text("SELECT published_at FROM pb_process")).scalar_one()
        shown = conn.execute(text("SELECT publish_at FROM official_result")).scalar_one()
    engine.dispose()
    # SQLite hands back text, PostgreSQL a datetime: compare the moment either way.
    for value, expected in ((published, MADE), (shown, COUNTED)):
        moment = datetime.fromisoformat(str(value)) if isinstance(value, str) else value
        assert moment.replace(tzinfo=moment.tzinfo or UTC) == expected
