/**
 * `npm run demo:send`: posts sample candidates to the running demo's Candidate outreach webhook (or, with
 * `--example ats`, sample stage changes to the ATS stage change example) and says what to do next. It reads where the demo listens from the state file `npm start` writes, so
 * ports moved with HITL_DEMO_* variables need no repeating here.
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

const NEXT_STEPS = {
	outreach: (demo: { inboxUrl: string; editorUrl: string }) => [
		`  1. Open the inbox ${demo.inboxUrl} — an "Outreach drafts to review …" mail to ${DEMO_REVIEWER} arrives within seconds.`,
		'  2. Open it and click "Review item 1": the draft email, with the subject and body editable.',
		'  3. Edit if you like, read for a few seconds, then Approve. Open item 2 and Reject it with a reason.',
		'  4. Back in the inbox: the approved email, addressed to the candidate. The rejected one is never sent.',
		`  The run is under Executions in the editor ${demo.editorUrl}; every decision is in the review log.`,
	],
	ats: (demo: { inboxUrl: string; editorUrl: string }) => [
		`  1. Open the inbox ${demo.inboxUrl}: "Rejections and offers to sign off …" mails to hiring-manager@example.com`,
		'     (the rejection the recruiter requested) and recruiter@example.com (the offer the hiring manager requested):',
		'     nobody is asked about their own change. Open each, read for a few seconds, approve.',
		'  2. Then ats-ops@example.com gets one batch page with the two ordinary moves: approve one, reject the other.',
		`  3. Executions in the editor ${demo.editorUrl} shows which changes reached "Sync to ATS (stand-in)".`,
	],
};

function fail(message: string): never {
	process.stderr.write(`[demo:send] ${message}\n`);
	process.exit(1);
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, example: { type: 'string', default: 'outreach' } }, strict: true });
	if (values.help) {
		process.stdout.write(
			'npm run demo:send [-- --example outreach|ats] — posts sample items to the running demo (start it with npm start):\n' +
				'  outreach (default): two candidates to the Candidate outreach example\n' +
				'  ats: four stage changes to the ATS stage change example\n',
		);
		return;
	}
	const example = values.example;
	if (example !== 'outreach' && example !== 'ats') fail(`unknown example "${example}": use --example outreach or --example ats.`);
	const { stateFile } = demoPaths();
	const demo = readState(stateFile).running;
	if (!demo) fail('the demo is not running: start it with `npm start` in another terminal, wait for "ready", then run this again.');
	// The state names the outreach webhook; the other examples listen beside it.
	const url = example === 'ats' ? demo.webhookUrl.replace(/\/[^/]+$/, '/ats-stage-change') : demo.webhookUrl;
	const body = example === 'ats' ? { changes: SAMPLE_STAGE_CHANGES } : { candidates: SAMPLE_CANDIDATES };
	let res;
	try {
		res = await httpCall(url, { body });
	} catch (error) {
		fail(`could not reach the demo's n8n at ${url} (${String(error)}). Is \`npm start\` still running?`);
	}
	if (res.status === 404) fail(`n8n answered 404: the example workflow is not active. Restart \`npm start\`. (${res.text.slice(0, 200)})`);
	if (res.status !== 200) fail(`n8n answered ${res.status}: ${res.text.slice(0, 300)}`);
	const sent =
		example === 'ats'
			? `Sent ${SAMPLE_STAGE_CHANGES.length} stage changes (${SAMPLE_STAGE_CHANGES.map((c) => `${c.candidate} → ${c.toStage}`).join(', ')}) to ${url}.`
			: `Sent ${SAMPLE_CANDIDATES.length} candidates (${SAMPLE_CANDIDATES.map((c) => c.name).join(', ')}) to ${url}.`;
	process.stdout.write([sent, '', 'Next:', ...NEXT_STEPS[example](demo), ''].join('\n'));
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
