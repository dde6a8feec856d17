"""A real browser for the end-to-end tests: headless Debian Chromium driven by
Selenium, and the steps a person takes at glewlwyd's web login and grant pages.

    driver = headless_chromium()
    try:
        driver.get(authorization_url)            # glewlwyd redirects to login.html
        sign_in_at_glewlwyd(driver, "alice", "alice-password")
        # the browser is now wherever glewlwyd redirected it (the client's callback)
    finally:
        driver.quit()

Needs the Debian packages chromium and chromium-driver (scripts/test installs
them) and the selenium pin in Tests/e2e/requirements.txt. Selenium Manager is
never used: the driver binary is given explicitly, so nothing is downloaded.
"""

import contextlib
import os
import pathlib
import re
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WINDOW_SIZE = (1280, 900)
PAGE_LOAD_TIMEOUT = 10.0   # seconds; everything is on 127.0.0.1
STEP_TIMEOUT = 10.0        # seconds to wait for each page state at glewlwyd

ARTIFACTS = pathlib.Path(os.environ.get(
    "GATEHOUSE_E2E_ARTIFACTS", pathlib.Path(__file__).resolve().parents[1] / "artifacts"))

# glewlwyd 2.7.5 webapp (login.html / login.js), by structure rather than by
# (translated) text. Login form: #username, #password, submit #loginbut.
# A refused login leaves the form and shows a toast "Authentication error".
# Grant screen: one checkbox per requested scope, id "grant-<scope>" (openid is
# checked and disabled), and the primary button "Grant access" in the active
# carousel item. Once granted (or if already granted) the footer's green
# "Continue" button (title "Continue to client application") follows the
# authorization request on to the client's redirect URI.
LOGIN_USERNAME = (By.ID, "username")
LOGIN_PASSWORD = (By.ID, "password")
LOGIN_SUBMIT = (By.ID, "loginbut")
ERROR_TOAST = (By.CSS_SELECTOR, ".toast.show .toast-body")
GRANT_CHECKBOXES = (By.CSS_SELECTOR, ".carousel-item.active input[type=checkbox][id^='grant-']")
GRANT_BUTTON = (By.CSS_SELECTOR, ".carousel-item.active button.btn-primary")
CONTINUE_BUTTON = (By.CSS_SELECTOR, ".card-footer button.btn-success")


class SignInError(AssertionError):
    """glewlwyd refused the sign-in, or its pages did not reach the client."""


@contextlib.contextmanager
def browser_session():
    """A headless Chromium for a test or a module, quit afterwards; fails
    (never skips) when Debian's chromium or chromium-driver is missing."""
    import pytest

    for path in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not pathlib.Path(path).exists():
            pytest.fail(f"{path} is missing: apt-get install chromium chromium-driver (scripts/test does)")
    driver = headless_chromium()
    try:
        yield driver
    finally:
        driver.quit()


def headless_chromium(page_load_timeout: float = PAGE_LOAD_TIMEOUT) -> webdriver.Chrome:
    """A fresh headless Chromium (its own empty profile: no cookies, no session
    at glewlwyd). The caller quits it."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",                 # the tests may run as root
        "--disable-dev-shm-usage",      # small /dev/shm in containers
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--password-store=basic",
        "--lang=en-US",
        f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "credentials_enable_service": False, "profile.password_manager_enabled": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(page_load_timeout)
    driver.set_script_timeout(page_load_timeout)
    return driver


def save_screenshot(driver, name: str) -> pathlib.Path:
    """The current page as ARTIFACTS/<name>.png (Tests/e2e/artifacts/, git-ignored;
    GATEHOUSE_E2E_ARTIFACTS moves it). Returns the file's path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") + ".png")
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"could not save a screenshot to {path}")
    return path


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _visible(driver, locator):
    return [element for element in driver.find_elements(*locator) if element.is_displayed()]


def _state(driver, glewlwyd: str):
    """What the browser shows now: ('left', url), ('error', text), ('grant', button),
    ('continue', button), ('login', None), or False while the page is still loading."""
    try:
        url = driver.current_url
        if _origin(url) != glewlwyd:
            return ("left", url)
        toasts = _visible(driver, ERROR_TOAST)
        if toasts:
            return ("error", toasts[0].text or "sign-in refused")
        grant = [b for b in _visible(driver, GRANT_BUTTON) if b.is_enabled()]
        if grant:
            return ("grant", grant[0])
        proceed = [b for b in _visible(driver, CONTINUE_BUTTON) if b.is_enabled()]
        if proceed:
            return ("continue", proceed[0])
        if _visible(driver, LOGIN_PASSWORD) and _visible(driver, LOGIN_SUBMIT):
            return ("login", None)
    except StaleElementReferenceException:   # the single-page app re-rendered meanwhile
        pass
    return False


def sign_in_at_glewlwyd(driver, username: str, password: str, *,
                        timeout: float = STEP_TIMEOUT, glewlwyd: str | None = None) -> str:
    """Play the person at glewlwyd's web pages: the browser must be on (or being
    redirected to) glewlwyd's login page for an authorization request. Types the
    username and password, ticks every requested scope on the grant screen and
    grants it if asked, continues to the client, and returns the URL the browser
    landed on once it has left glewlwyd (glewlwyd = its origin, by default the
    current page's). Raises SignInError (with a screenshot in the artifacts
    folder) if glewlwyd refuses the credentials or a step does not appear in time;
    the browser then stays where it is."""
    glewlwyd = _origin(glewlwyd or driver.current_url)
    wait = WebDriverWait(driver, timeout, poll_frequency=0.05)
    typed = False

    def fail(message: str):
        shot = save_screenshot(driver, f"signin-failed-{username}")
        raise SignInError(f"{message} (at {driver.current_url}; screenshot {shot})")

    for _ in range(10):   # login, grant, continue: a few pages at most
        try:
            kind, detail = wait.until(lambda d: _state(d, glewlwyd))
        except TimeoutException:
            fail(f"glewlwyd showed no login, grant or continue step within {timeout:.0f} s")
        if kind == "left":
            return detail
        if kind == "error":
            fail(f"glewlwyd refused the sign-in of {username!r}: {detail}")
        if kind == "login":
            if typed:   # the form came back without an error: not signed in
                fail(f"glewlwyd showed its login form again for {username!r}")
            for locator, value in ((LOGIN_USERNAME, username), (LOGIN_PASSWORD, password)):
                field = wait.until(EC.element_to_be_clickable(locator))
                field.clear()
                field.send_keys(value)
            submit = wait.until(EC.element_to_be_clickable(LOGIN_SUBMIT))
            submit.click()
            typed = True
            # the form is replaced by the next step, or an error toast appears
            wait.until(lambda d: EC.staleness_of(submit)(d) or _visible(d, ERROR_TOAST))
        elif kind == "grant":
            for box in driver.find_elements(*GRANT_CHECKBOXES):
                if box.is_enabled() and not box.is_selected():
                    box.click()
            detail.click()
            wait.until(EC.staleness_of(detail))
        elif kind == "continue":
            detail.click()
            try:
                wait.until(lambda d: _origin(d.current_url) != glewlwyd or EC.staleness_of(detail)(d))
            except TimeoutException:
                fail("the Continue button did not lead anywhere")
    fail("glewlwyd kept asking for more steps")
