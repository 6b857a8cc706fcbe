/**
 * `npm start` as a user runs it: `npm start` in a child process (its own process group, like a
 * terminal's foreground job) with temporary ports and a temporary demo folder. It must print "ready",
 * serve the n8n editor and the inbox, show the review mail after `npm run demo:send`; the README's
 * five-minute walk through example 1 is then done in Chromium from the demo's own inbox (open each
 * review link, edit one subject and approve, reject the other with a reason), the approved email must
 * arrive in the inbox with the edit and the decision be in the demo's review log; and — after SIGINT to
 * the whole group, which is what Ctrl-C sends — nothing may be left running or listening. A taken
 * port must be refused up front, with a message naming the port and the variable that moves it.
 *
 * In the server project because it needs the cached n8n install; the package is already built by the
 * suite's globalSetup, so the demo skips the build (HITL_SKIP_BUILD=1).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { launchBrowser } from '../harness/browser';
import { fetchFresh } from '../harness/http';
import { freePort, sleep } from '../harness/net';
import { escapeHtml, linkifiedText, mailPage } from '../../scripts/start/inboxPages';
import { openReviewStore } from '../../core/store';
import type { CapturedMail } from '../harness/smtpCapture';

const REPO = path.resolve(__dirname, '..', '..');
const demoDir = mkdtempSync(path.join(tmpdir(), 'hitl-demo-test-'));
let ports: { n8n: number; broker: number; smtp: number; inbox: number };
let env: NodeJS.ProcessEnv;

interface Demo {
	child: ChildProcess;
	output(): string;
	exited: Promise<{ code: number | null; signal: string | null }>;
}

function npmStart(): Demo {
	// detached: its own process group, so the whole group gets the signal as from a terminal.
	const child = spawn('npm', ['start'], { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	// 'close', not 'exit': resolved once every process holding the output pipes (npm, sh, node) is gone.
	const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
	return { child, output: () => output, exited };
}

async function waitForOutput(demo: Demo, pattern: RegExp, timeoutMs: number): Promise<void> {
	let exited = false;
	void demo.exited.then(() => (exited = true));
	for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
		if (pattern.test(demo.output())) return;
		if (exited) break;
	}
	throw new Error(`npm start did not print ${String(pattern)}${exited ? ' (it exited)' : ''}. Output:\n${demo.output()}`);
}

/** Resolves after `ms` without keeping jest alive. */
function timeout<T>(ms: number, value: T): Promise<T> {
	return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		socket.once('connect', () => (socket.destroy(), resolve(true)));
		socket.once('error', () => resolve(false));
	});
}

/** Processes whose environment names this demo's n8n user folder: n8n and its task runner. */
function demoProcesses(): number[] {
	const marker = `N8N_USER_FOLDER=${path.join(demoDir, 'n8n')}\0`;
	return readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.filter((pid) => {
			try {
				return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker);
			} catch {
				return false; // gone, or not ours to read
			}
		})
		.map(Number);
}

let demo: Demo | undefined;

beforeAll(async () => {
	ports = { n8n: await freePort(), broker: await freePort(), smtp: await freePort(), inbox: await freePort() };
	env = {
		...process.env,
		HITL_DEMO_DIR: demoDir,
		HITL_DEMO_PORT: String(ports.n8n),
		HITL_DEMO_BROKER_PORT: String(ports.broker),
		HITL_DEMO_SMTP_PORT: String(ports.smtp),
		HITL_DEMO_INBOX_PORT: String(ports.inbox),
		HITL_SKIP_BUILD: '1',
	};
});

afterAll(async () => {
	// Only if a test failed half-way: stop what it left, then make sure.
	if (demo && demo.child.exitCode === null && demo.child.signalCode === null) {
		process.kill(-(demo.child.pid as number), 'SIGINT');
		await Promise.race([demo.exited, timeout(30_000, undefined)]);
	}
	for (const pid of demoProcesses()) process.kill(pid, 'SIGKILL');
	rmSync(demoDir, { recursive: true, force: true });
});

