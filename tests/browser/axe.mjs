// WCAG 2.2 AA check of web pages with axe-core in headless Chromium.
//
// As a program: `node axe.mjs PAGE...`, where each PAGE is an HTML file path or a URL. It
// prints one JSON object per page with its violations and exits 1 if any page has one (2 if
// a page could not be checked). As a module: `checkPages(urls)` returns the same results, and
// `axePage(page)` checks a page in whatever state a script has brought it to (serve-a11y.mjs).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { launchBrowser } from "./launch.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The WCAG 2.0, 2.1 and 2.2 rules at levels A and AA. */
export const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** A file path becomes a file:// URL; a URL stays as it is. */
export function toUrl(page) {
  return /^[a-z]+:\/\//i.test(page) ? page : pathToFileURL(path.resolve(page)).href;
}

/**
 * Runs axe on a Playwright page as it stands (after any clicks). Returns its violations:
 * [{ id, impact, help, nodes: [...], count }].
 */
export async function axePage(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({
        target: n.target.join(" "),
        html: n.html.slice(0, 200),
        summary: n.failureSummary,
      })),
      count: v.nodes.length,
    }));
  }, TAGS);
}

/**
 * Runs axe on each URL. Returns [{ url, violations }].
 */
export async function checkPages(urls) {
  const browser = await launchBrowser();
  const results = [];
  try {
    const context = await browser.newContext();
    for (const url of urls) {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: "load" });
      results.push({ url, violations: await axePage(page) });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const pages = process.argv.slice(2);
  if (pages.length === 0) {
    console.error("usage: node axe.mjs PAGE...");
    process.exit(2);
  }
  try {
    const results = await checkPages(pages.map(toUrl));
    let failed = false;
    for (const result of results) {
      console.log(JSON.stringify(result, null, 2));
      failed ||= result.violations.length > 0;
    }
    const n = results.reduce((sum, r) => sum + r.violations.length, 0);
    console.error(`axe: ${results.length} page(s) checked, ${n} violation(s)`);
    process.exit(failed ? 1 : 0);
  } catch (error) {
    console.error(`axe: ${error.stack || error}`);
    process.exit(2);
  }
}
