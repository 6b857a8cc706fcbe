/**
 * Headless Chromium for server tests (the reviewer clicking the gate's link, and a scanner that
 * follows every link with scripts on). Debian's `chromium` package (installed by
 * install-chromium.sh) driven by playwright-core — never a Playwright browser download.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.HITL_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];

export interface LaunchedBrowser {
	context: BrowserContext;
	userDataDir: string;
	/** Closes the browser and deletes its profile. */
	close(): Promise<void>;
}

/**
 * Launches Chromium with a new, empty profile (so no cookie or cache leaks between tests).
 * `userAgent` lets a test impersonate e.g. a mail scanner; `javaScriptEnabled` defaults to true.
 */
export async function launchBrowser(
	options: { executablePath?: string; userAgent?: string; javaScriptEnabled?: boolean } = {},
): Promise<LaunchedBrowser> {
	const userDataDir = mkdtempSync(path.join(tmpdir(), 'hitl-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: options.executablePath ?? CHROMIUM_PATH,
		headless: true,
		args: CHROMIUM_ARGS,
		userAgent: options.userAgent,
		javaScriptEnabled: options.javaScriptEnabled ?? true,
		timeout: 60_000,
	});
	return {
		context,
		userDataDir,
		close: async () => {
			await context.close();
			rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}
