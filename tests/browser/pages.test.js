// End-to-end test of the l4d2web pages in headless Chromium (the system's /usr/bin/chromium, driven by
// playwright-core; no browser is ever downloaded). Run by tests/integration/web/pages_browser.sh, which
// starts the real l4d2web with the real l4d2ctl, fake-steamcmd, fake-srcds and fake-steam-api (the Steam Web API
// stand-in: collection 900 nests 901 and 902, items 1001..1004) and passes:
//   BASE_URL, SHOTS (screenshot directory), PROFILE (fresh user-data dir), ADMIN_PASSWORD, PLAYERS,
//   ARCHIVE (a tar.gz holding left4dead2/cfg/pack.cfg).
"use strict";
const { launch, helpers } = require("./support");
const fs = require("fs");

const base = process.env.BASE_URL;
const shots = process.env.SHOTS;
const adminPassword = process.env.ADMIN_PASSWORD;
const players = process.env.PLAYERS;
const evil = "<script>alert(1)</script>";
const quoteValue = "it's <b>bold</b> & 'quoted'";

const problems = [];  // console errors, CSP violations, dialogs nobody expected
const confirmations = [];  // the stop confirmations accepted
let step = "start";
const { check, waitFor, shot, text, run } = helpers({ step: () => step, shots });

