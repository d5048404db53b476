// The `decl serve` pages for every reader: axe-core's WCAG 2.2 AA rules on each page, signed
// out, as a delegation and as the chair, including the states a form leads to (a preview, a
// refusal); and keyboard-only use: on every page each control is reached with Tab and shows
// a visible focus ring, and a delegation proposes an amendment without touching the mouse.
//
// node serve-a11y.mjs BASE_URL DELEGATION_LINK CHAIR_LINK AMENDMENT_ID
//
// Prints what it found and exits 1 on any violation or unreachable control.
import { launchBrowser } from "./launch.mjs";
import { axePage } from "./axe.mjs";

const [base, delegationLink, chairLink, amendment] = process.argv.slice(2);
if (!amendment) {
  console.error("usage: node serve-a11y.mjs BASE_URL DELEGATION_LINK CHAIR_LINK AMENDMENT_ID");
  process.exit(2);
}

const problems = [];
let checked = 0;

async function axe(page, what) {
  const violations = await axePage(page);
  checked += 1;
  for (const v of violations) {
    problems.push(`${what}: axe ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.html).join("\n    ")}`);
  }
}

/**
 * Tabs through the whole page from the top. Every visible control must be reached, and each
 * must look focused (an outline or a box shadow that differs from its unfocused look). A
 * group of radio buttons is one stop, as in every browser (the arrow keys choose within it):
 * its checked button, or its first when none is.
 */
async function keyboardWalk(page, what) {
  const controls = await page.evaluate(() => {
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    const stop = (el) => {
      if (el.type !== "radio") {
        return true;
      }
      const group = [...el.form.elements].filter((other) => other.type === "radio" && other.name === el.name);
      return el === (group.find((other) => other.checked) ?? group[0]);
    };
    const all = [...document.querySelectorAll(selector)].filter(
      (el) => el.checkVisibility() && !el.disabled && stop(el),
    );
    all.forEach((el, i) => el.setAttribute("data-walk", String(i)));
    return all.map((el) => el.outerHTML.slice(0, 120));
  });
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  const reached = new Set();
  for (let press = 0; press < controls.length + 5; press += 1) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) {
        return null;
      }
      const style = getComputedStyle(el);
      const ring =
        (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
        style.boxShadow !== "none";
      return { walk: el.getAttribute("data-walk"), ring, html: el.outerHTML.slice(0, 120) };
    });
    if (!focused) {
      break;
    }
    if (focused.walk === null) {
      continue;
    }
    if (reached.has(focused.walk)) {
      break;
    }
    reached.add(focused.walk);
    if (!focused.ring) {
      problems.push(`${what}: no visible focus on ${focused.html}`);
    }
  }
  controls.forEach((html, i) => {
    if (!reached.has(String(i))) {
      problems.push(`${what}: Tab never reaches ${html}`);
    }
  });
  return controls.length;
}

/** Presses Tab until the focused element matches `selector`; fails if it never does. */
async function tabTo(page, selector, limit = 200) {
  for (let press = 0; press < limit; press += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return;
    }
  }
  throw new Error(`Tab never reaches ${selector} on ${page.url()}`);
}

