/**
 * `npm run demo:send`: posts sample candidates to the running demo's Candidate outreach webhook and
 * says what to do next. It reads where the demo listens from the state file `npm start` writes, so
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

function fail(message: string): never {
	process.stderr.write(`[demo:send] ${message}\n`);
	process.exit(1);
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: true });
	if (values.help) {
		process.stdout.write('npm run demo:send — posts two sample candidates to the running demo (start it with npm start).\n');
		return;
	}
	const { stateFile } = demoPaths();
	const demo = readState(stateFile).running;
	if (!demo) fail('the demo is not running: start it with `npm start` in another terminal, wait for "ready", then run this again.');
	let res;
	try {
		res = await httpCall(demo.webhookUrl, { body: { candidates: SAMPLE_CANDIDATES } });
	} catch (error) {
		fail(`could not reach the demo's n8n at ${demo.webhookUrl} (${String(error)}). Is \`npm start\` still running?`);
	}
	if (res.status === 404) fail(`n8n answered 404: the example workflow is not active. Restart \`npm start\`. (${res.text.slice(0, 200)})`);
	if (res.status !== 200) fail(`n8n answered ${res.status}: ${res.text.slice(0, 300)}`);
	process.stdout.write(
		[
			`Sent ${SAMPLE_CANDIDATES.length} candidates (${SAMPLE_CANDIDATES.map((c) => c.name).join(', ')}) to ${demo.webhookUrl}.`,
			'',
			'Next:',
			`  1. Open the inbox ${demo.inboxUrl} — an "Outreach drafts to review …" mail to ${DEMO_REVIEWER} arrives within seconds.`,
			'  2. Open it and click "Review item 1": the draft email, with the subject and body editable.',
			'  3. Edit if you like, read for a few seconds, then Approve. Open item 2 and Reject it with a reason.',
			'  4. Back in the inbox: the approved email, addressed to the candidate. The rejected one is never sent.',
			`  The run is under Executions in the editor ${demo.editorUrl}; every decision is in the review log.`,
			'',
		].join('\n'),
	);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
