// Sharing a server in headless Chromium (the system's /usr/bin/chromium, driven by playwright-core). Run by
// tests/integration/web/share_browser.sh, which starts the real l4d2web, l4d2ctl, fake-steamcmd and fake-srcds,
// alice's running server SERVER_ID and the users alice and bob, and passes BASE_URL, SHOTS, PROFILE and SERVER_ID.
"use strict";
const { chromium } = require("playwright-core");
const path = require("path");

const base = process.env.BASE_URL;
const serverId = process.env.SERVER_ID;
const serverUrl = `${base}/servers/${serverId}`;
const problems = [];
let step = "start";

function check(condition, message) {
  if (!condition) throw new Error(`${step}: ${message}`);
}

async function waitFor(description, fn, timeoutMs = 30000) {
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
  throw new Error(`${step}: timed out waiting for ${description} (last: ${last})`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(process.env.SHOTS, `${name}.png`), fullPage: true });
}

async function logIn(page, name) {
  await page.goto(`${base}/login`);
  await page.fill("#login-name", name);
  await page.fill("#login-password", `password-${name}`);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
  check(!page.url().includes("/login"), `${name} is not logged in (${page.url()})`);
}

async function logOut(page) {
  await Promise.all([page.waitForNavigation(), page.click("form.logout button[type=submit]")]);
}

async function main() {
  const context = await chromium.launchPersistentContext(process.env.PROFILE, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 1000 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error" && /status of 404/.test(message.text())) return;
    if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on("dialog", async (dialog) => {
    problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  try {
    step = "alice shares her server with bob as operator";
    await logIn(page, "alice");
    await page.goto(serverUrl);
    check(await page.isVisible("#sharing"), "the owner has no sharing section");
    await page.fill("#share-user", "bob");
    await page.selectOption("#share-role", "operator");
    await Promise.all([page.waitForNavigation(), page.click("#share-submit")]);
    const row = page.locator("#sharing tbody tr", { hasText: "bob" });
    check((await row.count()) === 1, "bob is not in the sharing table");
    check((await row.locator(".share-role").textContent()) === "operator", "bob's role is not operator");
    await shot(page, "01-shared");
    await logOut(page);

    step = "bob sees it on his dashboard, marked as alice's";
    await logIn(page, "bob");
    const mark = await waitFor("the shared mark", async () => {
      const text = await page.textContent(`#shared-${serverId}`).catch(() => null);
      return text;
    });
    check(mark.trim() === "shared by alice · operator", `the dashboard marks it ${JSON.stringify(mark)}`);
    await shot(page, "02-dashboard");

    step = "bob restarts it from its page";
    await page.click(`#server-${serverId} th a`);
    await page.waitForURL(serverUrl);
    check((await page.textContent("#server-shared")).includes("Shared with you by alice as operator"),
          "the page does not say whose it is");
    check(!(await page.isVisible("#sharing")), "an operator sees the sharing section");
    check((await page.locator("a[href$='/delete']").count()) === 0, "an operator is offered to delete it");
    check((await page.locator("a[href^='/blueprints/']").count()) === 0, "the blueprint links to its editor");
    await waitFor("running", async () => (await page.textContent("#server-state")) === "running");
    await page.click("#action-restart");
    await waitFor("the restart pending", async () =>
      /restart (queued|running)/.test(await page.textContent("#status")));
    await shot(page, "03-restarting");
    await waitFor("running again, nothing pending", async () =>
      (await page.textContent("#server-state")) === "running" &&
      (await page.locator("#status .pending").count()) === 0);
    await waitFor("the restart in the job history", async () =>
      /restart/.test(await page.textContent("#server-jobs")));
    await shot(page, "04-restarted");
    check(problems.length === 0, `problems:\n  ${problems.join("\n  ")}`);
    console.log("ok: sharing in Chromium");
  } catch (error) {
    console.error(error.message);
    if (problems.length) console.error(`also:\n  ${problems.join("\n  ")}`);
    await shot(page, "failure").catch(() => {});
    process.exitCode = 1;
  } finally {
    await context.close();
  }
}

main();