const browser = await launchBrowser();
try {
  const open = async () =>
    (await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true })).newPage();

  // Signed out: the pages anyone may read, the sign-in page and a page that is not there.
  const visitor = await open();
  for (const path of ["/", "/compilation", "/amendments", `/amendments/${amendment}`, "/signin", "/no-such-page"]) {
    await visitor.goto(base + path);
    await axe(visitor, `signed out ${path}`);
  }

  // A delegation: every page, walked by keyboard as well.
  const delegate = await open();
  await delegate.goto(delegationLink);
  // The link only asks; the confirming button signs in.
  await delegate.click("#confirm-sign-in");
  const pages = [
    "/",
    "/rev/rev1",
    "/compilation",
    "/clause/op-borders",
    "/compare",
    "/compare?from=rev1",
    "/amendments",
    `/amendments/${amendment}`,
    "/propose",
    "/revisions",
    "/exports",
    "/compare?from=nonsense",
  ];
  let walked = 0;
  for (const path of pages) {
    await delegate.goto(base + path);
    await axe(delegate, `delegation ${path}`);
    walked += await keyboardWalk(delegate, `delegation ${path}`);
  }

  // Keyboard only: propose an amendment, preview it, and table it.
  await delegate.goto(base + "/");
  await delegate.keyboard.press("Tab");
  const skip = await delegate.evaluate(() => document.activeElement.textContent);
  if (!skip.includes("Skip to the content")) {
    problems.push(`the first Tab lands on ${JSON.stringify(skip)}, not the skip link`);
  }
  await tabTo(delegate, "nav a[href='/propose']");
  await delegate.keyboard.press("Enter");
  await delegate.waitForURL(/\/propose$/);
  await tabTo(delegate, "#clause");
  for (let step = 0; step < 60; step += 1) {
    if ((await delegate.inputValue("#clause")) === "op-borders") {
      break;
    }
    await delegate.keyboard.press("ArrowDown");
  }
  await tabTo(delegate, "#span");
  await delegate.keyboard.type("shall cooperate");
  await tabTo(delegate, "#text");
  await delegate.keyboard.press("Control+A");
  await delegate.keyboard.type("The States should cooperate on border management.");
  await tabTo(delegate, "button[value=preview]");
  await delegate.keyboard.press("Enter");
  await delegate.waitForSelector(".redline-box");
  await axe(delegate, "delegation /propose with a preview");
  walked += await keyboardWalk(delegate, "delegation /propose with a preview");
  await tabTo(delegate, "button[value=submit]");
  await delegate.keyboard.press("Enter");
  await delegate.waitForURL(/\/amendments\/[A-Z]+-\d+$/);
  const flash = await delegate.textContent(".flash");
  if (!/proposes/.test(flash)) {
    problems.push(`keyboard proposal: the page says ${JSON.stringify(flash)}`);
  }
  await axe(delegate, "delegation after proposing");

  // A refusal: the form comes back with the reason, and it too must pass.
  await delegate.goto(base + "/propose");
  await tabTo(delegate, "button[value=submit]");
  await delegate.keyboard.press("Enter");
  await delegate.waitForSelector(".error");
  await axe(delegate, "delegation /propose refused");

  // The chair: the decision forms, the marking forms and the revision form.
  const chair = await open();
  await chair.goto(chairLink);
  // The link only asks; the confirming button signs in.
  await chair.click("#confirm-sign-in");
  for (const path of [`/amendments/${amendment}`, "/", "/clause/op-data", "/revisions"]) {
    await chair.goto(base + path);
    await axe(chair, `chair ${path}`);
    walked += await keyboardWalk(chair, `chair ${path}`);
  }
  // The states the chair's forms lead to: the redline of a paragraph to accept as modified,
  // and a refusal (OP 2 still holds square brackets).
  await chair.goto(`${base}/amendments/${amendment}`);
  await chair.click("button:text-is('Show the redline')");
  await chair.waitForSelector("#modified-preview");
  await axe(chair, `chair /amendments/${amendment} with the redline of a modified paragraph`);
  await chair.goto(`${base}/clause/op-data`);
  await chair.check("input[name=status][value=agreed]");
  await chair.click("button:text-is('Set the status')");
  await chair.waitForSelector(".error");
  await axe(chair, "chair /clause/op-data refused");
  await chair.goto(`${base}/amendments/${amendment}`);
  await tabTo(chair, "#reject-reason");
  await chair.keyboard.type("Not agreed.");
  await tabTo(chair, "button.danger");
  const label = await chair.evaluate(() => document.activeElement.textContent);
  if (label !== "Reject") {
    problems.push(`the chair's Tab after the reason lands on ${JSON.stringify(label)}`);
  }

  console.log(`serve-a11y: ${checked} page states checked by axe, ${walked} controls walked by keyboard`);
} finally {
  await browser.close();
}

if (problems.length > 0) {
  console.log(problems.join("\n"));
  process.exit(1);
}
