"""What the browser tests share: the running site, signing in, fresh citizens, screenshots, a test picture."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from playwright.sync_api import Page
from sqlalchemy import MetaData, RowMapping, Table, delete, insert, select, update

from citymes_app import demo
from citymes_app.core.db import make_engine
from citymes_app.demo_pictures import Canvas
from integrations.simulator.client import SyncSimulatorClient

# The demo town's administrator and one of its operators (not an administrator).
ADMIN = "admin@demo.citymes.local"
OPERATOR = "operator@demo.citymes.local"

# A second organisation with an operator of its own: it must never see the demo town's citizens.
OTHER_TENANT = ("consell", "Consell Comarcal del Maresme")
OTHER_OPERATOR = ("op@consell.test", "consell-password", "Queralt (operator)")
OTHER_ADMIN = ("admin@consell.test", "consell-admin-password")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


class Restartable(Protocol):
    def kill(self) -> None: ...

    def start(self) -> None: ...


@dataclass(frozen=True)
class Site:
    """The running app and the simulator its demo bot lives on."""

    url: str
    simulator_url: str
    bot_token: str
    log_path: Path
    whatsapp_number_id: str = ""  # the demo's WhatsApp number on the simulator
    database_url: str = ""
    app: Restartable | None = None  # the app's processes, for tests that stop them

    @contextmanager
    def backend_down(self) -> Iterator[None]:
        """The app killed (SIGKILL) for the block, then started again on the same port."""
        assert self.app is not None, "this site cannot be restarted"
        self.app.kill()
        try:
            yield
        finally:
            self.app.start()

    def bot_url(self, path: str) -> str:
        return f"{self.simulator_url}/sim/telegram/bots/{self.bot_token}/{path.lstrip('/')}"

    @property
    def simulator(self) -> SyncSimulatorClient:
        """The simulator's control API."""
        return SyncSimulatorClient(self.simulator_url)

    def citizen_says(self, chat_id: int, first_name: str = "Núria", **content: object) -> dict:
        """A citizen writes to the demo bot; returns once the simulator has delivered it to our webhook."""
        answer = self.simulator.telegram_citizen_message(self.bot_token, chat_id, first_name, **content)
        assert answer["webhook_status"] == 200, answer
        return answer

    def phone_screen(self, chat_id: int) -> list[dict]:
        """The citizen's chat as the simulator shows it."""
        return self.simulator.telegram_chat(self.bot_token, chat_id)["messages"]

    def number_url(self, path: str) -> str:
        return f"{self.simulator_url}/sim/whatsapp/numbers/{self.whatsapp_number_id}/{path.lstrip('/')}"

    def wa_citizen_says(self, wa_id: str, name: str = "Núria", **content: object) -> dict:
        """A citizen writes to the demo's WhatsApp number; returns once the simulator has delivered it to our webhook."""
        answer = self.simulator.whatsapp_citizen_message(self.whatsapp_number_id, wa_id, name, **content)
        assert answer["webhook_status"] == 200, answer
        return answer

    def wa_phone_screen(self, wa_id: str) -> list[dict]:
        """The WhatsApp citizen's chat as the simulator shows it."""
        return self.simulator.whatsapp_chat(self.whatsapp_number_id, wa_id)["messages"]


def new_wa_id() -> str:
    """A Spanish mobile number nobody used before in this session, as WhatsApp writes it."""
    return f"346{secrets.randbelow(10**8):08d}"


def new_chat_id() -> int:
    """A citizen nobody used before in this session."""
    return secrets.randbelow(9 * 10**8) + 10**8


