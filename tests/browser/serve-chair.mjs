// The chair's work in a real browser (issue 18). The chair opens an amendment that replaces a
// span, edits the paragraph the accept-as-modified form is prefilled with, shows the redline,
// reads it, and accepts; marks a paragraph agreed from the current text, is refused on a
// paragraph that still holds square brackets, and cuts a revision from the link beside the
// marking form. The Rust test that runs this checks the cut text against what it prints.
//
// node serve-chair.mjs BASE_URL CHAIR_LINK AMENDMENT_ID EDIT_FROM EDIT_TO SCREENSHOT_DIR
//
// The chair's edit replaces EDIT_FROM by EDIT_TO in the prefilled paragraph. The last line
// printed is JSON: the paragraph prefilled, the paragraph accepted, the preview's words and
// the paragraph as the revision shows it.
import { launchBrowser } from "./launch.mjs";

const [base, chairLink, amendment, editFrom, editTo, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node serve-chair.mjs BASE_URL CHAIR_LINK AMENDMENT_ID EDIT_FROM EDIT_TO SCREENSHOT_DIR");
  process.exit(2);
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** The text of the elements matching `selector`, each without its screen-reader label. */
async function words(page, selector) {
  return page.$$eval(selector, (elements) =>
    elements.map((el) => {
      const copy = el.cloneNode(true);
      copy.querySelectorAll(".sr-only").forEach((label) => label.remove());
      return copy.textContent;
    }),
  );
}

const browser = await launchBrowser();
try {
  const chair = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  await chair.goto(chairLink);
  // The link only asks; the confirming button signs in.
  await chair.click("#confirm-sign-in");
  check((await chair.textContent("header.site")).includes("Tajikistan"), "the chair is signed in");

  // Accept as modified: the form holds the whole paragraph as the amendment makes it.
  await chair.goto(`${base}/amendments/${amendment}`);
  check((await chair.locator("#act-heading").count()) === 0, "the chair, who takes no positions, is offered none");
  const prefilled = await chair.inputValue("#modified-text");
  check(prefilled.includes(editFrom), `the prefilled paragraph ${JSON.stringify(prefilled)} holds ${JSON.stringify(editFrom)}`);
  const edited = prefilled.replace(editFrom, editTo);
  await chair.fill("#modified-text", edited);
  await chair.click("button:text-is('Show the redline')");
  await chair.waitForSelector("#modified-preview");
  check((await chair.inputValue("#modified-text")) === edited, "the preview keeps the chair's paragraph in the form");
  const preview = (await words(chair, "#modified-preview p")).join("\n");
  const inserted = await words(chair, "#modified-preview ins");
  const deleted = await words(chair, "#modified-preview del");
  await chair.screenshot({ path: `${shots}/1-chair-previews-as-modified.png`, fullPage: true });
  await chair.click("button:text-is('Accept as modified')");
  await chair.waitForURL(new RegExp(`/amendments/${amendment}$`));
  check((await chair.textContent(".flash")).includes(`accepts ${amendment} as modified`), "the chair accepts it as modified");
  await chair.screenshot({ path: `${shots}/2-chair-accepted.png`, fullPage: true });

  // Marking, from the current text: the last operative paragraph agreed.
  await chair.goto(`${base}/`);
  await chair.check("input[name=clause][value=op-follow-up]");
  await chair.check("input[name=status][value=agreed]");
  await chair.locator("section:has(#chair-heading)").screenshot({ path: `${shots}/3-chair-marks.png` });
  await chair.click("button:text-is('Mark the paragraphs')");
  await chair.waitForURL(`${base}/`);
  check((await chair.textContent(".flash")).includes("TJK marks OP 3 (op-follow-up) agreed"), "the chair marks OP 3 agreed");

  // A refusal, on a paragraph's page: OP 2 still holds square brackets.
  await chair.goto(`${base}/clause/op-data`);
  await chair.check("input[name=status][value=agreed]");
  await chair.click("button:text-is('Set the status')");
  const refusal = await chair.textContent(".error");
  check(refusal.includes("bracketed") && refusal.includes("Nothing was changed"), `the refusal says why: ${refusal}`);
  check(await chair.isChecked("input[name=status][value=agreed]"), "the form keeps the chair's choice");
  await chair.screenshot({ path: `${shots}/4-chair-refused.png`, fullPage: true });

  // Cutting, from the link under the marking form.
  await chair.goto(`${base}/`);
  await chair.click("text=Cut a revision");
  await chair.waitForURL(/\/revisions#cut$/);
  await chair.fill("#name", "rev2");
  await chair.fill("#label", "Rev.2");
  await chair.click("button:text-is('Cut the revision')");
  check((await chair.textContent(".flash")).includes("TJK cuts Rev.2"), "the chair cuts Rev.2");
  await chair.screenshot({ path: `${shots}/5-chair-cuts.png`, fullPage: true });

  // The paragraph as Rev.2 reads.
  await chair.goto(`${base}/rev/rev2`);
  const cut = (await words(chair, "section#op-borders .body p"))[0];
  console.log("serve-chair: ok");
  console.log(JSON.stringify({ prefilled, edited, preview, inserted, deleted, cut }));
} finally {
  await browser.close();
}
