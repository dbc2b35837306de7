// What a person sees in the Temporal Web UI (DESIGN.md §3 "UI") for a finished run, checked in a real browser:
// Debian's headless Chromium driven by playwright-core opens the link `baton start` printed, on the embedded dev
// server started by `baton server` (with its Web UI), after `baton worker` — the real `claude` against the
// scripted model — ran a 3-task chain in which one task failed and was retried by `baton retry`. The event
// history shows every agent activity's summary ("<task> · run <n> · <agent>"), and the run's current details
// render the markdown table of task states. Screenshots go to test-artifacts/web-ui/ at the repository root.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { ResultPromise } from 'execa';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { findChromium, launchChromium } from '../helpers/chromium.js';
import {
  describeResult,
  freePort,
  jsonOf,
  REPO_ROOT,
  stopEmbeddedServer,
  stopProcess,
  waitFor,
  type Sandbox,
} from '../helpers/cli.js';
import { modelSandbox } from '../helpers/worker-scene.js';

/** Where the screenshots are kept (gitignored), so a person can look at what the test saw. */
const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts', 'web-ui');
const COST_PER_REQUEST_USD = 0.01;

const PLAN = `version: 1
name: web-ui
goal: Show a finished run in the Temporal Web UI
onFailure: wait
defaults:
  retries: 0
  timeout: 2m
agents:
  writer:
    description: Writes release notes
    prompt: You write release notes.
tasks:
  - id: collect
    prompt: Collect the changes.
  - id: classify
    prompt: Classify the changes.
    agent: writer
    dependsOn: [collect]
  - id: publish
    prompt: Publish the notes.
    dependsOn: [classify]
`;

// classify's first attempt gets a 400 (not retryable, and retries: 0): it fails for good and the run waits
// until \`baton retry\`, so the history holds a second attempt of it.
const SCRIPT = {
  collect: { turns: [{ text: 'Collected 12 changes since v1.0.' }] },
  classify: {
    failFirst: [{ status: 400, message: 'scripted bad request' }],
    turns: [{ text: 'Sorted the changes into 4 categories.' }],
  },
  publish: { turns: [{ text: 'Published the release notes.' }] },
};

/** The activities' summaries, in history order: one per agent attempt, plus the notification of the wait. */
const EXPECTED_SUMMARIES = [
  { type: 'runAgent', summary: 'collect · run 1 · claude' },
  { type: 'runAgent', summary: 'classify · run 1 · writer' },
  { type: 'notify', summary: 'notify · the run waits on a person' },
  { type: 'runAgent', summary: 'classify · run 2 · writer' },
  { type: 'runAgent', summary: 'publish · run 1 · claude' },
];

