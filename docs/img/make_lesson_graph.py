"""Render docs/img/lesson_graph.png: the lesson's graph page, stepped to the backward pass.

Needs Chromium at /usr/bin/chromium and the playwright package. Run from the repository
root:

    python docs/img/make_lesson_graph.py
"""

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import chainrule as torch

w = torch.tensor([1.0], requires_grad=True)
x, y = 1.0, torch.tensor([2.0])
with torch.viz.record():
    y_pred = x * w
    l = (y_pred - y) ** 2
graph = torch.viz.trace(l)
l.backward()

with tempfile.TemporaryDirectory() as tmp:
    page_file = Path(tmp) / "lesson.html"
    graph.save(str(page_file))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 900, "height": 470})
        page.goto(page_file.as_uri())
        for _ in range(6):  # forward through the three ops, then back to x * w
            page.click("[data-do=next]")
        out = Path(__file__).with_name("lesson_graph.png")
        page.screenshot(path=str(out))
        browser.close()
print("wrote", out)
