/**
 * `npm run demo:send`: posts sample items to one of the running demo's example webhooks (candidates to
 * Candidate outreach by default; `--example ats|bonus|sampling` for the others) and says what to click
 * next. It reads where the demo listens from the state file `npm start` writes, so ports moved with
 * HITL_DEMO_* variables need no repeating here.
 */
import { parseArgs } from 'node:util';

import { httpCall } from '../../test/harness/http';
import { DEMO_REVIEWER, demoPaths, readState } from './config';

/** Two candidates: one to approve (perhaps after an edit), one to reject with a reason. */
export const SAMPLE_CANDIDATES = [
	{ name: 'Ada Lovelace', email: 'ada.lovelace@example.com', role: 'Staff Engineer', company: 'ACME', highlight: 'the notes on the Analytical Engine' },
	{ name: 'Alan Turing', email: 'alan.turing@example.com', role: 'Research Scientist', company: 'ACME', highlight: 'computable numbers' },
];

/** Four stage changes: each High one requested by one of the two sign-off reviewers, two ordinary moves. */
export const SAMPLE_STAGE_CHANGES = [
	{ candidate: 'Grace Hopper', email: 'grace.hopper@example.com', fromStage: 'onsite', toStage: 'rejected', requestedBy: 'recruiter@example.com', note: 'Thank you for your time.' },
	{ candidate: 'Ken Thompson', email: 'ken.thompson@example.com', fromStage: 'onsite', toStage: 'offer', requestedBy: 'hiring-manager@example.com', note: '' },
	{ candidate: 'Linus Torvalds', email: 'linus.torvalds@example.com', fromStage: 'applied', toStage: 'phone screen', requestedBy: 'recruiter@example.com', note: '' },
	{ candidate: 'Barbara Liskov', email: 'barbara.liskov@example.com', fromStage: 'phone screen', toStage: 'onsite', requestedBy: 'recruiter@example.com', note: '' },
];

/** A bonus of 2,500 (two approvals with codes) requested by the finance lead, and one of 300 (not paid here). */
export const SAMPLE_BONUSES = [
	{ employee: 'Maya Patel', email: 'maya.patel@example.com', amount: 2500, currency: 'EUR', reason: 'Closed three senior hires this quarter', requestedBy: 'finance-lead@example.com' },
	{ employee: 'Ola Nordmann', email: 'ola.nordmann@example.com', amount: 300, currency: 'EUR', reason: 'Referral bonus', requestedBy: 'finance-lead@example.com' },
];

/** Six internal notes: the Router samples about half of them for a review that does not block. */
export const SAMPLE_NOTES = ['design', 'sales', 'support', 'finance', 'people', 'platform'].map((team) => ({
	to: `${team}-team@example.com`,
	subject: 'Standup moves to 10:00 tomorrow',
	body: `Hi ${team} team, tomorrow's standup is at 10:00 instead of 09:30.`,
	audience: 'internal',
}));

interface Demo {
	inboxUrl: string;
	editorUrl: string;
}

interface ExampleSend {
	path: string;
	body: unknown;
	sent: string;
	next: (demo: Demo) => string[];
}