void test('the browser: BATON_CHROMIUM, else chromium or chromium-browser on PATH; a wrong BATON_CHROMIUM is an error', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-chromium-'));
  /** `name` in folder `folder` under dir, executable or not. */
  const file = async (folder: string, name: string, executable: boolean): Promise<string> => {
    await mkdir(path.join(dir, folder), { recursive: true });
    const full = path.join(dir, folder, name);
    await writeFile(full, '');
    await chmod(full, executable ? 0o755 : 0o644);
    return full;
  };
  try {
    const chromiumBrowser = await file('a', 'chromium-browser', true);
    const chromiumBin = await file('b', 'chromium', true);
    const plain = await file('c', 'chromium', false);
    const pathOf = (...files: string[]) => files.map((f) => path.dirname(f)).join(path.delimiter);

    assert.deepEqual(findChromium({ BATON_CHROMIUM: chromiumBin, PATH: pathOf(chromiumBrowser) }), {
      path: chromiumBin,
    });
    // A file that is not executable is passed over; `chromium` anywhere on PATH comes before `chromium-browser`.
    assert.deepEqual(findChromium({ PATH: pathOf(plain, chromiumBrowser) }), { path: chromiumBrowser });
    assert.deepEqual(findChromium({ PATH: pathOf(chromiumBrowser, chromiumBin) }), { path: chromiumBin });
    assert.deepEqual(findChromium({ PATH: pathOf(plain) }), { missing: 'no chromium (apt-get install chromium)' });
    assert.throws(
      () => findChromium({ BATON_CHROMIUM: plain, PATH: pathOf(chromiumBin) }),
      new RegExp(`BATON_CHROMIUM is ${plain}, which is not an executable file`),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const chromium = findChromium();
// Skipped only on a developer's machine without Chromium; in CI (.ci/run installs it) a missing browser fails.
const skip = 'missing' in chromium && !process.env.CI ? `skipped: ${chromium.missing}` : false;

void test(
  "the Web UI shows each agent activity's summary in the event history and the run's task table in its current details",
  { skip },
  async () => {
    if ('missing' in chromium) assert.fail(`CI is set, so this test must run, but there is ${chromium.missing}`);
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    console.log(`web-ui: screenshots in ${ARTIFACTS_DIR}`);

    const serverPort = await freePort();
    const uiPort = await freePort();
    const fake = await FakeModel.start({ script: SCRIPT, costPerRequestUsd: COST_PER_REQUEST_USD });
    const box = await modelSandbox('web-ui', fake, {
      TEMPORAL_ADDRESS: undefined,
      // The suite's runner sets TEMPORAL_CLI_PATH; run alone, `temporal` comes from PATH.
      TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
      BATON_SERVER_PORT: String(serverPort),
      BATON_UI_PORT: String(uiPort),
    });
    await writeFile(path.join(box.cwd, 'plan.yaml'), PLAN);
    const runId = `baton-web-ui-${Date.now().toString(36)}`;
    let worker: ResultPromise | undefined;
    let browser: BrowserContext | undefined;
    try {
      // The suite's own server runs --headless; the embedded one serves the Web UI.
      const server = await box.baton(['server'], { timeoutMs: 90_000 });
      assert.equal(server.exitCode, 0, describeResult(server));
      assert.ok(server.stdout.includes(`Web UI: http://127.0.0.1:${uiPort}`), describeResult(server));
      // The worker stays up after the run: the UI asks a worker for a closed run's current details.
      worker = box.spawn(['worker']);
      const final = await runToEnd(box, runId);
      const uiUrl = final.uiUrl;

      browser = await launchChromium(chromium.path, box.root);
      const page = browser.pages()[0] ?? (await browser.newPage());
      // A single-page app on a loaded 2-core machine: generous waits for content, never fixed sleeps.
      page.setDefaultTimeout(60_000);
      try {
        await page.goto(uiUrl);
        await page.getByTestId('execution-status').getByText('Completed', { exact: false }).waitFor();
        // The landing tab, the timeline, labels each activity's bar with its summary.
        await page.getByText(EXPECTED_SUMMARIES.at(-1)!.summary).first().waitFor();
        await shoot(page, 'timeline.png');

        await page.getByTestId('history-tab').click();
        const scheduled = await scheduledActivities(page);
        // The history scrolls inside the page: a taller window puts all of it in the screenshot.
        await page.setViewportSize({ width: 1600, height: 2400 });
        await shoot(page, 'event-history.png');
        await page.setViewportSize({ width: 1600, height: 1200 });
        assert.deepEqual(scheduled, EXPECTED_SUMMARIES, 'the summaries shown in the event history');

        await page.getByTestId('user-metadata-tab').click();
        const details = await currentDetails(page);
        await shoot(page, 'current-details.png');
        assert.equal(details.headline, 'completed', 'the bold phase at the head of the current details');
        assert.match(details.text, /completed — 3 tasks: succeeded 3 — cost \$0\.0[34]/);
        assert.deepEqual(details.header, ['task', 'state', 'attempts', 'cost', 'note']);
        const cost = (id: string) => `$${(final.status.tasks.find((t) => t.id === id)?.costUsd ?? NaN).toFixed(2)}`;
        assert.deepEqual(details.rows, [
          ['collect', 'succeeded', '1', cost('collect'), SCRIPT.collect.turns[0]!.text],
          ['classify', 'succeeded', '2', cost('classify'), SCRIPT.classify.turns[0]!.text],
          ['publish', 'succeeded', '1', cost('publish'), SCRIPT.publish.turns[0]!.text],
        ]);
        console.log(
          `web-ui: ${scheduled.length} activity summaries in the event history, a ${details.rows.length}-row task table in the current details`,
        );
      } catch (err) {
        await shoot(page, 'failure.png').catch(() => {});
        throw err;
      }
    } finally {
      await browser?.close();
      if (worker) await stopProcess(worker);
      await fake.stop();
      await stopEmbeddedServer(box, serverPort);
      await box.cleanup();
    }
  },
);

/** `baton start` the plan, wait for classify to fail, `baton retry` it, and wait for the run's end. */
async function runToEnd(box: Sandbox, runId: string): Promise<{ uiUrl: string; status: RunStatus }> {
  const start = await box.baton(['start', 'plan.yaml', '--id', runId, '--json']);
  assert.equal(start.exitCode, 0, describeResult(start));
  const { uiUrl } = jsonOf<{ uiUrl: string | null }>(start);
  const port = box.env.BATON_UI_PORT;
  assert.equal(uiUrl, `http://127.0.0.1:${port}/namespaces/default/workflows/${runId}`, 'the link baton prints');

  await waitFor(
    'classify to fail',
    async () => {
      const status = await box.baton(['status', runId, '--json']);
      if (status.exitCode !== 0) return undefined;
      return jsonOf<RunStatus>(status).tasks.find((t) => t.id === 'classify')?.state === 'failed' ? true : undefined;
    },
    90_000,
  );
  const retry = await box.baton(['retry', runId, 'classify']);
  assert.equal(retry.exitCode, 0, describeResult(retry));

  const result = await box.baton(['result', runId, '--json'], { timeoutMs: 120_000 });
  assert.equal(result.exitCode, 0, describeResult(result));
  const status = jsonOf<RunStatus>(result);
  assert.equal(status.phase, 'completed', JSON.stringify(status, null, 2));
  return { uiUrl, status };
}

/** Every "Activity Task Scheduled" row of the event history: its activity type and summary, oldest first. */
async function scheduledActivities(page: Page): Promise<Array<{ type: string; summary: string }>> {
  const rows = page.getByTestId('event-summary-row').filter({ hasText: 'Activity Task Scheduled' });
  // The table fills in as the history loads: wait for the last activity's row.
  await rows.filter({ hasText: EXPECTED_SUMMARIES.at(-1)!.summary }).waitFor();
  const found: Array<{ id: number; type: string; summary: string }> = [];
  for (const row of await rows.all()) {
    found.push({
      id: Number(await row.getAttribute('data-eventid')),
      type: await fieldOf(row, 'Activity Type'),
      summary: await fieldOf(row, 'Summary'),
    });
  }
  return found.sort((a, b) => a.id - b.id).map(({ type, summary }) => ({ type, summary }));
}

/** The value shown next to a field's label in an event row (`<p>Summary</p> <span>…</span>`). */
async function fieldOf(row: Locator, label: string): Promise<string> {
  const field = row.locator('div').filter({ has: row.page().getByText(label, { exact: true }) });
  return (await field.last().locator('span').first().innerText()).trim();
}

/** The "Current Details" panel: the markdown the workflow set, rendered by the UI in an iframe. */
async function currentDetails(
  page: Page,
): Promise<{ headline: string; text: string; header: string[]; rows: string[][] }> {
  const frame = page.locator('#user-metadata-current-details').contentFrame();
  const table = frame.locator('table');
  await table.waitFor();
  const rows: string[][] = [];
  for (const row of await table.locator('tbody tr').all()) {
    rows.push((await row.locator('td').allInnerTexts()).map((cell) => cell.trim()));
  }
  return {
    headline: (await frame.locator('strong').first().innerText()).trim(),
    text: (await frame.locator('body').innerText()).replace(/\s+/g, ' '),
    header: (await table.locator('th').allInnerTexts()).map((cell) => cell.trim()),
    rows,
  };
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, name), fullPage: true });
}
