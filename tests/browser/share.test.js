// Sharing a server in headless Chromium (the system's /usr/bin/chromium, driven by playwright-core). Run by
// tests/integration/web/share_browser.sh, which starts the real l4d2web, l4d2ctl, fake-steamcmd and fake-srcds,
// alice's running server SERVER_ID and the users alice and bob, and passes BASE_URL, SHOTS, PROFILE and SERVER_ID.
"use strict";
const { launch, helpers } = require("./support");

const base = process.env.BASE_URL;
const serverId = process.env.SERVER_ID;
const serverUrl = `${base}/servers/${serverId}`;
const problems = [];
let step = "start";
const { check, waitFor, shot, logIn, run } =
    helpers({ step: () => step, shots: process.env.SHOTS, base, waitMs: 30000 });

async function logInAs(page, name) {
  await logIn(page, name, `password-${name}`);
  check(!page.url().includes("/login"), `${name} is not logged in (${page.url()})`);
}

async function logOut(page) {
  await Promise.all([page.waitForNavigation(), page.click("form.logout button[type=submit]")]);
}

async function main() {
  const context = await launch(process.env.PROFILE, {
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
  await run("sharing in Chromium", context, page, problems, async () => {
    step = "alice shares her server with bob as operator";
    await logInAs(page, "alice");
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
    await logInAs(page, "bob");
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
  });
}

main();
