// The Temporal Web UI in headless chromium: open a workflow's page (or any UI page), wait in real time
// until the single-page app has rendered what the test expects, and keep its text, its DOM, its
// event rows and a screenshot. The UI polls the server for as long as the page is open, so
// `--virtual-time-budget` (what chromium.ts uses) never runs out on it; this drives chromium over the
// DevTools protocol on a pipe instead (`--remote-debugging-pipe`: NUL-terminated JSON on fds 3 and 4,
// no WebSocket library needed).
//
// What the UI (2.54, with temporal CLI 1.9.1) shows, found by trying: `/namespaces/<ns>/workflows/<id>`
// redirects to the latest run's timeline tab; `…/<id>/<runId>/history` is the event list ("All",
// every event as a row with its Details, and an activity's or timer's summary as `Summary …` there),
// 100 rows a page, newest first; "Compact" groups each activity or timer into one row, summary
// included; the timeline labels each activity `<activityType> • <summary>`. The view (All, Compact,
// JSON) is kept in localStorage, not the URL, hence `click`.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { chromiumBinary, chromiumSetup } from './chromium.js';

export interface PageOptions {
  /**
   * Buttons, links or tabs to click, in order, each once it is on the page, before waiting for
   * `waitFor`: matched by their whole visible text, e.g. `['Compact']` for the compact event list.
   */
  click?: string[];
  /** Texts that must all be on the page (its `innerText`) before it counts as rendered. */
  waitFor?: string[];
  /** How long the whole visit may take, in real time, chromium's start included. Default 30 s. */
  timeoutMs?: number;
  /** Where to save a PNG of the page once rendered (saved too, for a look, when the visit times out). */
  screenshotFile?: string;
  /** The screenshot shows the whole page, not only the window. Default true. */
  fullPage?: boolean;
  /** The window's size. Default 1920×1200: narrower, the event table's Details column is cut off. */
  width?: number;
  height?: number;
}

export interface RenderedPage {
  /** Where the page ended up (after the SPA's redirects). */
  url: string;
  /** What a reader sees: `document.body.innerText`, once the page rendered and settled. */
  text: string;
  /** The DOM at that moment, serialized. */
  html: string;
  title: string;
  screenshotFile?: string;
  /** From starting chromium to the rendered page (and its screenshot). */
  elapsedMs: number;
}

/** One row of the event history table. */
export interface HistoryRow {
  /** The row's `data-eventid` (in the compact view, its group's first event). */
  eventId: number;
  /** As the UI names it: "Activity Task Scheduled" (in the compact view: "Activity", "Timer"…). */
  eventType: string;
  /** The Details cell, e.g. "Activity Type setTrafficWeight Summary set weight 20% on myapp-vsvc/primary". */
  details: string;
  /** Every cell's text, white space collapsed (ids, timestamps with their tooltips, type, details). */
  cells: string[];
}

export interface WorkflowPage extends RenderedPage {
  runId: string;
  /** The event history table's rows as shown (on the history tab; empty on the others). */
  events: HistoryRow[];
}

export interface WorkflowPageOptions extends PageOptions {
  /** The UI's base URL, e.g. http://127.0.0.1:8233 */
  uiUrl: string;
  namespace: string;
  workflowId: string;
  /** Default: the latest run. */
  runId?: string;
  /** The tab: `history` (default), `timeline`, `workers`, `pending-activities`, `call-stack`, `queries`… */
  tab?: string;
}

type WorkflowPageAddress = Pick<WorkflowPageOptions, 'uiUrl' | 'namespace' | 'workflowId' | 'runId' | 'tab'>;

/**
 * The URL of a workflow's page: `/namespaces/<ns>/workflows/<id>/<runId>/<tab>`, or without a run id
 * `/namespaces/<ns>/workflows/<id>` (the UI redirects it to the latest run's timeline).
 */
