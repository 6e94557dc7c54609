"""What the browser tests share besides fixtures: signing in through the real login page,
the demo world, axe-core, and the phone's size."""

from pathlib import Path

PHONE = {"width": 390, "height": 844}
# How long a test waits for the service worker to save the coming week (pages, pictures,
# animations, the thread): a few seconds alone, but the live server shares the CPU with the
# other test worker, and a busy CI machine took over 30 s once. ``expect`` returns as soon
# as it is ready, so a long limit costs nothing when it is quick.
OFFLINE_READY_MS = 120_000
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"


def readme_picture(page, name: str, *, scrolled_to=None) -> None:
    """One of the README's pictures (docs/img/), made here so that it always shows the app
    as it is: one screen, as the user sees it (from the top, or with the element that the
    locator ``scrolled_to`` finds at its top)."""
    DOCS_IMAGES.mkdir(exist_ok=True)
    if scrolled_to is not None:
        # "instant": Bootstrap makes scrolling smooth, and the picture would catch it halfway.
        scrolled_to.evaluate('element => element.scrollIntoView({behavior: "instant"})')
    else:
        page.evaluate('window.scrollTo({top: 0, behavior: "instant"})')
    page.screenshot(path=DOCS_IMAGES / f"{name}.jpg", type="jpeg", quality=70)


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def seed_demo_world(*, with_history: bool = True) -> None:
    """The demo accounts, templates and prescriptions (and demo-patient's four weeks of
    history), drawing only the exercises that the templates use, to keep tests quick."""
    from exercises import services as exercise_services
    from exercises.library import load_shipped_library
    from patients import demo
    from patients.models import Patient

    keys = {key for _, items in demo.DEMO_PROGRAMS.values() for key, _ in items}
    entries = [entry for entry in load_shipped_library() if entry["key"] in keys]
    exercise_services.library_load(entries=entries)
    demo.demo_accounts_ensure()
    demo.demo_programs_ensure()
    today = Patient.objects.get(user__username="demo-patient").today()
    demo.demo_prescriptions_ensure(today=today)
    if with_history:
        demo.demo_history_ensure(today=today)
        demo.demo_checkins_ensure(today=today)


AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# axe-core's whole result lists every node of every rule that passed or did not apply:
# megabytes that Playwright would carry back and check field by field in Python, seconds a
# page. The page keeps it and returns what the assertions read; ``resultTypes`` makes axe
# collect the nodes of violations only (every rule still runs and is still counted).
AXE_RUN = """async (impacts) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return {
    passes: results.passes.length,
    violations: results.violations
      .filter((v) => impacts.includes(v.impact))
      .map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target)})),
  };
}"""


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (vendored) in the page; return the violations of the given impacts."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(AXE_RUN, list(impacts))
    assert results["passes"] > 10, "axe-core did not run its checks"
    return results["violations"]
