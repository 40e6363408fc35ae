// Browser end-to-end test of `govkg serve`: drives Debian's Chromium through playwright-core.
// Run it through scripts/browser-e2e.sh, which installs what it needs, builds a store from
// data/reports and starts the server. Environment:
//   GOVKG_URL          the page, e.g. http://127.0.0.1:40123/
//   GOVKG_SCREENSHOTS  colon-separated PNG paths to write the screenshot to
//   GOVKG_NODE_DIR     folder whose node_modules holds playwright-core (default: this folder)
//   CHROMIUM           browser executable (default /usr/bin/chromium)
//   GOVKG_CLI_BIN, GOVKG_STORE  the govkg binary and the store the server serves: parameters set
//                      on the page must give what `govkg query --param` gives
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.GOVKG_NODE_DIR || here;
const { chromium } = createRequire(join(nodeDir, 'package.json'))('playwright-core');

const url = process.env.GOVKG_URL;
if (!url) {
  console.error('browser-e2e: GOVKG_URL is not set (run scripts/browser-e2e.sh)');
  process.exit(2);
}
const screenshots = (process.env.GOVKG_SCREENSHOTS || '').split(':').filter(Boolean);
const TIMEOUT = 30_000;
const INITIATIVE = '高效办成一件事';

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`  ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed += 1;
    console.log(`  FAIL ${name}: ${String(e && e.message || e).split('\n')[0]}`);
    throw e;
  }
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}
// RFC 4180 CSV (the SPARQL CSV results format) into rows of cells.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
// What `govkg query NAME --param …` answers on the served store, as SPARQL JSON (null without
// GOVKG_CLI_BIN).
function cliRows(name, params) {
  if (!process.env.GOVKG_CLI_BIN || !process.env.GOVKG_STORE) return null;
  const args = ['query', name, '--store', process.env.GOVKG_STORE, '--format', 'json'];
  for (const [k, v] of Object.entries(params)) args.push('--param', `${k}=${v}`);
  const out = execFileSync(process.env.GOVKG_CLI_BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out).results.bindings.length;
}
async function tableRows(page) {
  return page.$$eval('#results tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
}
async function columnOf(page, name) {
  const vars = await page.$$eval('#results thead th', (ths) => ths.map((th) => th.getAttribute('data-var')));
  const at = vars.indexOf(name);
  check(at >= 0, `no column ${name} in ${vars.join(',')}`);
  return (await tableRows(page)).map((r) => r[at]);
}
// Clicks Run (or presses Enter somewhere) and waits for the answer.
async function ran(page, action) {
  await action();
  await page.waitForFunction(() => !document.getElementById('run').disabled);
  const error = await page.locator('#error').isVisible() ? await page.locator('#error').textContent() : '';
  check(!error, `error shown: ${error}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const pageErrors = [];
