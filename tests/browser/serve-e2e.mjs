// decl serve in a real browser: TUR signs in, proposes an amendment and sees its redline;
// QAT supports it; the chair accepts it and cuts a revision; the compare page shows the
// change attributed to Türkiye; the DOCX downloads.
//
// node serve-e2e.mjs BASE_URL TUR_LINK QAT_LINK CHAIR_LINK SCREENSHOT_DIR
import { launchBrowser } from "./launch.mjs";

const [base, turLink, qatLink, chairLink, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node serve-e2e.mjs BASE_URL TUR_LINK QAT_LINK CHAIR_LINK SCREENSHOT_DIR");
  process.exit(2);
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

const browser = await launchBrowser();
try {
  const context = async () => (await browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true })).newPage();
  const tur = await context();
  await tur.goto(turLink);
  // The link only asks; the confirming button signs in.
  await tur.click("#confirm-sign-in");
  check((await tur.textContent("header.site")).includes("Türkiye"), "TUR is signed in");
  check(!tur.url().includes("token="), "the token leaves the address bar");
  await tur.click("nav >> text=Propose");
  await tur.selectOption("#operation", "replace");
  await tur.selectOption("#clause", "op-borders");
  await tur.fill("#span", "shall cooperate");
  await tur.fill("#text", "should cooperate");
  await tur.fill("#justification", "Softer, as elsewhere.");
  await tur.click("button[value=preview]");
  await tur.screenshot({ path: `${shots}/1-tur-preview.png`, fullPage: true });
  check((await tur.textContent(".redline-box ins")).includes("should"), "the preview shows the insertion");
  await tur.click("button[value=submit]");
  await tur.waitForURL(/\/amendments\/TUR-1$/);
  check((await tur.textContent(".flash")).includes("TUR proposes TUR-1"), "TUR sees the proposal");
  await tur.screenshot({ path: `${shots}/2-tur-proposed.png`, fullPage: true });

  const qat = await context();
  await qat.goto(qatLink);
  // The link only asks; the confirming button signs in.
  await qat.click("#confirm-sign-in");
  await qat.goto(`${base}/amendments/TUR-1`);
  await qat.click("button:text-is('Support')");
  check((await qat.textContent(".flash")).includes("QAT supports TUR-1"), "QAT supports it");
  await qat.screenshot({ path: `${shots}/3-qat-supports.png`, fullPage: true });

  const chair = await context();
  await chair.goto(chairLink);
  await chair.click("#confirm-sign-in");
  await chair.goto(`${base}/amendments/TUR-1`);
  await chair.click("button:text-is('Accept')");
  check((await chair.textContent(".flash")).includes("TJK accepts TUR-1"), "the chair accepts it");
  await chair.screenshot({ path: `${shots}/4-chair-accepts.png`, fullPage: true });
  await chair.click("nav >> text=Revisions");
  await chair.fill("#name", "rev2");
  await chair.fill("#label", "Rev.2");
  await chair.click("button:text-is('Cut the revision')");
  check((await chair.textContent(".flash")).includes("TJK cuts Rev.2"), "the chair cuts Rev.2");
  await chair.screenshot({ path: `${shots}/5-chair-cuts.png`, fullPage: true });

  await tur.goto(`${base}/compare?from=rev1&to=rev2`);
  const compared = await tur.textContent("main");
  check(compared.includes("should") && compared.includes("Türkiye"), "the change is attributed to Türkiye");
  await tur.screenshot({ path: `${shots}/6-compare.png`, fullPage: true });
  const [download] = await Promise.all([
    tur.waitForEvent("download"),
    tur.click("text=Download this comparison"),
  ]);
  check(download.suggestedFilename() === "redline.docx", "the redline downloads");
  await download.saveAs(`${shots}/redline.docx`);
  console.log("serve-e2e: ok");
} finally {
  await browser.close();
}
