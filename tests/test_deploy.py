"""The Docker image keeps its data where it survives the container."""

import re
from pathlib import Path

from app.config import Settings

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"


def test_the_image_declares_a_volume_for_the_default_sqlite_database():
    text = DOCKERFILE.read_text()
    workdir = re.search(r"^WORKDIR\s+(\S+)", text, re.M).group(1)
    volumes = re.findall(r"^VOLUME\s+\[?\"?([^\"\]\s]+)", text, re.M)
    default = Settings(env="development").database_url
    assert default.endswith("/var/pbvote.db")
    assert f"{workdir}/var" in volumes
    # Declared after var/ is made and given to the app's user, so the volume inherits both.
    assert text.index("chown -R pbvote:pbvote var") < text.index("VOLUME")
