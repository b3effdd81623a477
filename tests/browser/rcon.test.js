// The server page's RCON console and live player list in headless Chromium (the system's /usr/bin/chromium,
// driven by playwright-core). Run by tests/integration/web/rcon_browser.sh, which starts the real l4d2web,
// l4d2ctl, fake-steamcmd and fake-srcds, starts one server with PLAYERS players (the first named <b>Zoë</b>)
// and passes BASE_URL, SHOTS, PROFILE, ADMIN_PASSWORD, PLAYERS and SERVER_ID.
"use strict";
const { launch, helpers } = require("./support");

const base = process.env.BASE_URL;
const players = Number(process.env.PLAYERS);
const serverUrl = `${base}/servers/${process.env.SERVER_ID}`;
const problems = [];
let step = "start";
const { check, waitFor, shot, run } = helpers({ step: () => step, shots: process.env.SHOTS });

// The console's replies so far: [{command, text}] in order.
async function replies(page) {
  return page.$$eval("#rcon-output .rcon-entry", (entries) => entries.map((entry) => ({
    command: entry.querySelector(".rcon-command").textContent,
    text: (entry.querySelector(".rcon-text") || entry.querySelector(".rcon-error")).textContent,
  })));
}

async function send(page, count) {
  await page.press("#rcon-command", "Enter");
  return waitFor(`reply ${count}`, async () => {
    const all = await replies(page);
    return all.length === count ? all[count - 1] : null;
  });
}

async function main() {
  const context = await launch(process.env.PROFILE, {
    viewport: { width: 1280, height: 1000 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (message) => {
    // The browser asks for /favicon.ico, which the app does not have (404); anything else counts.
    if (message.type() === "error" && /status of 404/.test(message.text())) return;
    if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on("dialog", async (dialog) => {
    problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  await run("RCON console in Chromium", context, page, problems, async () => {
    step = "log in";
    await page.goto(`${base}/login`);
    await page.fill("#login-name", "admin");
    await page.fill("#login-password", process.env.ADMIN_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);

    step = "players listed live, names escaped";
    await page.goto(serverUrl);
    await waitFor(`${players} players listed`, async () =>
      (await page.locator("#server-player-list li").count()) === players);
    const first = await page.locator("#server-player-list .player-name").first().textContent();
    check(first === "<b>Zo\u00eb</b>", `the first player's name shows as ${JSON.stringify(first)}`);
    check((await page.locator("#server-player-list b").count()) === 0, "a player's name was taken as markup");
    await shot(page, "01-players");

    step = "a multi-packet status reply shows whole";
    await page.fill("#rcon-command", "status");
    const status = await send(page, 1);
    check(status.command === "] status", `the reply is for ${status.command}`);
    const lines = status.text.split("\n");
    const playerLines = lines.filter((line) => /^# \d+ "/.test(line));
    check(status.text.length > 4096, `the reply has ${status.text.length} characters, not several packets' worth`);
    check(status.text.startsWith("hostname: "), "the reply does not start with the hostname line");
    check(playerLines.length === players, `${playerLines.length} player lines, not ${players}`);
    check(playerLines[players - 1].includes(`"Player${players}"`), `the last line is ${playerLines[players - 1]}`);
    check(status.text.includes(`players : ${players} humans`), "no players line");
    check((await page.inputValue("#rcon-command")) === "", "the command box was not cleared");
    await shot(page, "02-status");

    step = "history";
    await page.fill("#rcon-command", "echo one");
    await send(page, 2);
    await page.press("#rcon-command", "ArrowUp");
    check((await page.inputValue("#rcon-command")) === "echo one", "ArrowUp does not bring back the last command");
    await page.press("#rcon-command", "ArrowUp");
    check((await page.inputValue("#rcon-command")) === "status", "ArrowUp twice does not bring back status");
    await page.press("#rcon-command", "ArrowDown");
    await page.press("#rcon-command", "ArrowDown");
    check((await page.inputValue("#rcon-command")) === "", "ArrowDown past the newest does not return to the draft");

    step = "kick a player from the list";
    await page.click("#server-player-list button[data-kick='Coach']");
    const kicked = await waitFor("the kick reply", async () => (await replies(page))[2]);
    check(kicked.command === '] kick "Coach"', `the kick sent ${kicked.command}`);
    await waitFor("Coach gone from the list", async () =>
      (await page.locator("#server-player-list li").count()) === players - 1 &&
      (await page.locator("#server-player-list button[data-kick='Coach']").count()) === 0);

    step = "say";
    await page.fill("#rcon-say", "hello everyone");
    await page.click("#rcon-say-button");
    const said = await waitFor("the say reply", async () => (await replies(page))[3]);
    check(said.command === "] say hello everyone", `say sent ${said.command}`);

    step = "change map";
    await page.selectOption("#rcon-map", "c2m1_highway");
    await page.click("#rcon-changelevel");
    const changed = await waitFor("the changelevel reply", async () => (await replies(page))[4]);
    check(changed.command === "] changelevel c2m1_highway", `changelevel sent ${changed.command}`);
    await waitFor("the new map in the status", async () => (await page.textContent("#server-map")) === "c2m1_highway");

    step = "audit log";
    const audit = await page.$$eval("#rcon-audit tbody tr td[data-label=Command]", (cells) =>
      cells.map((cell) => cell.textContent));
    check(JSON.stringify(audit) === JSON.stringify(["changelevel c2m1_highway", "say hello everyone", 'kick "Coach"',
                                                    "echo one", "status"]), `the audit table shows ${audit}`);
    await shot(page, "03-console");
  });
}

main();
