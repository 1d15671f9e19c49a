import { defineConfig } from '@playwright/test';
import * as path from 'path';
import { execFileSync } from 'child_process';

// The real server, on a fresh SQLite file with the demo data, in Debian's Chromium.
const port = Number(process.env.E2E_PORT ?? 3100);
const root = path.resolve(__dirname, '..');
export const databaseUrl = `sqlite://${root}/target/e2e/rampart.db`;
// The debug build `cargo test` already made; `E2E_SERVER_BIN` picks another.
export const serverBin = process.env.E2E_SERVER_BIN ?? `${root}/target/debug/rampart`;
// Where the browser tests' SMTP server writes the email it receives, one JSON file each.
export const mailDir = `${root}/target/e2e/mail`;
const smtpPort = port + 1;

// The Python that has aiosmtpd (`make tools-test` installs Debian's for /usr/bin/python3).
function pythonWithAiosmtpd(): string {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', 'import aiosmtpd'], { stdio: 'ignore' });
      return python;
    } catch {
      // Not this one; try the next.
    }
  }
  return 'python3';
}

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  },
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${port}` },
  projects: [
    { name: 'hydrated', use: { ...chromium, javaScriptEnabled: true } },
    { name: 'no-js', use: { ...chromium, javaScriptEnabled: false } },
  ],
  webServer: [
    // A real SMTP server (aiosmtpd) that writes each message it receives to mailDir.
    {
      command: `${pythonWithAiosmtpd()} ${root}/server/tests/fixtures/smtp_recorder.py ${mailDir} ${smtpPort}`,
      port: smtpPort,
      timeout: 60_000,
      reuseExistingServer: false,
    },
    {
      // The public URL is the address the browser uses: shares need it, and writes must come
      // from its origin.
      command: `${serverBin} serve --demo --addr 127.0.0.1:${port} --site-root ${root}/target/site --public-url http://127.0.0.1:${port}`,
      env: {
        DATABASE_URL: databaseUrl,
        RUST_LOG: 'warn',
        RAMPART_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        RAMPART_SMTP_FROM: 'Rampart <rampart@e2e.example>',
      },
      url: `http://127.0.0.1:${port}/healthz`,
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
});
