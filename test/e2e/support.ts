import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../support/cli.js';

/** Debian's package; tests never download a browser. */
export const CHROMIUM = process.env.GIBBSLAB_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_INSTALL = 'apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation fonts-dejavu-core';

export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** Starts the built `gibbslab serve --port 0 --json` (as a user would) and reads its URL. */
export async function serve(runs: string): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--port', '0', '--json', '--runs', runs], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`gibbslab serve exited with ${code}: ${stderr}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** Headless Chromium from the system, or an error that says how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package (${CHROMIUM_INSTALL}) or set GIBBSLAB_CHROMIUM to a Chromium executable`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Stops Chromium's own look-ups of outside hosts; the lab itself makes none.
    args: ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  // Debian moves its Chromium independently of playwright-core: say which one ran.
  console.log(`e2e: Chromium ${browser.version()} (${CHROMIUM})`);
  return browser;
}
