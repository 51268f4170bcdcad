#!/usr/bin/env python3
"""Opens Aviso's unsubscribe links in Debian's headless Chromium at a phone's
width, through a reverse proxy that serves avisod under a path prefix the way
a department's proxy does (http.public_url = http://127.0.0.1:<port>/aviso).
For each link: reads what a victim sees (language, direction, title, the
button's size and place, overflow, contrast), saves a screenshot, presses the
button, reads the confirmation and saves a screenshot of it; then opens a link
that is not valid in the same language. Prints the observations as JSON; the
Swift test decides what passes."""
import argparse
import http.server
import json
import os
import sys
import tempfile
import threading
import urllib.error
import urllib.request

os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium download a browser or a driver

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

PREFIX = "/aviso"
# An ordinary phone: 390 × 844 CSS pixels at 2× (iPhone 12 to 15 class).
PHONE = {"width": 390, "height": 844, "pixelRatio": 2}


class Proxy(http.server.BaseHTTPRequestHandler):
    upstream = ""

    def do_GET(self):
        self.forward()

    def do_POST(self):
        self.forward()

    def forward(self):
        if not self.path.startswith(PREFIX + "/"):
            self.send_error(404, "outside the proxy's prefix")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        request = urllib.request.Request(self.upstream + self.path[len(PREFIX):], data=body, method=self.command)
        for name in ("Content-Type", "Accept", "Accept-Language", "User-Agent"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            response = urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        data = response.read()
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        Proxy.seen.append({"method": self.command, "path": self.path, "status": response.status})

    def log_message(self, *args):
        pass


Proxy.seen = []

OBSERVE = """
const button = document.querySelector('button');
const style = button ? getComputedStyle(button) : null;
const rect = button ? button.getBoundingClientRect() : null;
return {
  lang: document.documentElement.lang,
  dir: document.documentElement.dir,
  title: document.title,
  h1: (document.querySelector('h1') || {}).innerText || '',
  text: document.body.innerText,
  path: location.pathname,
  overflow: document.documentElement.scrollWidth > window.innerWidth,
  viewport: {width: window.innerWidth, height: window.innerHeight},
  fontSize: parseFloat(getComputedStyle(document.body).fontSize),
  button: button ? {
    name: button.innerText.trim(), left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom,
    width: rect.width, height: rect.height, fontSize: parseFloat(style.fontSize), color: style.color, background: style.backgroundColor,
    focusable: button.tabIndex >= 0 && !button.disabled
  } : null,
  form: !!document.querySelector('form'),
  telLinks: Array.from(document.querySelectorAll('a[href^="tel:"]')).map(a => a.getAttribute('href')),
  // A phone number reads left to right in every language: its first digit is drawn left of its last.
  phoneLeftToRight: Array.from(document.querySelectorAll('a[href^="tel:"]')).every(a => {
    const text = a.firstChild && a.firstChild.firstChild ? a.firstChild.firstChild : a.firstChild;
    if (!text || !text.length) return false;
    const range = document.createRange();
    range.setStart(text, 0); range.setEnd(text, 1);
    const first = range.getBoundingClientRect().left;
    range.setStart(text, text.length - 1); range.setEnd(text, text.length);
    return first < range.getBoundingClientRect().left;
  }),
};
"""


def driver_for(language, chromium, chromedriver, profile):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-extensions", f"--lang={language}", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="avisod's address, http://127.0.0.1:PORT")
    parser.add_argument("--proxy-port", type=int, required=True)
    parser.add_argument("--link", action="append", required=True, help="language=URL, the link as the email carries it")
    parser.add_argument("--out", required=True, help="directory for the screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()

    Proxy.upstream = args.upstream.rstrip("/")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.proxy_port), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.makedirs(args.out, exist_ok=True)
    results = {}
    try:
        for item in args.link:
            language, url = item.split("=", 1)
            with tempfile.TemporaryDirectory() as profile:
                driver = driver_for(language, args.chromium, args.chromedriver, profile)
                driver.set_page_load_timeout(20)
                try:
                    seen = {}
                    driver.get(url)
                    seen["page"] = driver.execute_script(OBSERVE)
                    driver.save_screenshot(os.path.join(args.out, f"unsubscribe-{language}.png"))
                    driver.find_element(By.TAG_NAME, "button").click()
                    WebDriverWait(driver, 10).until(lambda d: not d.find_elements(By.TAG_NAME, "form"))
                    seen["done"] = driver.execute_script(OBSERVE)
                    driver.save_screenshot(os.path.join(args.out, f"unsubscribe-{language}-done.png"))
                    invalid = url.rsplit("/", 1)[0] + "/" + "0" * 64
                    driver.get(invalid)
                    seen["invalid"] = driver.execute_script(OBSERVE)
                    driver.save_screenshot(os.path.join(args.out, f"unsubscribe-{language}-invalid.png"))
                    results[language] = seen
                finally:
                    driver.quit()
    finally:
        server.shutdown()
    print(json.dumps({"results": results, "proxy": Proxy.seen}, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