describe('npm start', () => {
	it('starts n8n, the inbox and the examples; demo:send, then example 1 decided in Chromium from the inbox: the edited email arrives, the decision is logged; Ctrl-C leaves nothing behind', async () => {
		demo = npmStart();
		await waitForOutput(demo, /demo is ready/, 170_000);
		expect(demo.output()).toContain(`http://127.0.0.1:${ports.n8n}/`);
		expect(demo.output()).toContain('demo@example.com / Demo-Review-2026');

		expect((await fetchFresh(`http://127.0.0.1:${ports.n8n}/`)).status).toBe(200);
		const emptyInbox = await fetchFresh(`http://127.0.0.1:${ports.inbox}/`);
		expect(emptyInbox.status).toBe(200);
		expect(emptyInbox.headers.get('content-security-policy')).toContain("default-src 'none'");
		expect(await emptyInbox.text()).toContain('No mail yet');

		const send = await promisify(execFile)('npm', ['run', 'demo:send'], { cwd: REPO, env });
		expect(send.stdout).toContain('Sent 2 candidates');
		expect(send.stdout).toContain(`http://127.0.0.1:${ports.inbox}/`);

		let list = '';
		for (const deadline = Date.now() + 60_000; Date.now() < deadline && !list.includes('recruiter@example.com'); await sleep(500)) {
			list = await (await fetchFresh(`http://127.0.0.1:${ports.inbox}/`)).text();
		}
		expect(list).toContain('recruiter@example.com');
		expect(list).toContain('Outreach drafts to review');
		const mailHref = /href="(\/mail\/[^"]+)"/.exec(list)?.[1];
		const mail = await fetchFresh(`http://127.0.0.1:${ports.inbox}${mailHref ?? '/missing'}`);
		expect(mail.status).toBe(200);
		const mailHtml = await mail.text();
		expect(mailHtml).toMatch(/<iframe [^>]*sandbox="allow-popups allow-popups-to-escape-sandbox"[^>]*srcdoc="/);
		// The HITL Review Links example is active: the links go through it (they answer after the run, too).
		expect(mailHtml).toContain(`<a href="http://127.0.0.1:${ports.n8n}/webhook/hitl-review?t=`);
		expect((await fetchFresh(`http://127.0.0.1:${ports.inbox}/mail/..%2Fstate`)).status).toBe(404);
		// The README's walk through example 1, from the inbox: both review links, one edited and approved, one rejected.
		const links = [...new Set([...mailHtml.matchAll(/<a href="(http:\/\/127\.0\.0\.1:\d+\/webhook\/hitl-review\?t=[^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')))];
		expect(links).toHaveLength(2);
		const edited = 'Ada, a Staff Engineer role at ACME (edited in the demo)';
		const browser = await launchBrowser();
		try {
			const pages = await Promise.all(links.map(async (link) => {
				const page = await browser.context.newPage();
				expect((await page.goto(link))?.status()).toBe(200);
				return page;
			}));
			const servedAt = Date.now();
			const ada = (await Promise.all(pages.map(async (page) => ((await page.content()).includes('ada.lovelace@example.com') ? page : null)))).find(Boolean);
			const alan = pages.find((page) => page !== ada);
			if (!ada || !alan) throw new Error('no review page shows ada.lovelace@example.com');
			await ada.locator('[name="edit.subject"]').fill(edited);
			await alan.locator('textarea[name="comment"]').fill('Not the right role');
			// The gate's default minimum time on page (4 s), plus margin.
			await sleep(Math.max(0, servedAt + 4_250 - Date.now()));
			await Promise.all([ada.waitForLoadState('load'), ada.locator('button[value="approve"]').click()]);
			await Promise.all([alan.waitForLoadState('load'), alan.locator('button[value="reject"]').click()]);
			expect(await ada.locator('h1').innerText()).toBe('Decision recorded');
			expect(await alan.locator('h1').innerText()).toBe('Decision recorded');
		} finally {
			await browser.close();
		}
		for (const deadline = Date.now() + 60_000; Date.now() < deadline && !list.includes('ada.lovelace@example.com'); await sleep(500)) {
			list = await (await fetchFresh(`http://127.0.0.1:${ports.inbox}/`)).text();
		}
		expect(list).toContain('ada.lovelace@example.com');
		expect(list).toContain(escapeHtml(edited));
		expect(list).not.toContain('alan.turing@example.com');
		// The run has gone on: its links now answer from the log (n8n alone would answer 409 JSON).
		const late = await (await fetchFresh(links[0])).text();
		expect(late).toContain('Already decided');
		expect(late).toContain('by recruiter@example.com');

		const store = await openReviewStore({ backend: 'file', directory: path.join(demoDir, 'n8n', '.n8n', 'hitl') });
		try {
			const decided = (await store.query({ event: 'decided' }, { limit: 100 })).records;
			expect(decided.map((r) => [r.nodeName, r.reviewerId, r.decision]).sort()).toEqual(
				expect.arrayContaining([
					['HITL Gate', 'recruiter@example.com', 'approved_with_edits'],
					['HITL Gate', 'recruiter@example.com', 'rejected'],
				]),
			);
			expect((await store.verify()).ok).toBe(true);
			// The HITL Deadlines example is active: its trigger beats in the demo's embedded store.
			let beats = await store.listDeadlineWorkers();
			for (const deadline = Date.now() + 40_000; Date.now() < deadline && beats.length === 0; await sleep(1000)) beats = await store.listDeadlineWorkers();
			expect(beats.length).toBeGreaterThan(0);
		} finally {
			await store.close();
		}

		process.kill(-(demo.child.pid as number), 'SIGINT');
		const exit = await Promise.race([demo.exited, timeout(30_000, { code: -1, signal: 'still running after 30 s' })]);
		// npm runs the script through sh, which re-raises the Ctrl-C it also got once its child is done:
		// npm then ends "by SIGINT", as with any npm script stopped with Ctrl-C. The demo itself exits 0.
		expect([{ code: 0, signal: null }, { code: null, signal: 'SIGINT' }]).toContainEqual(exit);
		expect(demo.output()).toContain('nothing of the demo is running any more');
		for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
		expect(demoProcesses()).toEqual([]);
	}, 240_000);

	it('refuses a taken port before starting anything, naming the port and how to choose another', async () => {
		const blocker: Server = createServer();
		await new Promise<void>((resolve) => blocker.listen(ports.n8n, '127.0.0.1', () => resolve()));
		try {
			const refused = npmStart();
			const exit = await Promise.race([refused.exited, timeout(60_000, { code: -1, signal: 'still running after 60 s' })]);
			expect(exit.code).toBe(2);
			expect(refused.output()).toContain(`Port ${ports.n8n} (n8n editor and webhooks) is already in use`);
			expect(refused.output()).toContain('HITL_DEMO_PORT=<free port> npm start');
			for (const port of [ports.broker, ports.smtp, ports.inbox]) expect(await listening(port)).toBe(false);
			expect(demoProcesses()).toEqual([]);
		} finally {
			await new Promise<void>((resolve) => blocker.close(() => resolve()));
		}
	});
});

describe('inbox pages', () => {
	const hostile = '"><script>alert(1)</script><img src=x onerror=alert(1)>';
	const mail: CapturedMail = {
		id: '1796170055615-000001',
		receivedAt: '2026-12-02T00:07:35.000Z',
		envelope: { from: 'a@example.com', to: ['b@example.com'] },
		from: `Mallory ${hostile}`,
		to: ['b@example.com'],
		subject: `Subject ${hostile}`,
		text: `See http://127.0.0.1:1/x?a=1&b="2" and javascript:alert(1) ${hostile}`,
		html: `<p onclick="x">Hi</p><script>alert(2)</script>`,
		headers: {},
		raw: '',
	};

	it('escapes every value, shows the HTML part only inside a sandboxed srcdoc, and links only http(s) URLs', () => {
		expect(escapeHtml(`<a href='x'>&"`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
		const page = mailPage(mail, ['http://127.0.0.1:1/ok', 'javascript:alert(1)']);
		expect(page).not.toContain('<script>');
		expect(page).not.toContain('<img');
		expect(page).toContain('srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;p onclick=&quot;x&quot;&gt;Hi&lt;/p&gt;&lt;script&gt;');
		expect(page).not.toContain('href="javascript:');
		expect(linkifiedText(mail.text)).toContain('<a href="http://127.0.0.1:1/x?a=1&amp;b=" target="_blank"');
		expect(linkifiedText(mail.text)).not.toContain('href="javascript');
	});
});