// The malformed-query step makes the browser log the endpoint's 400; nothing else may fail.
let expectedStatus = null;
let exitCode = 0;
let page;
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (expectedStatus && m.text().includes(`status of ${expectedStatus}`)) return;
    pageErrors.push(`console: ${m.text()}`);
  });
  // The page must not reach anything but the server it came from.
  const origin = new URL(url).origin;
  await page.route('**/*', (route) => {
    const target = route.request().url();
    if (target.startsWith(origin) || target.startsWith('data:')) return route.continue();
    pageErrors.push(`request outside the server: ${target}`);
    return route.abort();
  });

  await step('page loads with the named-query buttons', async () => {
    await page.goto(url);
    await page.locator('#named-queries button[data-name="implementers"]').waitFor();
    for (const id of ['query', 'run', 'results', 'profile', 'graph', 'error']) {
      check(await page.locator(`#${id}`).count() === 1, `no #${id} on the page`);
    }
    // The legend and the kind colours come from the server's registry (GET /kinds).
    const keys = await page.locator('#legend .key').allTextContents();
    check(keys.join(' ') === '机构 法律法规 政策文件 改革举措 地域', `legend from the registry: ${keys.join(' ')}`);
  });

  let row;
  await step(`the implementers query lists ${INITIATIVE}`, async () => {
    await page.click('#named-queries button[data-name="implementers"]');
    row = page.locator('#results tbody tr', { hasText: INITIATIVE }).first();
    await row.waitFor();
    const text = await page.locator('#query').inputValue();
    check(text.includes('gk:implements'), 'the editor does not hold the implementers query');
    check(await page.locator('#error').isHidden(), `error shown: ${await page.locator('#error').textContent()}`);
  });

  await step(`clicking ${INITIATIVE} opens its profile with implementing agencies`, async () => {
    const link = row.locator('a.entity.kind-initiative', { hasText: INITIATIVE }).first();
    await link.click();
    await page.waitForFunction(() => location.hash.startsWith('#/entity/'));
    await page.locator('#profile h2', { hasText: INITIATIVE }).waitFor();
    const implementers = page.locator('#profile tr[data-direction="in"][data-relation="implements"]');
    await implementers.first().waitFor();
    const agencies = await implementers.locator('a.entity.kind-agency').count();
    check(agencies >= 1, 'the profile lists no implementing agency');
    check(await page.locator('#results-view').isHidden(), 'the results table is still shown');
  });

  await step('the graph view shows the entity and its neighbours', async () => {
    await page.waitForFunction(() => window.govkgGraph && window.govkgGraph.nodes().length > 1);
    const graph = await page.evaluate(() => ({
      nodes: window.govkgGraph.nodes().length,
      edges: window.govkgGraph.edges().length,
      center: window.govkgGraph.nodes('.center').map((n) => n.data('label')),
      labels: window.govkgGraph.edges().map((e) => e.data('label')),
    }));
    check(graph.center.includes(INITIATIVE), `graph centre is ${graph.center}`);
    check(graph.edges >= 1 && graph.labels.includes('实施'), `edges: ${JSON.stringify(graph.labels)}`);
    const canvas = await page.locator('#graph canvas').count();
    check(canvas > 0, 'cytoscape drew no canvas');
    console.log(`       graph: ${graph.nodes} nodes, ${graph.edges} edges`);
  });

  await step('screenshot', async () => {
    // Let cytoscape finish painting before the picture.
    await page.waitForTimeout(300);
    const fontOk = await page.evaluate(() => document.fonts.check('14px "WenQuanYi Micro Hei"') || document.fonts.check('14px "Noto Sans CJK SC"'));
    if (!fontOk) console.log('       warning: no CJK font reported by the browser');
    for (const path of screenshots) {
      mkdirSync(dirname(path), { recursive: true });
      await page.screenshot({ path });
      console.log(`       screenshot: ${path}`);
    }
  });

  await step('clicking a graph node opens that node\'s profile', async () => {
    const target = await page.evaluate(() => {
      const cy = window.govkgGraph;
      const node = cy.nodes().not('.center')[0];
      const box = document.getElementById('graph').getBoundingClientRect();
      const p = node.renderedPosition();
      return { id: node.id(), label: node.data('label'), x: box.left + p.x, y: box.top + p.y };
    });
    await page.mouse.click(target.x, target.y);
    await page.waitForFunction((id) => decodeURIComponent(location.hash.slice('#/entity/'.length)) === id, target.id);
    await page.locator('#profile h2', { hasText: target.label }).waitFor();
  });

  await step('a malformed query shows the endpoint\'s message', async () => {
    await page.goto(url + '#/');
    await page.locator('#named-queries button').first().waitFor();
    await page.fill('#query', 'SELECT ?x WHERE { ?x');
    expectedStatus = 400;
    await page.click('#run');
    await page.locator('#error', { hasText: 'malformed SPARQL' }).waitFor();
    expectedStatus = null;
  });

  await step('search finds entities by any of their names and opens a profile', async () => {
    await page.goto(url + '#/');
    await page.locator('#named-queries button').first().waitFor();
    let searches = 0;
    page.on('request', (r) => { if (r.url().includes('/search?')) searches += 1; });
    // While an input method composes a word nothing is sent; when it commits, the search runs.
    await page.evaluate(() => {
      const input = document.getElementById('search');
      input.focus();
      input.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
      input.value = 'sifa';
      input.dispatchEvent(new InputEvent('input', { isComposing: true, data: 'sifa' }));
    });
    await page.waitForTimeout(600);
    check(searches === 0, `searched while composing (${searches} requests)`);
    await page.evaluate(() => {
      const input = document.getElementById('search');
      input.value = '司法局';
      input.dispatchEvent(new CompositionEvent('compositionend', { data: '司法局' }));
    });
    const hit = page.locator('#search-results li[data-iri]', { hasText: '东丽区司法局' }).first();
    await hit.waitFor();
    check(searches === 1, `one search after the word was committed, not ${searches}`);
    check(await hit.locator('.badge').textContent() === '机构', `kind badge: ${await hit.locator('.badge').textContent()}`);
    const count = /^(\d+) 份报告/.exec(await hit.locator('.count').textContent());
    check(count && Number(count[1]) >= 1, `report count: ${await hit.locator('.count').textContent()}`);
    // An other name (altLabel) finds the entity too, and is shown beside its preferred name.
    await page.fill('#search', '高效办成一次办');
    const alt = page.locator('#search-results li[data-iri]', { hasText: INITIATIVE }).first();
    await alt.waitFor();
    check((await alt.locator('.also').textContent()).includes('高效办成一次办'), 'the matching other name is not shown');
    // What is typed is data, never query text.
    await page.fill('#search', '") } SELECT * WHERE { ?s ?p ?o } #');
    await page.locator('#search-results li.empty').waitFor();
    await page.fill('#search', '司法局');
    await hit.waitFor();
    await page.press('#search', 'Enter');
    await page.locator('#profile h2', { hasText: '东丽区司法局' }).waitFor();
    check(await page.locator('#search-results').isHidden(), 'the matches stay open over the profile');
  });

  let boundRows;
  await step('a named query shows its purpose and one field per parameter', async () => {
    await page.goto(url + '#/');
    await ran(page, () => page.click('#named-queries button[data-name="implementers"]'));
    const text = await page.locator('#query').inputValue();
    check(text.startsWith('PREFIX'), `the editor starts with ${JSON.stringify(text.slice(0, 30))}`);
    check(!text.includes('Oxigraph') && !/^#/m.test(text), 'the editor still holds the comment header');
    const summary = await page.locator('#query-summary').textContent();
    check(summary.includes('Which bodies implement which reforms'), `summary: ${summary}`);
    const fields = await page.$$eval('#query-params input', (xs) => xs.map((x) => x.getAttribute('data-param')));
    check(fields.join(',') === 'initiative,agency', `parameter fields: ${fields}`);
    check((await page.getAttribute('#param-initiative', 'placeholder')).includes('证照分离'), 'no example in the field');
    const all = (await tableRows(page)).length;
    await page.fill('#param-initiative', INITIATIVE);
    await ran(page, () => page.press('#param-initiative', 'Enter'));
    const initiatives = await columnOf(page, 'initiative');
    boundRows = initiatives.length;
    check(boundRows >= 1 && boundRows < all, `bound: ${boundRows} rows of ${all}`);
    check(initiatives.every((t) => t === INITIATIVE), `rows of other initiatives: ${initiatives}`);
    const cli = cliRows('implementers', { initiative: INITIATIVE });
    check(cli === null || cli === boundRows, `govkg query --param gives ${cli} rows, the page ${boundRows}`);
    if (cli !== null) console.log(`       implementers: ${all} rows; initiative=${INITIATIVE}: ${boundRows} (CLI ${cli})`);
  });

  await step('the address holds the query and its parameters, and opening it runs them again', async () => {
    const address = page.url();
    check(address.includes('#/query?') && address.includes('name=implementers'), `address: ${address}`);
    // The share button puts that address on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    await page.click('#share');
    await page.locator('#status', { hasText: 'address copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    check(copied === address, `copied ${copied}`);
    const before = await tableRows(page);
    const other = await page.context().newPage();
    other.on('pageerror', (e) => pageErrors.push(e.message));
    await other.goto(address);
    await other.locator('#results tbody tr').first().waitFor();
    await other.waitForFunction(() => document.body.getAttribute('data-ready') === 'true' && !document.getElementById('run').disabled);
    check(await other.inputValue('#param-initiative') === INITIATIVE, 'the parameter was not restored');
    check(await other.locator('#named-queries button.active').textContent() === 'implementers', 'the named query is not chosen');
    check(JSON.stringify(await tableRows(other)) === JSON.stringify(before), 'the restored query answers other rows');
    // A query of one's own travels whole in the address.
    const custom = 'SELECT ?n WHERE { VALUES ?n { 9 10 2 100 } }';
    await other.fill('#query', custom);
    await ran(other, () => other.click('#run'));
    const customAddress = other.url();
    check(customAddress.includes('q=SELECT'), `the edited text is not in the address: ${customAddress}`);
    await other.close();
    for (const address of [customAddress, url + '#/query?q=' + encodeURIComponent(custom)]) {
      const third = await page.context().newPage();
      third.on('pageerror', (e) => pageErrors.push(e.message));
      await third.goto(address);
      await third.locator('#results tbody tr').first().waitFor();
      check(await third.inputValue('#query') === custom, 'the query text did not round-trip');
      check((await tableRows(third)).length === 4, 'the restored custom query did not run');
      const chosen = await third.locator('#named-queries button.active').allTextContents();
      const expected = address === customAddress ? ['implementers'] : [];
      check(JSON.stringify(chosen) === JSON.stringify(expected), `named query chosen: ${chosen}`);
      await third.close();
    }
  });

  await step('the result downloads as CSV and JSON, every row, with the parameters', async () => {
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const csv = parseCsv(readFileSync(await csvDownload.path(), 'utf8'));
    check(csv[0].join(',') === 'initiative,agency,reports,firstYear,lastYear,initiativeIri,agencyIri', `CSV header: ${csv[0]}`);
    check(csv.length - 1 === boundRows, `CSV rows ${csv.length - 1}, table ${boundRows}`);
    check(csv.slice(1).every((r) => r[0] === INITIATIVE), 'the CSV is not the bound query');
    check(csvDownload.suggestedFilename() === 'govkg-implementers.csv', csvDownload.suggestedFilename());
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const json = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8'));
    check(json.head.vars.includes('agency') && json.results.bindings.length === boundRows, 'JSON download differs from the table');
  });

  await step('clicking a header sorts the rows, numbers as numbers', async () => {
    await page.fill('#param-initiative', '');
    await ran(page, () => page.click('#run'));
    const original = await columnOf(page, 'agency');
    await page.click('#results th[data-var="agency"]');
    const ascending = await columnOf(page, 'agency');
    const collator = new Intl.Collator('zh-CN', { numeric: true });
    check(ascending.every((x, i) => i === 0 || collator.compare(ascending[i - 1], x) <= 0), 'agency column not ascending');
    check(JSON.stringify(ascending) !== JSON.stringify(original), 'sorting did not change the row order');
    check(await page.getAttribute('#results th[data-var="agency"]', 'aria-sort') === 'ascending', 'no aria-sort');
    await page.click('#results th[data-var="agency"]');
    const descending = await columnOf(page, 'agency');
    check(JSON.stringify(descending) === JSON.stringify([...ascending].reverse()), 'second click is not descending');
    // Negative numbers tell numbers from text, even text compared digit run by digit run.
    await page.fill('#query', 'SELECT ?n ?s WHERE { VALUES (?n ?s) { (9 "b") (-2 "e") (10 "a") (2 "c") (-10 "f") (100 "d") } }');
    await ran(page, () => page.click('#run'));
    await page.click('#results th[data-var="n"]');
    check((await columnOf(page, 'n')).join(' ') === '-10 -2 2 9 10 100', `numbers sort as text: ${await columnOf(page, 'n')}`);
    await page.click('#results th[data-var="n"]');
    check((await columnOf(page, 'n')).join(' ') === '100 10 9 2 -2 -10', 'numbers not descending');
  });

  await step('a capped table says how many rows it shows of how many', async () => {
    const digits = [...Array(50).keys()].join(' ');
    await page.fill('#query', `SELECT ?a ?b WHERE { VALUES ?a { ${digits} } VALUES ?b { ${digits} } }`);
    await ran(page, () => page.click('#run'));
    const status = await page.locator('#status').textContent();
    check(status.startsWith('showing 2000 of 2500 rows'), `status: ${status}`);
    check((await page.locator('#row-note').textContent()).includes('showing 2000 of 2500 rows'), 'no note under the table');
    check((await tableRows(page)).length === 2000, 'the table is not capped at 2000 rows');
    await page.click('#results th[data-var="a"]');
    await page.click('#results th[data-var="a"]');
    check((await columnOf(page, 'a'))[0] === '49', 'sorting does not cover the rows beyond the cap');
    check((await page.locator('#status').textContent()).startsWith('showing 2000 of 2500'), 'sorting overwrote the notice');
  });

  await step('no script errors', async () => {
    check(pageErrors.length === 0, pageErrors.join('; '));
  });
} catch (e) {
  exitCode = 1;
  if (pageErrors.length) console.log(`  page errors: ${pageErrors.join('; ')}`);
  if (page) {
    const shown = await page.evaluate(() => ({
      hash: location.hash,
      status: document.getElementById('status').textContent,
      error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    })).catch(() => null);
    if (shown) console.log(`  page state: ${JSON.stringify(shown)}`);
    const failure = screenshots.length ? join(dirname(screenshots[screenshots.length - 1]), 'failure.png') : null;
    if (failure) {
      await page.screenshot({ path: failure }).catch(() => {});
      console.log(`  screenshot of the failure: ${failure}`);
    }
  }
} finally {
  await browser.close();
}
console.log(`browser-e2e: ${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed ? 1 : 0));
