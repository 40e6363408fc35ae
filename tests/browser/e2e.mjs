// Browser end-to-end test of `govkg serve`: drives Debian's Chromium through playwright-core.
// Run it through scripts/browser-e2e.sh, which installs what it needs, builds a store from
// data/reports and starts the server. Environment:
//   GOVKG_URL          the page, e.g. http://127.0.0.1:40123/
//   GOVKG_SCREENSHOTS  colon-separated PNG paths to write the screenshot to
//   GOVKG_NODE_DIR     folder whose node_modules holds playwright-core (default: this folder)
//   CHROMIUM           browser executable (default /usr/bin/chromium)
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
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
