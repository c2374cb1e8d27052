"""A real hand-off in a real browser: the trained model, the action server, Rasa, and headless Chromium.

0. the chat's first screen: the greeting and the menu in the browser's language, once, even after a reload;

1. a migrant chats in Haitian Creole on http://<rasa>/chat (a phone-sized window, keyboard only);
2. asks for a person;
3. a staff member signs in at /desk and takes the conversation;
4. replies, and the migrant sees the reply;
5. hands the conversation back, and the bot answers again.

Debian's ``/usr/bin/chromium`` is driven by Playwright for Python (never ``playwright install``).
Screenshots and the servers' logs are kept in ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
MODEL = ROOT / "models" / "brujula.tar.gz"
PASSWORD = "una clave larga de prueba"
STARTUP_SECONDS = 150


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(url: str, process: subprocess.Popen[bytes], timeout: float, expect: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}: see {ARTIFACTS}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if expect in response.read().decode():
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer in {timeout} s: see the logs in {ARTIFACTS}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
    assert MODEL.exists(), "the trained model models/brujula.tar.gz is needed"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    work = tmp_path_factory.mktemp("e2e")
    rasa_port, action_port = free_port(), free_port()
    (work / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "tracker_store:\n  type: bot.tracker_store.PrivacyTrackerStore\n"
        f"  backend: {{type: sql, dialect: sqlite, db: {work / 'trackers.db'}}}\n",
        encoding="utf-8",
    )
    (work / "credentials.yml").write_text(
        "bot.channels.rest.RestInput:\nbot.channels.webchat.WebChatInput:\nbot.handoff.desk.DeskInput:\n",
        encoding="utf-8",
    )
    every_day = ", ".join(f'{day}: "00:00-24:00"' for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    (work / "desk.yml").write_text(
        "expected_wait_minutes: 10\nfollowup_check_seconds: 0\n"
        f"opening_hours:\n  timezone: America/Port-au-Prince\n  week: {{{every_day}}}\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BRUJULA_STATE_DIR": str(work / "state"),
        "BRUJULA_ID_KEY": "e2e-test-key",
        "BRUJULA_DESK_CONFIG": str(work / "desk.yml"),
        "BRUJULA_DESK_STAFF_FILE": str(work / "staff.yml"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.handoff",
            "add-staff",
            "ana",
            "--name",
            "Ana",
            "--languages",
            "es",
            "--password-stdin",
        ],
        input=PASSWORD,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    bin_dir = Path(sys.executable).parent
    processes: list[subprocess.Popen] = []
    logs = [open(ARTIFACTS / name, "w") for name in ("actions.log", "rasa.log")]  # noqa: SIM115
    try:
        processes.append(
            subprocess.Popen(
                [str(bin_dir / "python"), "-m", "rasa_sdk", "--actions", "actions", "-p", str(action_port)],
                cwd=ROOT,
                env=env,
                stdout=logs[0],
                stderr=subprocess.STDOUT,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    str(bin_dir / "rasa"),
                    "run",
                    "--enable-api",
                    "-i",
                    "127.0.0.1",
                    "-p",
                    str(rasa_port),
                    "--model",
                    str(MODEL),
                    "--endpoints",
                    str(work / "endpoints.yml"),
                    "--credentials",
                    str(work / "credentials.yml"),
                ],
                cwd=ROOT,
                env=env,
                stdout=logs[1],
                stderr=subprocess.STDOUT,
            )
        )
        wait_until(f"http://127.0.0.1:{action_port}/health", processes[0], STARTUP_SECONDS, "ok")
        wait_until(f"http://127.0.0.1:{rasa_port}/status", processes[1], STARTUP_SECONDS, "model_id")
        yield {"base": f"http://127.0.0.1:{rasa_port}"}
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_a_haitian_migrant_is_handed_to_a_person_and_back_in_a_real_browser(servers: dict[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = servers["base"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            migrant = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="ht-HT", has_touch=True
            ).new_page()
            staff = browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-CO").new_page()

            # 1. the migrant opens the chat and is greeted in Kreyòl
            migrant.goto(f"{base}/chat?lang=ht")
            expect(migrant.locator("#log")).to_contain_text("Bonjou, se Brújula", timeout=30_000)
            message_box = migrant.get_by_role("textbox", name="Ekri mesaj ou")  # the label works for screen readers
            expect(migrant.get_by_role("combobox", name="Lang")).to_have_value("ht")
            shot(migrant, "01-migrant-greeted")

            # 2. asks for a person, with the keyboard only
            message_box.focus()
            migrant.keyboard.type("Mwen vle pale ak yon moun tanpri")
            migrant.keyboard.press("Enter")
            expect(migrant.locator("#log")).to_contain_text("Mwen note ou vle pale ak yon moun", timeout=30_000)
            expect(migrant.locator("#log")).to_contain_text("anviwon 10 minit")  # the desk's configured wait
            expect(migrant.locator("#status")).to_have_text("N ap tann yon moun nan ekip la. Ou ka kontinye ekri.")
            shot(migrant, "02-migrant-asked-for-a-person")

            # 3. a staff member signs in and takes the conversation
            staff.goto(f"{base}/desk")
            expect(staff).to_have_url(f"{base}/desk/login")
            staff.get_by_label("Usuario").fill("ana")
            staff.get_by_label("Contraseña").fill(PASSWORD)
            staff.get_by_label("Contraseña").press("Enter")
            entry = staff.locator("#queue .entry").first
            expect(entry).to_contain_text("Pidió una persona", timeout=15_000)
            expect(entry).to_contain_text("webchat")
            expect(entry).to_contain_text("Idioma: ht")
            entry.click()
            expect(staff.locator("#history")).to_contain_text("Mwen vle pale ak yon moun tanpri")
            staff.get_by_role("button", name="Atender").click()
            expect(staff.get_by_role("textbox", name="Tu respuesta")).to_be_visible()
            expect(migrant.locator("#log")).to_contain_text(
                "Ana, nan ekip resepsyon an, antre nan konvèsasyon an", timeout=15_000
            )
            expect(migrant.locator("#status")).to_have_text("W ap pale ak yon moun nan ekip la.")
            shot(staff, "03-staff-took-the-conversation")

            # the bot keeps quiet while Ana holds the conversation; she sees what the migrant writes
            bot_messages = migrant.locator("#log li.from-bot")
            before = bot_messages.count()
            message_box.focus()
            migrant.keyboard.type("Mwen nan Tapachula, mwen pa gen papye")
            migrant.keyboard.press("Enter")
            expect(staff.locator("#history")).to_contain_text("Mwen nan Tapachula, mwen pa gen papye", timeout=15_000)
            assert bot_messages.count() == before

            # 4. the staff member replies and the migrant sees it
            staff.get_by_role("textbox", name="Tu respuesta").fill("Bonjou! Se Ana. Ki papye ou genyen avè w?")
            staff.get_by_role("button", name="Enviar").click()
            staff_reply = migrant.locator("#log li.from-staff").last
            expect(staff_reply).to_contain_text("Bonjou! Se Ana. Ki papye ou genyen avè w?", timeout=15_000)
            expect(staff_reply).to_contain_text("Ana (ekip resepsyon)")
            shot(migrant, "04-migrant-sees-the-staff-reply")
            shot(staff, "05-staff-console")

            # 5. the conversation is handed back and the bot answers again
            staff.get_by_role("button", name="Devolver al bot").click()
            expect(migrant.locator("#log")).to_contain_text("Ana soti nan konvèsasyon an", timeout=15_000)
            expect(migrant.locator("#status")).to_be_hidden()
            expect(staff.locator("#queue-empty")).to_be_visible(timeout=15_000)
            before = bot_messages.count()
            message_box.focus()
            migrant.keyboard.type("Kote m ka jwenn yon abri pou m dòmi aswè a?")
            migrant.keyboard.press("Enter")
            expect(bot_messages.nth(before)).to_be_visible(timeout=30_000)
            answer = bot_messages.last.inner_text()
            assert "pwoblèm teknik" not in answer  # a real answer from the bot, not the error message
            shot(migrant, "06-the-bot-answers-again")
        finally:
            browser.close()


def test_the_chat_opens_with_the_greeting_and_the_menu_in_the_browser_language_once(servers: dict[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = servers["base"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            # The browser prefers German, then Portuguese; the server only sees a Spanish Accept-Language:
            # the page follows the browser's own list (navigator.languages) and takes Portuguese.
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="de-DE", extra_http_headers={"Accept-Language": "es"}
            )
            context.add_init_script("Object.defineProperty(navigator, 'languages', {get: () => ['de-DE', 'pt-BR']})")
            page = context.new_page()
            page.goto(f"{base}/chat")
            log = page.locator("#log")
            expect(log).to_contain_text("Olá, sou a Brújula", timeout=30_000)
            expect(page.get_by_role("button", name="1 · Antes de sair")).to_be_visible()
            expect(page.get_by_role("combobox", name="Idioma")).to_have_value("pt")
            expect(page.locator("#log li.from-user")).to_have_count(0)  # the page's own "/greet" is not shown
            shot(page, "00-first-screen-in-the-browser-language")

            # a reload shows the same conversation: the greeting is not said twice
            page.reload()
            expect(log).to_contain_text("Olá, sou a Brújula", timeout=30_000)
            page.wait_for_timeout(1500)  # time for a second greeting to arrive, if the page (wrongly) asked for one
            expect(page.locator("#log li.from-bot", has_text="Olá, sou a Brújula")).to_have_count(1)

            # the menu works from the first screen
            page.get_by_role("button", name="1 · Antes de sair").click()
            expect(log).to_contain_text("Antes de sair. Escreva um número", timeout=30_000)
        finally:
            browser.close()