export function workflowPageUrl(address: WorkflowPageAddress): string {
  const base = address.uiUrl.replace(/\/+$/, '');
  const parts = ['namespaces', address.namespace, 'workflows', address.workflowId];
  if (address.runId) parts.push(address.runId, address.tab ?? 'history');
  return `${base}/${parts.map(encodeURIComponent).join('/')}`;
}

/** The URL of the UI's workflow list filtered by a visibility query, e.g. `RolloutPhase = 'Paused'`. */
export function workflowListUrl(uiUrl: string, namespace: string, query: string): string {
  const base = uiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

const EVENT_ROWS = 'document.querySelectorAll(\'tr[data-testid="event-summary-row"]\')';

/**
 * Opens a workflow's page (its event history unless `tab` says otherwise) and returns what it shows
 * once rendered: on the history tab, once there are event rows, they and the text stopped changing,
 * and `waitFor` is there.
 */
export function openWorkflowPage(options: WorkflowPageOptions): Promise<WorkflowPage> {
  return withPage(options, async (page) => {
    let runId = options.runId;
    if (!runId) {
      // Let the UI find the latest run: it redirects `/workflows/<id>` to `/workflows/<id>/<runId>/timeline`.
      const prefix = `${workflowPageUrl({ ...options, runId: undefined })}/`;
      await page.goto(prefix.slice(0, -1));
      runId = await page.until(
        async () => {
          const href = await page.evaluate<string>('location.href');
          const rest = href.startsWith(prefix) ? href.slice(prefix.length).split('/') : [];
          return rest.length > 1 && rest[0] ? decodeURIComponent(rest[0]) : undefined;
        },
        `redirect from ${prefix.slice(0, -1)} to the latest run`,
      );
    }
    const tab = options.tab ?? 'history';
    await page.goto(workflowPageUrl({ ...options, runId, tab }));
    const rendered = await page.capture(options, tab === 'history' ? `${EVENT_ROWS}.length > 0` : undefined);
    const rows = await page.evaluate<Omit<HistoryRow, 'eventType' | 'details'>[]>(`[...${EVENT_ROWS}].map(
      (tr) => ({
        eventId: Number(tr.dataset.eventid),
        cells: [...tr.cells].map((td) => td.innerText.replace(/\\s+/g, ' ').trim()),
      }))`);
    // The event type and the details are the last two columns in every view.
    const events = rows.map((row) => ({
      ...row,
      eventType: row.cells.at(-2) ?? '',
      details: row.cells.at(-1) ?? '',
    }));
    return { ...rendered, runId, events };
  });
}

/** Opens any page and returns what it shows once `waitFor` is there and the text stopped changing. */
export function openPage(url: string, options: PageOptions = {}): Promise<RenderedPage> {
  return withPage(options, async (page) => {
    await page.goto(url);
    return page.capture(options);
  });
}

async function withPage<T>(options: PageOptions, use: (page: Page) => Promise<T>): Promise<T> {
  const width = options.width ?? 1920;
  const height = options.height ?? 1200;
  const started = Date.now();
  const browser = await Browser.launch(width, height);
  try {
    return await use(await Page.open(browser, started, width, height, options));
  } finally {
    await browser.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One tab, with the deadline of the whole visit. */
class Page {
  private readonly deadline: number;
  private url = 'about:blank';

  private constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
    private readonly started: number,
    private readonly width: number,
    private readonly height: number,
    private readonly options: PageOptions,
  ) {
    this.deadline = this.started + (options.timeoutMs ?? 30_000);
  }

  static async open(
    browser: Browser,
    started: number,
    width: number,
    height: number,
    options: PageOptions,
  ): Promise<Page> {
    const { targetId } = (await browser.send('Target.createTarget', { url: 'about:blank' })) as {
      targetId: string;
    };
    const { sessionId } = (await browser.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    const page = new Page(browser, sessionId, started, width, height, options);
    await page.resize(height);
    return page;
  }

  private send(method: string, params: object = {}): Promise<unknown> {
    return this.browser.send(method, params, this.sessionId);
  }

  private resize(height: number): Promise<unknown> {
    return this.send('Emulation.setDeviceMetricsOverride', {
      width: this.width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
  }

  /** Loads `url`; while the server refuses the connection (still starting), tries again until the deadline. */
  async goto(url: string): Promise<void> {
    this.url = url;
    await this.until(async () => {
      const { errorText } = (await this.send('Page.navigate', { url })) as { errorText?: string };
      if (errorText) throw new Error(errorText);
      return true;
    }, `answer from ${url}`);
  }

  async evaluate<T>(expression: string): Promise<T> {
    const answer = (await this.send('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    })) as {
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (answer.exceptionDetails)
      throw new Error(
        `in ${this.url}: ${answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text}`,
      );
    return answer.result.value;
  }

  /** The page's text, with that of its frames (the UI renders markdown, e.g. Current Details, in a sandboxed one). */
  text(): Promise<string> {
    return this.evaluate<string>(`(() => {
      const texts = [document.body ? document.body.innerText : ''];
      for (const frame of document.querySelectorAll('iframe')) {
        let body = null;
        try {
          body = frame.contentDocument && frame.contentDocument.body;
        } catch (e) {
          // a sandboxed frame: read its source below
        }
        if (body) texts.push(body.innerText);
        else if (frame.srcdoc) {
          const doc = new DOMParser().parseFromString(frame.srcdoc, 'text/html');
          texts.push(doc.body ? doc.body.textContent : '');
        }
      }
      return texts.join('\\n');
    })()`);
  }

  /**
   * Polls `check` until it returns something; past the deadline, fails naming `what` (with a
   * screenshot). A check that throws counts as not yet (a page between two documents cannot evaluate).
   */
  async until<T>(check: () => Promise<T | undefined>, what: string | (() => string)): Promise<T> {
    let lastError: Error | undefined;
    for (;;) {
      try {
        const value = await check();
        if (value !== undefined) return value;
        lastError = undefined;
      } catch (err) {
        lastError = err as Error;
      }
      if (Date.now() > this.deadline) {
        const wanted = typeof what === 'string' ? what : what();
        throw await this.timedOut(lastError ? `${wanted} (last: ${lastError.message})` : wanted);
      }
      await sleep(250);
    }
  }

  private async timedOut(what: string): Promise<Error> {
    const file = this.options.screenshotFile;
    if (file) await this.screenshot(file).catch(() => undefined);
    const text = await this.text().catch((err: Error) => `(no text: ${err.message})`);
    return new Error(
      `${this.url}: after ${Date.now() - this.started} ms still no ${what}` +
        (file ? ` (screenshot: ${file})` : '') +
        `; the page shows:\n${text.slice(0, 3000)}`,
    );
  }

  /** Clicks the button, link or tab whose visible text is `label`, once there is one. */
  async click(label: string): Promise<void> {
    const click = `(() => {
      const hit = [...document.querySelectorAll('button, a, [role="tab"], [role="button"]')].find(
        (e) => e.innerText && e.innerText.trim() === ${JSON.stringify(label)});
      if (!hit) return undefined;
      hit.click();
      return true;
    })()`;
    await this.until(() => this.evaluate<true | undefined>(click), `button or link "${label}" to click`);
  }

  /**
   * Waits until every text in `wanted` is on the page, `ready` (a JavaScript expression) holds in it,
   * and the text has settled: two polls 250 ms apart agree (the event list fills in over several
   * fetches), digits aside, since a running workflow's duration ticks on.
   */
  async rendered(wanted: string[], ready?: string): Promise<string> {
    let previous: string | undefined;
    let missing = wanted;
    let isReady = ready === undefined;
    return this.until(
      async () => {
        const text = await this.text();
        const shape = text.replace(/\d/g, '0');
        const settled = text !== '' && shape === previous;
        previous = shape;
        missing = wanted.filter((w) => !text.includes(w));
        if (ready !== undefined) isReady = await this.evaluate<boolean>(`Boolean(${ready})`);
        return settled && isReady && !missing.length ? text : undefined;
      },
      () =>
        missing.length
          ? `${JSON.stringify(missing)} on the page`
          : isReady
            ? 'end to its changes'
            : `sign of being ready (${ready})`,
    );
  }

  /**
   * Saves a PNG. The UI scrolls inside its main panel, not the document, so a screenshot of the
   * whole page makes the window as tall as that panel's content first.
   */
  async screenshot(file: string): Promise<void> {
    if (this.options.fullPage ?? true) {
      const tallest = await this.evaluate<number>(`(() => {
        let overflow = 0;
        for (const e of document.querySelectorAll('*'))
          if (e.clientHeight > innerHeight / 2) overflow = Math.max(overflow, e.scrollHeight - e.clientHeight);
        return Math.max(document.documentElement.scrollHeight, innerHeight + overflow);
      })()`);
      await this.resize(Math.min(Math.ceil(tallest), MAX_SCREENSHOT_HEIGHT));
      // Two frames for the layout to follow the new size.
      await this.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    }
    try {
      const { data } = (await this.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.from(data, 'base64'));
    } finally {
      if (this.options.fullPage ?? true) await this.resize(this.height);
    }
  }

  /** Clicks `options.click`, waits for `options.waitFor` (and `ready`), and takes what the page then shows. */
  async capture(options: PageOptions, ready?: string): Promise<RenderedPage> {
    for (const label of options.click ?? []) await this.click(label);
    const text = await this.rendered(options.waitFor ?? [], ready);
    const html = await this.evaluate<string>('document.documentElement.outerHTML');
    const title = await this.evaluate<string>('document.title');
    const url = await this.evaluate<string>('location.href');
    if (options.screenshotFile) await this.screenshot(options.screenshotFile);
    return {
      url,
      text,
      html,
      title,
      ...(options.screenshotFile ? { screenshotFile: options.screenshotFile } : {}),
      elapsedMs: Date.now() - this.started,
    };
  }
}

/** Chromium's limit for one capture is far above this; a page this tall is a bug of its own. */
const MAX_SCREENSHOT_HEIGHT = 12_000;

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** One headless chromium with a fresh profile, driven over `--remote-debugging-pipe`. */
class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private stderr = '';
  private readonly exited: Promise<void>;
  private readonly input: Writable;

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const [, , err, input, output] = child.stdio as [unknown, unknown, Readable, Writable, Readable];
    this.input = input;
    err.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    output.setEncoding('utf8'); // a character split between two chunks stays whole
    output.on('data', (chunk: string) => this.receive(chunk));
    input.on('error', () => undefined); // a write after chromium died fails its command instead
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (err) => {
        this.stderr += `\n${err.message}`;
        resolve();
      });
    });
    void this.exited.then(() => this.failAll(`chromium exited; its last output:\n${this.stderr}`));
  }

  static launch(width: number, height: number): Promise<Browser> {
    const { profile, flags } = chromiumSetup(width, height);
    const child = spawn(chromiumBinary, [...flags, '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    const browser = new Browser(child, profile);
    return browser.send('Browser.getVersion').then(
      () => browser,
      async (err: Error) => {
        await browser.close();
        throw err;
      },
    );
  }

  send(method: string, params: object = {}, sessionId?: string, timeoutMs = 15_000): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`chromium did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      this.buffer = this.buffer.slice(end + 1);
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiting) continue; // an event: nothing here listens to them
      this.pending.delete(message.id!);
      clearTimeout(waiting.timer);
      if (message.error) waiting.reject(new Error(`chromium: ${message.error.message}`));
      else waiting.resolve(message.result);
    }
  }

  private failAll(reason: string): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(reason));
      this.pending.delete(id);
    }
  }

  /** Asks chromium to quit; kills it (this one process, by its pid) if it has not within 5 s. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.send('Browser.close', {}, undefined, 5000).catch(() => undefined);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}
