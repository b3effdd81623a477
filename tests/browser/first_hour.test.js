// The first hour of a new host in headless Chromium (the system's /usr/bin/chromium, driven by playwright-core;
// no browser is ever downloaded): one step per place issue 13 found a person stuck or misled, each checked
// without reloading the page where the bug was that the page did not follow. Run by
// tests/integration/web/first_hour_browser.sh, which starts the real l4d2web, l4d2ctl, fake-steamcmd and
// fake-srcds under the built-in supervisor, with an overlay `campaign` holding the "Dark Wood" campaign in an
// addon VPK whose second map's file is missing, and passes:
//   BASE_URL, SHOTS (screenshot directory), PROFILE (fresh user-data dir), ADMIN_PASSWORD,
//   START_WAIT (web.env's LEFT4ME_START_WAIT_SECONDS).
"use strict";
const { launch, helpers } = require("./support");
const fs = require("fs");

const base = process.env.BASE_URL;
const shots = process.env.SHOTS;
const startWait = process.env.START_WAIT;

const problems = [];  // console errors, CSP refusals, dialogs nobody expected
let expectNotFound = false;  // while a step opens a missing page on purpose
let step = "start";
const { check, waitFor, shot, text, run } = helpers({ step: () => step, shots });

function watch(page) {
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // A form mistake answers 422 on purpose; a 404 only where a step asks for a missing page. Any other
    // error counts, a missing /favicon.ico among them (bug 8).
    if (/status of 422/.test(message.text())) return;
    if (expectNotFound && /status of 404/.test(message.text())) return;
    problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on("dialog", async (dialog) => {
    problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
}

async function login(page, name, password) {
  await page.goto(`${base}/login`);
  await page.fill("#login-name", name);
  await page.fill("#login-password", password);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
}

// Saves the blueprint form that is open in `page` and returns the blueprint's URL.
async function saveBlueprint(page) {
  await Promise.all([page.waitForNavigation(), page.click(".blueprint-form .buttons button[value=save]")]);
  check(/\/blueprints\/\d+$/.test(page.url()), `after save at ${page.url()}`);
  return page.url();
}

// Creates a server from the new-server form; returns its page's URL.
async function createServer(page, name, blueprint) {
  await page.goto(`${base}/servers/new`);
  await page.fill("#server-name", name);
  await page.selectOption("#server-blueprint", { label: blueprint });
  await Promise.all([page.waitForNavigation(), page.click("form[action='/servers'] button[type=submit]")]);
  check(/\/servers\/\d+$/.test(page.url()), `after creating ${name} at ${page.url()}`);
  return page.url();
}

// How many console lines contain `needle`.
async function consoleCount(page, needle) {
  return page.$$eval("#console > *", (lines, wanted) => lines.filter((line) => line.textContent.includes(wanted)).length,
                     needle);
}

// Bug 6: every date is a <time> with its UTC moment on hover, and no raw ISO timestamp is shown as text.
async function checkDates(page, where) {
  const times = await page.$$eval("time", (all) => all.map((t) => ({
    datetime: t.getAttribute("datetime"), title: t.getAttribute("title"), text: t.textContent })));
  check(times.length > 0, `${where} shows no date`);
  for (const time of times) {
    check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(time.datetime || ""), `${where}: a <time> without its moment: ${JSON.stringify(time)}`);
    check(/ UTC$/.test(time.title || ""), `${where}: a <time> without the UTC time on hover: ${JSON.stringify(time)}`);
  }
  const shown = await page.evaluate(() => document.body.innerText);
  check(!/\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z/.test(shown), `${where} shows a raw ISO timestamp`);
}

async function main() {
  const context = await launch(process.env.PROFILE, {
    viewport: { width: 1280, height: 900 },
    timezoneId: "Europe/Berlin",
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname !== "127.0.0.1") {
      problems.push(`request to another host: ${url}`);
      return route.abort();
    }
    return route.continue();
  });
  const page = context.pages()[0] || (await context.newPage());
  watch(page);
  await run("first-hour journey", context, page, problems, async () => {
    step = "bug 8: the favicon";
    await login(page, "admin", process.env.ADMIN_PASSWORD);
    const icon = await page.request.get(`${base}/favicon.ico`);
    check(icon.ok(), `/favicon.ico answered ${icon.status()}`);
    check(/^image\//.test(icon.headers()["content-type"] || ""), `/favicon.ico is ${icon.headers()["content-type"]}`);

    step = "bug 8: a missing page keeps the navigation of a signed-in user";
    expectNotFound = true;
    const missing = await page.goto(`${base}/servers/987654`);
    expectNotFound = false;
    check(missing.status() === 404, `a missing server answered ${missing.status()}`);
    check(await page.isVisible("nav[aria-label=Main] a[href='/blueprints']"), "the 404 page has no navigation");
    check(await page.isVisible("form.logout"), "the 404 page has no way to log out");
    check((await page.locator("a[href='/login']").count()) === 0, "the 404 page offers a signed-in user 'Log in'");
    await shot(page, "01-not-found-signed-in");

    step = "bug 7: the install job's log reads as progress";
    await page.goto(`${base}/admin`);
    await page.click("#install-button");
    await waitFor("the install to succeed", async () => (await text(page, "#install-state")) === "succeeded", 60000);
    await page.goto(`${base}/jobs`);
    await page.click("#jobs tbody tr:first-child th a");
    check((await text(page, "h1")).includes("install"), `the newest job is not the install: ${await text(page, "h1")}`);
    await waitFor("the job log", async () => (await page.locator("#job-log > *").count()) > 2);
    const installLog = await page.$$eval("#job-log > *", (lines) => lines.map((line) => line.textContent));
    check(!installLog.some((line) => line.trim().startsWith("{")), `raw JSON in the install log:\n${installLog.join("\n")}`);
    check(installLog.some((line) => /\d+\.\d% · [\d.]+ [KMG]?i?B of [\d.]+ [KMG]?i?B/.test(line)),
          `no progress line with bytes in the install log:\n${installLog.join("\n")}`);
    await checkDates(page, "the install job's page");
    await shot(page, "02-install-log");

    step = "the overlay campaign, made on the Overlays page (its files are in overlays/1/ already)";
    await page.goto(`${base}/overlays`);
    await page.fill("#overlay-name", "campaign");
    await Promise.all([page.waitForNavigation(), page.click("#overlay-create")]);
    check((await text(page, "h1")) === "Overlay campaign", `after creating the overlay: ${await text(page, "h1")}`);
    check((await text(page, "dl")).includes("overlays/1/"), "the first overlay's directory is not overlays/1/");

    step = "pick, don't type: the map list has the official campaigns and the maps of an overlay's VPK";
    await page.goto(`${base}/blueprints/new`);
    await page.fill("#bp-name", "dark wood");
    check((await page.locator("#bp-map optgroup[label='Dark Carnival'] option", { hasText: "Dark Carnival, 1: Highway" }).count()) === 1,
          "no 'Dark Carnival, 1: Highway' in the map list");
    await page.click("button[value=add_overlay]");
    await page.selectOption("#overlay-0", { label: "campaign" });
    await page.click("button[value=add_overlay]");  // a row button shows the overlay's maps
    await page.click("button[value='remove_overlay:1']");
    const darkWood = page.locator("#bp-map optgroup[label='Dark Wood (overlay 1)'] option");
    check((await darkWood.count()) === 2, `the overlay's campaign lists ${await darkWood.count()} maps, not 2`);
    await page.selectOption("#bp-map", { label: "Dark Wood, 1: The Path" });
    await page.selectOption("#bp-mode", { label: "Campaign (coop)" });
    await shot(page, "03-map-picker");
    const darkWoodUrl = await saveBlueprint(page);
    check((await page.inputValue("#bp-map")) === "dw_01_path", "the saved blueprint's map is not dw_01_path");

    step = "a second blueprint on the map whose file the addon lacks";
    await page.goto(`${base}/blueprints/new`);
    await page.fill("#bp-name", "broken cabin");
    await page.click("button[value=add_overlay]");
    await page.selectOption("#overlay-0", { label: "campaign" });
    await page.click("button[value=add_overlay]");
    await page.click("button[value='remove_overlay:1']");
    await page.selectOption("#bp-map", { label: "Dark Wood, 2: The Cabin" });
    await saveBlueprint(page);

    step = "bug 5: a long server name's error stays in its card, says what is wrong once, and the field has a limit";
    await page.goto(`${base}/servers/new`);
    check((await page.getAttribute("#server-name", "maxlength")) === "64", "the name field has no 64-character limit");
    // A client that ignores maxlength (a pasted script, an old browser) still gets a clear error.
    await page.evaluate(() => { document.getElementById("server-name").value = "W".repeat(200); });
    await Promise.all([page.waitForNavigation(), page.click("form[action='/servers'] button[type=submit]")]);
    const nameError = await text(page, "#server-name-error");
    check(nameError.includes("at most 64 characters") && nameError.includes("200"), `name error: ${nameError}`);
    check(!nameError.includes("W".repeat(20)), "the error repeats the long name");
    const help = await text(page, "#server-name-help");
    check(!nameError.includes(help.slice(0, 30)), "the error repeats the rule the hint states");
    const fits = await page.evaluate(() => {
      const error = document.getElementById("server-name-error").getBoundingClientRect();
      const card = document.querySelector("form.card").getBoundingClientRect();
      return error.right <= card.right + 0.5 && document.documentElement.scrollWidth <= window.innerWidth;
    });
    check(fits, "the name error overflows its card or the page");
    await shot(page, "04-long-name-error");

    step = "bug 4: before its first start the server page says so, with no raw error";
    const serverUrl = await createServer(page, "Dark Wood nights", "dark wood");
    await waitFor("the console's first words", async () => (await text(page, "#console")).length > 0, 10000);
    const before = await text(page, "#console");
    check(before.includes("not been started yet"), `the console before the first start says: ${before}`);
    check(!/l4d2ctl|no such instance/.test(before), `a raw error in the console: ${before}`);
    check((await text(page, "#server-jobs")).includes("No jobs yet"), "the job history is not empty before a start");
    await shot(page, "05-server-new");

    step = "bug 4: after Start the console follows the server and the job history shows the start";
    await page.click("#action-start");
    await waitFor("state running", async () => (await text(page, "#server-state")) === "running", 60000);
    await waitFor("console lines from the server", async () => (await consoleCount(page, "Network:")) >= 1, 20000);
    check(!(await text(page, "#console")).includes("no such instance"), "the console still shows an error");
    await waitFor("the start in the job history", async () =>
      /start\s*succeeded/.test((await text(page, "#server-jobs")).replace(/\s+/g, " ")), 10000);
    await waitFor("map dw_01_path", async () => (await text(page, "#server-map")) === "dw_01_path", 20000);
    await checkDates(page, "the server page");
    await shot(page, "06-server-running");

    step = "bug 3: the 'older version' note comes with a blueprint change and goes with the restart, without a reload";
    const editor = await context.newPage();
    watch(editor);
    await editor.goto(darkWoodUrl);
    await editor.fill("#bp-max-players", "6");
    await saveBlueprint(editor);
    await editor.close();
    await waitFor("the note that the server runs an older version", async () => page.isVisible("#server-outdated"), 10000);
    await shot(page, "07-server-outdated");
    const startsBefore = await consoleCount(page, "Network:");
    await page.click("#action-restart");
    await waitFor("the note to go after the restart", async () =>
      !(await page.isVisible("#server-outdated")) && (await text(page, "#server-state")) === "running", 60000);
    step = "bug 4: after a restart the console follows the new process and the history shows the restart";
    await waitFor("the restarted server's console lines", async () => (await consoleCount(page, "Network:")) > startsBefore, 20000);
    await waitFor("the restart in the job history", async () =>
      /restart\s*succeeded/.test((await text(page, "#server-jobs")).replace(/\s+/g, " ")), 10000);
    await shot(page, "08-server-restarted");

    step = "bugs 1 and 2: a start that never answers ends stopped, with the reason on the page";
    await createServer(page, "Broken cabin", "broken cabin");
    await page.click("#action-start");
    const wanted = `did not answer with map 'dw_02_cabin' within ${startWait} s`;
    await waitFor("the failure's reason on the server page", async () =>
      (await text(page, "#server-last-error").catch(() => "")).includes(wanted), 60000);
    await waitFor("state stopped", async () => (await text(page, "#server-state")) === "stopped", 10000);
    check(!(await text(page, "#server-last-error")).includes("exit code"), "the reason is an exit code");
    await waitFor("the map load failure in the console", async () => (await text(page, "#console")).includes("map load failed"), 10000);
    await waitFor("the failed start in the job history", async () =>
      /start\s*failed/.test((await text(page, "#server-jobs")).replace(/\s+/g, " ")), 10000);
    check(await page.isEnabled("#action-start"), "a stopped server cannot be started again");
    await shot(page, "09-start-failed");
    // It stays stopped: no process keeps running in `starting`.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    check((await text(page, "#server-state")) === "stopped", `the failed server is ${await text(page, "#server-state")} later`);

    step = "bug 2: the dashboard row shows the failure, not `new`";
    await page.goto(`${base}/`);
    const row = page.locator("tr.server-row", { hasText: "Broken cabin" });
    check((await row.locator(".state").first().textContent()) === "stopped", `the row's state is ${await row.locator(".state").first().textContent()}`);
    check((await row.locator(".last-error").textContent()).includes(wanted), "the row does not say why the start failed");
    const good = page.locator("tr.server-row", { hasText: "Dark Wood nights" });
    check((await good.locator(".state").first().textContent()) === "running", "the other server is not running");
    check((await good.locator(".last-error").count()) === 0, "the running server shows a failure");
    await shot(page, "10-dashboard-failed-start");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "11-dashboard-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/jobs`);
    await checkDates(page, "the jobs page");

    step = "clean up: stop the running server";
    await page.goto(serverUrl);
    await page.click("#action-stop");
    await waitFor("state stopped", async () => (await text(page, "#server-state")) === "stopped", 30000);

    step = "nothing broke";
  });
}

fs.mkdirSync(shots, { recursive: true });
main();
