from tests.helpers import assert_error


def test_unknown_address_is_a_json_404(client):
    body = assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert "nothing at this address" in body["message"]


def test_wrong_method_is_a_json_405(client):
    assert_error(client.delete("/api/processes"), 405, "method_not_allowed")


def test_health_checks_the_database(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_openapi_is_served(client):
    spec = client.get("/openapi.json").json()
    assert "/api/processes/{process_id}/transitions" in spec["paths"]


def test_health_is_503_when_the_database_is_unreachable():
    from fastapi.testclient import TestClient

    from app.db import make_engine
    from app.main import create_app
    from tests.conftest import settings_for

    url = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    app = create_app(settings_for(url), engine=make_engine(url), check_schema=False)
    r = TestClient(app).get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "unreachable"


def test_a_missing_body_says_so(client, organizer):
    from tests.helpers import assert_error

    body = assert_error(client.post("/api/processes", headers=organizer.headers), 422)
    assert "needs a JSON body" in body["message"]


def test_a_browser_gets_a_page_not_json(client):
    page = client.get("/processes/424242", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no PB process 424242." in page.text and 'href="/"' in page.text
    missing = client.get("/no/such/page", headers={"Accept": "text/html,*/*"})
    assert missing.status_code == 404 and "nothing at this address" in missing.text
    api = client.get("/api/processes/424242", headers={"Accept": "text/html"})
    assert api.headers["content-type"].startswith("application/json")


def test_a_failure_of_ours_is_a_page_for_a_browser_and_json_for_a_client(app):
    from fastapi.testclient import TestClient

    @app.get("/broken-page")
    def broken_page():
        raise RuntimeError("a bug")

    @app.get("/api/broken")
    def broken_api():
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/broken-page", headers={"Accept": "text/html"})
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "nothing was changed" in page.text and "a bug" not in page.text
        api = client.get("/api/broken", headers={"Accept": "text/html"})
        assert api.status_code == 500 and api.json()["error"] == "internal"
