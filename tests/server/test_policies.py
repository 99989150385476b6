"""The pages the Teams app package links to are pages okrbot serves."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.admin import teams_package
from tests.server.teams_rig import TeamsRig

APP_ID = "6b1f3c2e-8d4a-4f0e-9c7b-2a5d1e9f0c33"


async def test_the_packages_developer_links_are_answered_by_okrbot(sqlite_url: str) -> None:
    developer = teams_package.manifest(APP_ID, "okrbot.example.org")["developer"]
    links = [developer[key] for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl")]
    rig = await TeamsRig.start(sqlite_url, microsoft_app_id=APP_ID, microsoft_app_password="pw")
    try:
        pages = []
        for link in links:
            response = await rig.client.get(urlsplit(link).path)
            assert response.status == 200, link
            assert response.content_type == "text/html"
            pages.append(await response.text())
    finally:
        await rig.close()
    about, privacy, terms = pages
    assert "<h1>okrbot</h1>" in about and "Slack and Microsoft Teams" in about
    assert "Anonymous answers" in privacy and "erase" in privacy
    assert "without warranty" in terms
