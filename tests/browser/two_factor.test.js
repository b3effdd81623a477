// Two-factor sign-in in headless Chromium (the system's /usr/bin/chromium, driven by playwright-core): an
// administrator sets it up from the account page, reading the key as text off the page (as someone whose app
// cannot scan types it in) and computing the codes here (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, with
// node's crypto), gets the recovery codes once, logs out, and logs in again with the password and a code; a wrong
// code is refused on the way. Run by tests/integration/web/two_factor_browser.sh, which starts the real l4d2web
// and passes BASE_URL, SHOTS (screenshot directory), PROFILE (fresh user-data dir) and ADMIN_PASSWORD.
"use strict";
const { launch, helpers } = require("./support");
const crypto = require("crypto");
const fs = require("fs");

const base = process.env.BASE_URL;
const shots = process.env.SHOTS;
const adminPassword = process.env.ADMIN_PASSWORD;
const problems = [];
let step = "start";
const { check, shot, text, logIn, run } = helpers({ step: () => step, shots, base });

// RFC 4648 base32 (no padding; blanks ignored), as authenticator apps read the key.
function base32Decode(typed) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of typed.replace(/\s+/g, "").toUpperCase()) {
    const value = alphabet.indexOf(c);
    if (value < 0) throw new Error(`${step}: '${c}' is not base32`);
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

// The TOTP code of time step `counter` (RFC 4226's dynamic truncation).
function totp(secret, counter) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = crypto.createHmac("sha1", secret).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(value).padStart(6, "0");
}

function currentStep() {
  return Math.floor(Date.now() / 1000 / 30);
}

async function main() {
  const context = await launch(process.env.PROFILE);
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (message) => {
    // The wrong code is answered with 401 on purpose; anything else (CSP refusals, script errors) counts.
    if (message.type() === "error" && /status of (401|422)/.test(message.text())) return;
    if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  await run("two-factor browser test", context, page, problems, async () => {
    step = "log in with the password";
    await logIn(page, "admin", adminPassword);
    check(new URL(page.url()).pathname === "/", `landed on ${page.url()}`);

    step = "set up from the account page";
    await page.goto(`${base}/account`);
    await Promise.all([page.waitForNavigation(), page.click("#two-factor-link")]);
    await Promise.all([page.waitForNavigation(), page.click("form[action='/account/two-factor/setup'] button")]);
    const qrShown = await page.locator("#two-factor-qr").evaluate((image) => image.complete && image.naturalWidth > 0);
    check(qrShown, "the QR code image did not load (CSP, or not an SVG)");
    const qrSource = await page.locator("#two-factor-qr").getAttribute("src");
    check(qrSource.startsWith("data:image/svg+xml;base64,"), `the QR code is ${qrSource.slice(0, 40)}`);
    const svg = Buffer.from(qrSource.slice(qrSource.indexOf(",") + 1), "base64").toString();
    check(svg.includes("<svg") && svg.includes("<path"), "the QR code is no SVG drawing");
    const secret = base32Decode(await text(page, "#two-factor-secret"));
    check(secret.length === 20, `the key is ${secret.length} bytes, not 20`);
    await shot(page, "01-two-factor-setup");
    const setupStep = currentStep();
    await page.fill("#setup-code", totp(secret, setupStep));
    await Promise.all([page.waitForNavigation(), page.click("form[action='/account/two-factor/confirm'] button")]);
    const codes = await page.locator("#recovery-codes li").count();
    check(codes === 10, `${codes} recovery codes shown, not 10`);
    check((await text(page, "#two-factor-title")).includes("is on"), "the page does not say it is on");
    await shot(page, "02-recovery-codes");

    step = "log out";
    await Promise.all([page.waitForNavigation(), page.click("form.logout button")]);
    check(new URL(page.url()).pathname === "/login", `logged out to ${page.url()}`);

    step = "log in: the password leads to the code page";
    await logIn(page, "admin", adminPassword);
    check(new URL(page.url()).pathname === "/login/code", `after the password: ${page.url()}`);
    await page.fill("#login-code", totp(secret, setupStep - 5));  // long expired
    await Promise.all([page.waitForNavigation(), page.click("form[action='/login/code'] button")]);
    check((await text(page, "#flash")).includes("wrong"), "a wrong code was not refused");
    await shot(page, "03-wrong-code");

    step = "log in with a code";
    // The set-up used its step's code; a code works once, so take the next step's (accepted one step early).
    await page.fill("#login-code", totp(secret, Math.max(currentStep(), setupStep + 1)));
    await Promise.all([page.waitForNavigation(), page.click("form[action='/login/code'] button")]);
    check(new URL(page.url()).pathname === "/", `after the code: ${page.url()}`);
    await page.goto(`${base}/account`);
    check((await text(page, "#two-factor-title")).length > 0, "the account page is not shown");
    await shot(page, "04-signed-in");

    step = "nothing broke";
  });
}

fs.mkdirSync(shots, { recursive: true });
main();
