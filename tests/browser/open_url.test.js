// Opens one URL in headless Chromium (system /usr/bin/chromium via playwright-core) and checks the page's
// first heading. Usage: node open_url.test.js URL EXPECTED_H1 SCREENSHOT PROFILE_DIR
"use strict";
const { launch } = require("./support");

async function main() {
  const [url, expected, screenshot, profile] = process.argv.slice(2);
  const context = await launch(profile);
  try {
    const page = context.pages()[0] || (await context.newPage());
    const response = await page.goto(url);
    const heading = (await page.locator("h1").first().textContent()) || "";
    await page.screenshot({ path: screenshot, fullPage: true });
    if (!response.ok() || heading !== expected) {
      console.error(`FAIL: ${url} answered ${response.status()} with heading '${heading}', expected '${expected}'`);
      process.exitCode = 1;
    } else {
      console.log(`ok: ${url} shows '${heading}'`);
    }
  } finally {
    await context.close();
  }
}
main();
