"""The backward-pass page in a real browser (headless Chromium through
Selenium): at each step the right node is highlighted and the right numbers
are shown, by keyboard and by buttons.  Skips where Chromium, its driver or
Selenium is missing, except under CHAINRULE_REQUIRE_BROWSER=1 (.ci/run sets
it, having installed them), where their absence fails."""
import os
import shutil

import pytest

import chainrule
from chainrule import viz
from chainrule.viz import page


def _need(what):
    if os.environ.get("CHAINRULE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the browser test needs {what} (CHAINRULE_REQUIRE_BROWSER=1)")
    pytest.skip(f"needs {what}")


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _need("selenium (pip install selenium)")
    binary, driver_path = _chromium(), shutil.which("chromedriver")
    if binary is None or driver_path is None:
        _need("Chromium and its driver (Debian: apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900"):
        opts.add_argument(arg)
    opts.binary_location = binary
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def seed_page(tmp_path_factory):
    x = chainrule.tensor(4.0, requires_grad=True)
    z = chainrule.pow(x, 3) + 2 * chainrule.pow(x, 2) + 8 * x
    t = viz.explain(z, {"x": x}, names={"z": z})
    names = {"x": x, "z": z}
    path = t.to_html(str(tmp_path_factory.mktemp("page") / "seed.html"), names=names)
    return path, page.steps_data(t, t.graph(names=names))


def _state(driver):
    js = ("var c = document.querySelector('.node.current');"
          "return [document.body.dataset.step, c ? c.id : null,"
          " document.getElementById('panel').innerText,"
          " Array.from(document.querySelectorAll('.edge.flow')).map(function (e) { return e.id; })];")
    step, node, text, edges = driver.execute_script(js)
    return int(step), node, text, sorted(edges)


def test_the_page_steps_through_the_seed(browser, seed_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    path, data = seed_page
    browser.get("file://" + path)
    body = browser.find_element(By.TAG_NAME, "body")

    def check(k):
        step, node, text, edges = _state(browser)
        d = data[k - 1]
        assert step == k and node == d["node"], (step, node, d)
        assert edges == sorted(d["edges"])
        for line in d["lines"]:
            assert line in text
        return text

    text = check(1)
    assert "incoming gradient 1 × local derivative 1 = 1" in text
    for _ in range(4):
        body.send_keys(Keys.ARROW_RIGHT)
    text = check(5)
    pow2 = [d for d in data if "× local derivative 8 = 16" in " ".join(d["lines"])][0]
    assert pow2["step"] == 5 and "incoming gradient 2 × local derivative 8 = 16" in text
    body.send_keys(Keys.END)
    text = check(7)
    assert "8 + 16 + 48 = 72" in text and "x.grad\t72" in text.replace(" \t", "\t")
    body.send_keys(Keys.ARROW_LEFT)
    text = check(6)
    assert "x (step 7): 8 + 16" in text             # waiting at x, not yet summed
    assert "x.grad\t—" in text
    browser.find_element(By.ID, "prev").click()
    check(5)
    browser.find_element(By.ID, "first").click()
    check(1)
    browser.find_element(By.ID, "next").click()
    check(2)
    # nodes already run are marked done
    done = browser.execute_script(
        "return Array.from(document.querySelectorAll('.node.done')).map(function (e) { return e.id; })")
    assert done == [data[0]["node"]]