def sign_in(page: Page, site: Site, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    """Sign in through the login page and wait for the live inbox."""
    page.goto(f"{site.url}/login")
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_url("**/inbox")
    page.wait_for_selector("#operator-name:not(:empty)")


def fill_settled(page: Page, selector: str, value: str, tries: int = 3) -> None:
    """Fill a field the server also writes (a form's state) and see the value stay: on a loaded machine the answer to
    an earlier event can arrive after the fill and redraw the field as it was (seen once in CI on the canned-response
    form); a person would see it and type again, and so does this."""
    for _ in range(tries):
        page.fill(selector, value)
        page.wait_for_timeout(400)
        if page.input_value(selector) == value:
            return
    raise AssertionError(f"{selector} did not keep {value!r}")


def choose_option(page: Page, select_id: str, option: str) -> None:
    """Open a select by its id and choose an option by its text."""
    page.click(f"#{select_id}")
    page.get_by_role("option", name=option, exact=True).click()


def set_interface_language(database_url: str, language: str | None, email: str | None = None) -> None:
    """Store the interface language of one operator (by email) or of every operator, straight in the database."""
    engine = make_engine(database_url)
    metadata = MetaData()
    operator = Table("operator", metadata, autoload_with=engine)
    try:
        with engine.begin() as connection:
            chosen = update(operator).values(language=language)
            connection.execute(chosen.where(operator.c.email == email) if email else chosen)
    finally:
        engine.dispose()


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def street_photo(width: int = 240, height: int = 160) -> bytes:
    """A small PNG (a sky-to-asphalt gradient with a dark 'pothole'), big enough to see in a screenshot."""
    canvas = Canvas(width, height)
    horizon = math.ceil(height * 0.45)
    canvas.rows(0, horizon, lambda y: (135, 190, 235 - y // 2))
    canvas.rows(horizon, height, lambda y: (110 + y // 8, 110 + y // 8, 115 + y // 8))
    canvas.ellipse(width * 0.55, height * 0.7, 30, 15, (40, 36, 32))
    return canvas.png()


@contextmanager
def demo_data_restored(site: Site, *tables: str) -> Iterator[None]:
    """Put `tables` (parents first) back as they were when the block started, even when it fails: rows the block
    added are deleted, changed ones get their old values back, deleted ones come back with their ids. Straight
    through the database, so a broken page cannot stop the clean-up."""
    engine = make_engine(site.database_url)
    metadata = MetaData()
    metadata.reflect(engine, only=list(tables))
    before: dict[str, dict[tuple, dict]] = {}
    with engine.connect() as connection:
        for name in tables:
            table = metadata.tables[name]
            before[name] = {_key(table, r): dict(r) for r in connection.execute(select(table)).mappings()}
    try:
        yield
    finally:
        with engine.begin() as connection:
            for name in reversed(tables):  # children first, so no foreign key points at a deleted row
                table = metadata.tables[name]
                for current in connection.execute(select(table)).mappings():
                    if _key(table, current) not in before[name]:
                        connection.execute(delete(table).where(*_match(table, current)))
            for name in tables:
                table = metadata.tables[name]
                now = {_key(table, row): dict(row) for row in connection.execute(select(table)).mappings()}
                for key, row in before[name].items():
                    if key not in now:
                        connection.execute(insert(table).values(**row))
                    elif now[key] != row:
                        connection.execute(update(table).where(*_match(table, row)).values(**row))
        engine.dispose()


def _key(table: Table, row: RowMapping | dict) -> tuple:
    return tuple(row[column.name] for column in table.primary_key.columns)


def _match(table: Table, row: RowMapping | dict) -> list:
    return [column == row[column.name] for column in table.primary_key.columns]


def other_admin(site: Site) -> tuple[str, str]:
    """An administrator of the other organisation (made once per site): email and password."""
    from sqlmodel import Session
    from sqlmodel import select as select_rows

    from citymes_app.core import auth, tenants
    from citymes_app.core.db import get_engine
    from citymes_app.models import Operator, Role

    email, password = OTHER_ADMIN
    with Session(get_engine(site.database_url)) as session:
        if session.exec(select_rows(Operator).where(Operator.email == email)).first() is None:
            slug, _ = OTHER_TENANT
            auth.add_operator(
                session, tenant=tenants.require_tenant(session, slug=slug), email=email, password=password, role=Role.ADMIN
            )
            session.commit()
    return email, password
