"""The ballot table may not gain anything that could join it back to a voter."""

from sqlalchemy import inspect, text

ALLOWED_BALLOT_COLUMNS = {"id", "process_id", "ranking", "channel", "site_id", "cast_on"}


def test_ballot_table_holds_nothing_that_leads_to_a_voter(engine, backend):
    insp = inspect(engine)
    columns = {c["name"]: c for c in insp.get_columns("ballot")}
    assert set(columns) == ALLOWED_BALLOT_COLUMNS
    assert insp.get_pk_constraint("ballot")["constrained_columns"] == ["id"]
    assert "CHAR" in str(columns["id"]["type"]).upper()  # random hex, not an integer sequence
    assert columns["id"].get("autoincrement") is not True
    assert str(columns["cast_on"]["type"]).upper() == "DATE"
    fks = {
        (tuple(fk["constrained_columns"]), fk["referred_table"])
        for fk in insp.get_foreign_keys("ballot")
    }
    assert fks == {(("process_id",), "pb_process"), (("site_id",), "site")}
    indexed = {tuple(ix["column_names"]) for ix in insp.get_indexes("ballot")}
    assert indexed <= {("process_id",), ("site_id",)}
    assert insp.get_unique_constraints("ballot") == []
    with engine.connect() as conn:
        if backend == "sqlite":
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'ballot'")
            ).scalar_one()
            assert "WITHOUT ROWID" in sql.upper()
            for table in ("ballot", "ballot_receipt"):
                # A rowid table answers this; a WITHOUT ROWID table has no such column.
                try:
                    conn.execute(text(f"SELECT rowid FROM {table}")).all()
                    raise AssertionError(f"{table} has a hidden rowid")
                except Exception as exc:
                    assert "rowid" in str(exc).lower()
        else:
            default = conn.execute(
                text(
                    "SELECT column_default FROM information_schema.columns "
                    "WHERE table_name = 'ballot' AND column_default IS NOT NULL"
                )
            ).all()
            assert default == []  # no sequence, no now()


def test_receipts_and_participation_cannot_point_at_a_ballot(engine):
    insp = inspect(engine)
    assert {c["name"] for c in insp.get_columns("ballot_receipt")} == {"receipt_hash", "process_id"}
    participation = {c["name"] for c in insp.get_columns("participation")}
    assert participation == {
        "id",
        "process_id",
        "person_key",
        "access_code_id",
        "channel",
        "site_id",
        "neighborhood",  # an online voter's, from their ZIP (never the ZIP): no ballot
    }
    for table in insp.get_table_names():
        for fk in insp.get_foreign_keys(table):
            assert fk["referred_table"] not in {"ballot", "ballot_receipt"}, table


def test_the_voting_migration_downgrades_and_upgrades_cleanly(fresh_database_url):
    from sqlalchemy import inspect as inspect_db

    from app import migrate
    from app.db import make_engine

    migrate.upgrade(fresh_database_url)
    migrate.downgrade(fresh_database_url, "0002")
    engine = make_engine(fresh_database_url)
    try:
        tables = set(inspect_db(engine).get_table_names())
        assert not tables & {"ballot", "participation", "access_code", "voting_rules"}
    finally:
        engine.dispose()
    migrate.upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        assert "ballot" in inspect_db(engine).get_table_names()
    finally:
        engine.dispose()
