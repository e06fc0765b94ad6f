"""Draw the README's pictures of the seed's polynomial z = x**3 + 2*x**2 + 8*x
at x = 4: its backward graph with the gradient along each edge
(docs/images/seed_graph.png, Graphviz) and the page that plays its backward
pass, at its last step (docs/images/seed_page.png, headless Chromium).

    python docs/make_images.py        (needs dot, chromium, chromedriver, selenium)
"""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))       # this tree's chainrule

import chainrule                                 # noqa: E402  (after the path line above)


def seed_trace():
    x = chainrule.tensor(4.0, requires_grad=True)
    z = chainrule.pow(x, 3) + 2 * chainrule.pow(x, 2) + 8 * x
    return chainrule.viz.explain(z, {"x": x}, names={"z": z}), {"x": x, "z": z}


def main():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    out = os.path.join(HERE, "images")
    os.makedirs(out, exist_ok=True)
    t, names = seed_trace()
    t.graph(names=names).render(os.path.join(out, "seed_graph.png"))
    print(t)
    with tempfile.TemporaryDirectory() as tmp:
        page = t.to_html(os.path.join(tmp, "seed.html"), names=names)
        opts = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,840"):
            opts.add_argument(arg)
        opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
        try:
            driver.get("file://" + page)
            driver.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
            driver.save_screenshot(os.path.join(out, "seed_page.png"))
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
