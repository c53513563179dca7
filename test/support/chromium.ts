// Debian's chromium, headless (scripts/install-tools.d/chromium.sh installs it), for checks of the lab's
// web pages: a screenshot, or the DOM after the page's scripts have run. Each run gets a fresh profile
// in a temporary directory and nothing that reaches out of the machine (no sync, updates or QUIC).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const chromiumBinary = process.env.CHROMIUM_BINARY ?? '/usr/bin/chromium';

export interface PageOptions {
  /** Virtual time the page gets to run its timers and fetches before the capture. Default 3000. */
  virtualTimeBudgetMs?: number;
  /** Default 1000×700. */
  width?: number;
  height?: number;
}

/**
 * A fresh profile directory for one chromium, and the flags every run shares: headless, nothing that
 * reaches out of the machine. Throws when chromium is not installed.
 */
export function chromiumSetup(width: number, height: number): { profile: string; flags: string[] } {
  if (!fs.existsSync(chromiumBinary))
    throw new Error(
      `${chromiumBinary} is missing: run scripts/install-tools.sh (installs Debian's chromium)`,
    );
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  return {
    profile,
    flags: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`,
      `--window-size=${width},${height}`,
    ],
  };
}

async function chromium(url: string, extra: string[], options: PageOptions): Promise<string> {
  const { profile, flags } = chromiumSetup(options.width ?? 1000, options.height ?? 700);
  try {
    const { stdout } = await run(
      chromiumBinary,
      [...flags, `--virtual-time-budget=${options.virtualTimeBudgetMs ?? 3000}`, ...extra, url],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Saves a PNG of the page as it is after the virtual time budget. */
export async function screenshot(url: string, file: string, options: PageOptions = {}): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  await chromium(url, [`--screenshot=${file}`], options);
  if (!fs.existsSync(file)) throw new Error(`chromium wrote no screenshot at ${file}`);
}

/** The page's DOM, serialized, after the virtual time budget. */
export function dumpDom(url: string, options: PageOptions = {}): Promise<string> {
  return chromium(url, ['--dump-dom'], options);
}

/** Width and height from a PNG's IHDR chunk; throws when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (
    bytes.length < 24 ||
    !bytes.subarray(0, 8).equals(signature) ||
    bytes.toString('latin1', 12, 16) !== 'IHDR'
  )
    throw new Error('not a PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
