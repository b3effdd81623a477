// What the browser tests share: the system's Chromium (/usr/bin/chromium, driven by playwright-core; no browser is
// ever downloaded), checks that name the step they failed in, screenshots, signing in, and the end every test has
// (the problems it collected, a failure screenshot, the exit code).
"use strict";
const { chromium } = require("playwright-core");
const path = require("path");

// Headless Chromium on a fresh profile, reaching nothing by itself (no sync, updates or background requests).
// options are playwright's (viewport, timezoneId, ...).
function launch(profile, options = {}) {
  return chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ...options,
  });
}

// The helpers of one test. step() names the current step in failure messages; shots is the screenshot directory,
// base the app's URL, waitMs waitFor's default patience.
function helpers({ step: currentStep, shots, base, waitMs = 20000 }) {
  function check(condition, message) {
    if (!condition) throw new Error(`${currentStep()}: ${message}`);
  }

  // Polls fn every 100 ms until it returns something truthy, which it returns; a throw counts as not yet.
  async function waitFor(description, fn, timeoutMs = waitMs) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        last = await fn();
        if (last) return last;
      } catch (error) {
        last = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${currentStep()}: timed out waiting for ${description} (last: ${last})`);
  }

  async function shot(page, name) {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  }

  // The first match's text ("" when it has none).
  async function text(page, selector) {
    return (await page.locator(selector).first().textContent()) || "";
  }

  // Fills the sign-in form and submits it, waiting for the next page.
  async function logIn(page, name, password) {
    await page.goto(`${base}/login`);
    await page.fill("#login-name", name);
    await page.fill("#login-password", password);
    await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
  }

  // Runs body(), then requires that nothing went wrong on the way (problems: console errors, CSP refusals,
  // unexpected dialogs). A failure is printed with a screenshot and sets the exit code; the context is closed.
  async function run(label, context, page, problems, body) {
    try {
      await body();
      check(problems.length === 0, `problems:\n  ${problems.join("\n  ")}`);
      console.log(`ok: ${label} passed; screenshots in ${shots}`);
    } catch (error) {
      await shot(page, "failure").catch(() => {});
      console.error(`FAIL: ${error.message}`);
      if (problems.length) console.error(`also:\n  ${problems.join("\n  ")}`);
      process.exitCode = 1;
    } finally {
      await context.close();
    }
  }

  return { check, waitFor, shot, text, logIn, run };
}

module.exports = { launch, helpers };