/** What `--example NAME` posts, where, and what to click next. */
const EXAMPLES: Record<string, ExampleSend> = {
	outreach: {
		path: 'candidate-outreach',
		body: { candidates: SAMPLE_CANDIDATES },
		sent: `${SAMPLE_CANDIDATES.length} candidates (${SAMPLE_CANDIDATES.map((c) => c.name).join(', ')})`,
		next: (demo) => [
			`  1. Open the inbox ${demo.inboxUrl} — an "Outreach drafts to review …" mail to ${DEMO_REVIEWER} arrives within seconds.`,
			'  2. Open it and click "Review item 1": the draft email, with the subject and body editable.',
			'  3. Edit if you like, read for a few seconds, then Approve. Open item 2 and Reject it with a reason.',
			'  4. Back in the inbox: the approved email, addressed to the candidate. The rejected one is never sent.',
			`  The run is under Executions in the editor ${demo.editorUrl}; every decision is in the review log.`,
		],
	},
	ats: {
		path: 'ats-stage-change',
		body: { changes: SAMPLE_STAGE_CHANGES },
		sent: `${SAMPLE_STAGE_CHANGES.length} stage changes (${SAMPLE_STAGE_CHANGES.map((c) => `${c.candidate} → ${c.toStage}`).join(', ')})`,
		next: (demo) => [
			`  1. Open the inbox ${demo.inboxUrl}: "Rejections and offers to sign off …" mails to hiring-manager@example.com`,
			'     (the rejection the recruiter requested) and recruiter@example.com (the offer the hiring manager requested):',
			'     nobody is asked about their own change. Open each, read for a few seconds, approve.',
			'  2. Then ats-ops@example.com gets one batch page with the two ordinary moves: approve one, reject the other.',
			`  3. Executions in the editor ${demo.editorUrl} shows which changes reached "Sync to ATS (stand-in)".`,
		],
	},
	bonus: {
		path: 'bonus-payment',
		body: { bonuses: SAMPLE_BONUSES },
		sent: `${SAMPLE_BONUSES.length} bonuses (${SAMPLE_BONUSES.map((b) => `${b.employee} ${b.amount} ${b.currency}`).join(', ')})`,
		next: (demo) => [
			`  1. Open the inbox ${demo.inboxUrl}: cfo@example.com and hr-director@example.com each get a review mail`,
			'     (finance-lead@example.com asked for the bonus, so gets none).',
			'  2. On each page press "Email me a code", type the code from the second mail, wait a few seconds, Approve.',
			`  3. After the second approval Executions in the editor ${demo.editorUrl} shows "Pay bonus (stand-in)" ran once.`,
		],
	},
	sampling: {
		path: 'low-risk-sampling',
		body: { messages: SAMPLE_NOTES },
		sent: `${SAMPLE_NOTES.length} internal notes`,
		next: (demo) => [
			`  1. Executions in the editor ${demo.editorUrl}: the run finished at once, every note reached "Deliver";`,
			'     each sampled note started a "Sample review" run that waits.',
			`  2. In the inbox ${demo.inboxUrl}, qa-reviewer@example.com has one mail per sample: approve one (looks fine),`,
			'     reject another with a reason (problem). Review Log Metrics shows sampled, sampledUnreviewed and skipRate.',
		],
	},
};

function fail(message: string): never {
	process.stderr.write(`[demo:send] ${message}\n`);
	process.exit(1);
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, example: { type: 'string', default: 'outreach' } }, strict: true });
	const names = Object.keys(EXAMPLES);
	if (values.help) {
		process.stdout.write(
			`npm run demo:send [-- --example ${names.join('|')}] — posts sample items to the running demo (start it with npm start):\n` +
				names.map((name) => `  ${name}${name === 'outreach' ? ' (default)' : ''}: ${EXAMPLES[name].sent} to /webhook/${EXAMPLES[name].path}`).join('\n') +
				'\n',
		);
		return;
	}
	const example = EXAMPLES[values.example];
	if (!example) fail(`unknown example "${values.example}": use --example ${names.join(', --example ')}.`);
	const { stateFile } = demoPaths();
	const demo = readState(stateFile).running;
	if (!demo) fail('the demo is not running: start it with `npm start` in another terminal, wait for "ready", then run this again.');
	// The state names the first example's webhook; the others listen beside it.
	const url = demo.webhookUrl.replace(/\/[^/]+$/, `/${example.path}`);
	let res;
	try {
		res = await httpCall(url, { body: example.body });
	} catch (error) {
		fail(`could not reach the demo's n8n at ${url} (${String(error)}). Is \`npm start\` still running?`);
	}
	if (res.status === 404) fail(`n8n answered 404: the example workflow is not active. Restart \`npm start\`. (${res.text.slice(0, 200)})`);
	if (res.status !== 200) fail(`n8n answered ${res.status}: ${res.text.slice(0, 300)}`);
	process.stdout.write([`Sent ${example.sent} to ${url}.`, '', 'Next:', ...example.next(demo), ''].join('\n'));
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