function watch(page) {
  page.on("console", (message) => {
    // Pages answer form mistakes with 4xx on purpose; anything else (CSP refusals, script errors) counts.
    if (message.type() === "error" && /status of (401|404|409|422)/.test(message.text())) return;
    if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on("dialog", async (dialog) => {
    if (dialog.type() === "confirm" && /^Stop pagetest\? \d+ players? (is|are) on it\.$/.test(dialog.message())) {
      confirmations.push(dialog.message());
      await dialog.accept();
      return;
    }
    if (dialog.type() === "confirm" && dialog.message().startsWith("Delete the blueprint")) {
      await dialog.accept();
      return;
    }
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

async function logout(page) {
  await Promise.all([page.waitForNavigation(), page.click("form.logout button")]);
}

async function main() {
  const context = await launch(process.env.PROFILE, {
    viewport: { width: 1280, height: 860 },
  });
  // Nothing may leave 127.0.0.1: no CDN, no fonts, no telemetry.
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
  await run("browser test", context, page, problems, async () => {
    step = "login page";
    const first = await page.goto(`${base}/`);
    check(first.ok(), `GET / answered ${first.status()}`);
    check(page.url().startsWith(`${base}/login`), `not redirected to the login page: ${page.url()}`);
    check((await text(page, "h1")) === "Log in", "no login heading");
    await shot(page, "01-login");

    step = "wrong password";
    await login(page, "admin", "not-the-password");
    check((await text(page, "[role=alert]")).includes("Wrong user name or password"), "no login error shown");
    await shot(page, "02-login-failed");

    step = "log in as admin";
    await login(page, "admin", adminPassword);
    check(page.url() === `${base}/`, `after login at ${page.url()}`);
    check((await text(page, ".empty")).includes("no servers yet"), "empty dashboard text missing");
    await shot(page, "03-dashboard-empty");

    step = "static files are versioned and cached";
    const css = await page.locator("link[rel=stylesheet]").getAttribute("href");
    check(/^\/static\/[0-9a-f]{12}\/app\.css$/.test(css), `stylesheet URL ${css}`);
    const cssResponse = await page.request.get(`${base}${css}`);
    check(cssResponse.headers()["cache-control"].includes("immutable"), "app.css is not immutable");

    step = "keyboard: skip link and visible focus";
    await page.keyboard.press("Tab");
    check(await page.evaluate(() => document.activeElement.classList.contains("skip")), "Tab does not reach the skip link");
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check(outline !== "none", `focused element has no visible outline (${outline})`);

    step = "install the game";
    await page.goto(`${base}/admin`);
    await shot(page, "04-admin");
    await page.click("#install-button");
    const seen = new Set();
    await waitFor("the install to succeed at 100%", async () => {
      const value = await page.locator("#install-progress").getAttribute("value").catch(() => null);
      if (value !== null && !seen.has(Number(value))) {
        seen.add(Number(value));
        if (Number(value) > 0 && Number(value) < 100 && !seen.has("shot")) {
          seen.add("shot");
          await shot(page, "05-install-progress");
        }
      }
      const state = await page.locator("#install-state").textContent().catch(() => "");
      return state === "succeeded" && value === "100";
    }, 60000);
    check([...seen].some((value) => typeof value === "number" && value < 100), `never saw the bar below 100% (${[...seen]})`);
    check((await text(page, "#install-percent")) === "100.0%", "percent text is not 100.0%");
    await shot(page, "06-install-done");

    step = "overlays page";
    for (const name of ["first", "second"]) {
      await page.goto(`${base}/overlays`);
      await page.fill("#overlay-name", name);
      await Promise.all([page.waitForNavigation(), page.click("#overlay-create")]);
      check((await text(page, "h1")) === `Overlay ${name}`, `after creating an overlay: ${await text(page, "h1")}`);
    }
    await page.goto(`${base}/overlays`);
    check((await page.locator("a[href='/overlays'][aria-current=page]").count()) === 1, "no Overlays entry in the navigation");
    check((await page.locator("table a", { hasText: "second" }).count()) === 1, "the overlay list lacks 'second'");

    step = "upload an archive into a file overlay";
    await page.locator("table a", { hasText: "first" }).click();
    await page.waitForSelector("#overlay-files");
    await page.setInputFiles("#overlay-upload-file", process.env.ARCHIVE);
    await Promise.all([page.waitForNavigation(), page.click("#overlay-upload button[type=submit]")]);
    await page.locator("#overlay-files a", { hasText: "left4dead2/" }).click();
    await page.locator("#overlay-files a", { hasText: "cfg/" }).click();
    check((await page.locator("#overlay-files a", { hasText: "pack.cfg" }).count()) === 1,
          `the browser does not show the archive's pack.cfg: ${await text(page, "#overlay-files tbody")}`);
    await shot(page, "06b-overlay-files");

    step = "a Workshop overlay from a collection URL";
    await page.goto(`${base}/overlays`);
    await page.fill("#overlay-name", "workshop-maps");
    await page.selectOption("#overlay-kind", "workshop");
    await Promise.all([page.waitForNavigation(), page.click("#overlay-create")]);
    await page.fill("#workshop-entries", "https://steamcommunity.com/sharedfiles/filedetails/?id=900");
    await page.click("#workshop button[type=submit]");
    await waitFor("the saved list", async () => (await text(page, "#workshop-items")).includes("Not refreshed yet"));
    const workshopUrl = page.url();
    await page.click("#workshop-items button[type=submit]");
    // The section follows the refresh (every second) until each item of the nested collections is ok.
    await waitFor("a refresh under way", async () => /A refresh is (queued|running)|ok/.test(await text(page, "#workshop-items")),
                  10000);
    await waitFor("four items ok", async () => (await page.locator("#workshop-items .state.good").count()) === 4, 30000);
    for (const id of ["1001", "1002", "1003", "1004"]) {
      check((await page.locator("#workshop-items td", { hasText: `Stand-in map ${id}` }).count()) === 1,
            `item ${id} is not listed`);
    }
    await shot(page, "06c-workshop-items");

    step = "invalid blueprint shows field errors";
    const selectedLabel = (selector) => page.$eval(selector, (select) => select.selectedOptions[0].textContent);
    await page.goto(`${base}/blueprints/new`);
    await page.fill("#bp-name", evil);
    // Pick, don't type: the start map from the official campaigns by title, the mode by title.
    check((await page.locator("#bp-map optgroup[label='Dark Carnival'] option", { hasText: "Dark Carnival, 1: Highway" }).count()) === 1,
          "the map list has no 'Dark Carnival, 1: Highway'");
    await page.selectOption("#bp-map", { label: "Dark Carnival, 1: Highway" });
    await page.selectOption("#bp-mode", { label: "Campaign (coop)" });
    await page.fill("#bp-max-players", "99");
    await page.click("button[value=add_overlay]");
    await page.selectOption("#overlay-0", { label: "first" });
    await page.click("button[value=add_overlay]");
    await page.selectOption("#overlay-1", { label: "second" });
    await page.click("button[value='down:0']");
    check((await selectedLabel("#overlay-0")) === "second" && (await selectedLabel("#overlay-1")) === "first",
          "moving an overlay down did not reorder");
    await page.click("button[value='up:1']");
    check((await selectedLabel("#overlay-0")) === "first", "moving an overlay up did not reorder");
    await page.click("button[value=add_cvar]");
    await page.fill("#cvar-key-0", "sv_tags");
    await page.fill("#cvar-value-0", 'say "hi"');
    await page.click("button[value=add_cvar]");
    await page.fill("#cvar-key-1", "sv_alltalk");
    await page.fill("#cvar-value-1", "1");
    await shot(page, "07-blueprint-form");
    const invalid = await Promise.all([page.waitForNavigation(), page.click(".blueprint-form .buttons button[value=save]")]);
    check(invalid[0].status() === 422, `invalid blueprint answered ${invalid[0].status()}`);
    check((await text(page, "#bp-max-players-error")).includes("99"), "no max_players error beside the field");
    check((await page.getAttribute("#bp-max-players", "aria-invalid")) === "true", "max players not marked invalid");
    check((await text(page, "#cvar-0-error")).length > 0, "no error beside the cvar with a double quote");
    check((await page.inputValue("#cvar-value-0")) === 'say "hi"', "the cvar value with quotes was not kept as text");
    check((await page.inputValue("#bp-name")) === evil, "the name was not kept as text");
    await shot(page, "08-blueprint-errors");

    step = "valid blueprint";
    await page.fill("#bp-max-players", "8");
    await page.fill("#cvar-value-0", quoteValue);
    await page.click("button[value='remove_overlay:1']");
    await page.click("button[value='remove_overlay:0']");
    check((await page.locator("select[name=overlay]").count()) === 0, "overlays not removed");
    await page.click("button[value=add_overlay]");
    await page.selectOption("#overlay-0", { label: "workshop-maps" });
    await Promise.all([page.waitForNavigation(), page.click(".blueprint-form .buttons button[value=save]")]);
    check(/\/blueprints\/\d+$/.test(page.url()), `after save at ${page.url()}`);
    check((await text(page, "#flash")).includes("blueprint was created"), "no notice after creating a blueprint");
    await page.reload();
    check(!(await text(page, "#flash")).includes("blueprint was created"), "the notice came again on reload");
    check((await text(page, "h1")) === `Blueprint ${evil}`, `heading is ${await text(page, "h1")}`);
    check((await page.inputValue("#cvar-value-0")) === "1" || (await page.inputValue("#cvar-value-1")) === quoteValue,
          "cvar values not shown back as text");
    await shot(page, "09-blueprint-saved");
    const blueprintUrl = page.url().replace(/\?.*$/, "");
    await page.goto(`${base}/blueprints`);
    check((await text(page, "tbody th a")) === evil, "blueprint list does not show the name as text");
    await shot(page, "10-blueprints");

    step = "create a server";
    await page.goto(`${base}/servers/new`);
    await page.fill("#server-name", "Bad\u0007Name");  // spaces and any letters are fine, control characters not
    await Promise.all([page.waitForNavigation(), page.click("form[action='/servers'] button[type=submit]")]);
    check((await text(page, "#server-name-error")).includes("control characters"), "no error for a bad server name");
    await page.fill("#server-name", "pagetest");
    await Promise.all([page.waitForNavigation(), page.click("form[action='/servers'] button[type=submit]")]);
    check(/\/servers\/\d+$/.test(page.url()), `after create at ${page.url()}`);
    const serverUrl = page.url().replace(/\?.*$/, "");
    check((await text(page, "h1")) === "pagetest", "server page heading");

    step = "start it and watch the console";
    await page.click("#action-start");
    await waitFor("a pending start", async () => /start (queued|running)/.test(await text(page, "#status")), 5000)
        .catch(() => null);  // a fast start may skip the visible pending state
    await waitFor("state running", async () => (await text(page, "#server-state")) === "running", 60000);
    await waitFor("a console line from fake-srcds", async () => (await text(page, "#console")).includes("Network:"), 20000);
    await waitFor("players and map", async () =>
      (await text(page, "#server-map")) === "c2m1_highway" && (await text(page, "#server-players")) === `${players}/8`, 20000);
    check(/^connect [A-Za-z0-9.-]+:\d+$/.test(await text(page, "#server-connect")), "no connect line on the server page");
    check((await page.getAttribute("#copy-connect", "data-copy")) === await text(page, "#server-connect"),
          "the copy button does not copy the connect line");
    await shot(page, "11-server-running");

    step = "the running server's Workshop overlay lists its items";
    await page.goto(workshopUrl);
    check((await page.locator("#workshop-items .state.good").count()) === 4, "the Workshop items are not all ok");
    await page.goto(`${base}/overlays`);
    const workshopRow = page.locator("tr", { has: page.locator("a", { hasText: "workshop-maps" }) });
    check((await workshopRow.locator(`a[href='${new URL(blueprintUrl).pathname}']`).count()) === 1,
          "the overlay list does not name the server's blueprint as using workshop-maps");
    await page.goto(serverUrl);

    step = "console auto-scroll pauses when scrolled up";
    await page.evaluate(() => { const log = document.getElementById("console"); log.scrollTop = 0; log.dispatchEvent(new Event("scroll")); });
    const canScroll = await page.evaluate(() => { const log = document.getElementById("console"); return log.scrollHeight > log.clientHeight; });
    if (canScroll) {
      await waitFor("the 'paused' button after scrolling up", () => page.isVisible("[data-follow-for=console]"), 5000);
      await page.click("[data-follow-for=console]");
      check(!(await page.isVisible("[data-follow-for=console]")), "the 'paused' button stays after jumping down");
    }

    step = "dashboard shows players and map";
    await page.goto(`${base}/`);
    const row = page.locator("tr.server-row", { hasText: "pagetest" });
    await waitFor("the dashboard row", async () =>
      (await row.locator(".players").textContent()) === `${players}/8` &&
      (await row.locator(".map").textContent()).includes("c2m1_highway"));
    check((await row.locator("td[data-label=Blueprint] a").textContent()) === evil, "dashboard blueprint name not text");
    check(/^[A-Za-z0-9.-]+:\d+$/.test(await row.locator("[data-copy]").getAttribute("data-copy")), "no host:port copy button");
    await shot(page, "12-dashboard-running");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "13-dashboard-phone");
    await page.setViewportSize({ width: 1280, height: 860 });

    step = "jobs";
    await page.goto(`${base}/jobs`);
    check((await page.locator("#jobs tbody tr").count()) >= 2, "fewer than two jobs listed");
    await shot(page, "14-jobs");
    await page.selectOption("#job-state", "succeeded");
    await page.waitForURL(/state=succeeded/);
    await page.click("#jobs tbody tr:first-child th a");
    await waitFor("the job log", async () => (await text(page, "#job-log")).length > 0);
    await shot(page, "15-job");

    step = "API tokens";
    await page.goto(`${base}/account`);
    await page.fill("#token-name", "script");
    await Promise.all([page.waitForNavigation(), page.click("form[action='/account/tokens'] button[type=submit]")]);
    check((await text(page, "#new-token")).startsWith("l4d2_"), "new token not shown");
    await shot(page, "16-account");

    step = "a second user";
    await page.goto(`${base}/admin`);
    await page.fill("#new-user-name", "bob");
    await page.fill("#new-user-password", "bob-password");
    await Promise.all([page.waitForNavigation(), page.click("form[action='/admin/users'] button[type=submit]")]);
    check((await text(page, "#flash")).includes("user was created"), "no notice after creating a user");
    await logout(page);
    await login(page, "bob", "bob-password");
    check((await page.locator("tr.server-row").count()) === 0, "bob sees a server");
    check(!(await page.isVisible("a[href='/admin']")), "bob sees the admin link");
    const foreign = await page.goto(serverUrl);
    check(foreign.status() === 404, `bob opening pagetest's page got ${foreign.status()}`);
    check((await text(page, "h1")) === "Page not found", "no friendly 404 page");
    await shot(page, "17-not-found");
    const foreignBlueprint = await page.goto(blueprintUrl);
    check(foreignBlueprint.status() === 404, `bob opening the admin's blueprint got ${foreignBlueprint.status()}`);
    await page.goto(`${base}/blueprints`);
    check((await page.locator("tbody tr").count()) === 0, "bob sees a blueprint");
    await logout(page);

    step = "stop and delete";
    await login(page, "admin", adminPassword);
    await page.goto(serverUrl);
    await page.click("#action-stop");
    await waitFor("state stopped", async () => (await text(page, "#server-state")) === "stopped", 30000);
    check(confirmations.includes(`Stop pagetest? ${players} players are on it.`),
          `stopping with players on it did not ask first (asked: ${confirmations})`);
    await shot(page, "18-server-stopped");
    await page.goto(blueprintUrl);
    await Promise.all([page.waitForNavigation(), page.click("form[action$='/delete'] button")]);
    check((await text(page, "#delete-error")).includes("pagetest"), "deleting a used blueprint did not list pagetest");
    await shot(page, "19-blueprint-delete-refused");
    await page.goto(`${serverUrl}/delete`);
    await shot(page, "20-server-delete-confirm");
    await Promise.all([page.waitForNavigation(), page.click("form[action$='/delete'] button[type=submit]")]);
    check((await text(page, "#flash")).includes("being deleted"), "no notice after delete");
    await waitFor("the row to disappear", async () => (await page.locator("tr.server-row").count()) === 0, 30000);
    await shot(page, "21-dashboard-after-delete");

    step = "no alert ran, nothing broke";
  });
}

fs.mkdirSync(shots, { recursive: true });
main();
