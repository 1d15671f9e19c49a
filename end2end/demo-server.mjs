// A demo server of its own for the scripts that are not tests (screenshots, benches): a
// fresh SQLite file with the demo data, the debug `rampart` unless RAMPART_BIN says
// otherwise, and Debian's Chromium signed in as a demo account.
import { chromium } from '@playwright/test';
import { execFileSync, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const CONTOSO = 'c0a7e5f0-0000-4000-8000-000000000001';
const bin = process.env.RAMPART_BIN ?? `${root}/target/debug/rampart`;

// Runs `use({ base, browser })` against a demo server on `port`; `prepare(rampart)` runs
// admin commands on the database first. Everything is removed afterwards.
export async function withDemoServer(port, use, prepare = () => {}) {
  const work = mkdtempSync(path.join(tmpdir(), 'rampart-demo-'));
  const env = { ...process.env, DATABASE_URL: `sqlite://${work}/rampart.db`, RUST_LOG: 'warn' };
  const rampart = (...args) => execFileSync(bin, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
  rampart('seed-demo');
  prepare(rampart, work);
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--site-root', `${root}/target/site`], { env, stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
      if (i > 100) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    try {
      await use({ base, browser });
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

// Signs in through the form, as a person would.
export async function signIn(page, base, email) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('rampart-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('#signed-in-as');
}
