/**
 * The server tests' "a person can read it" check (test/harness/pageChecks.ts `technicalTraces`) must
 * catch what n8n itself answers on a finished run — JSON with a stack trace and source paths — and
 * must not flag any of the gate's own message pages, or the browser test proves nothing either way.
 */
import { standardMessage, type StandardMessage } from '../../../nodes/HitlGate/page';
import { technicalTraces } from '../../harness/pageChecks';

/** n8n 2.41.1's answer to a link of a finished execution, as Chromium shows it (see the shared n8n notes). */
const N8N_409 =
	'{"code":409,"message":"The execution \\"1 has finished already.","stacktrace":"ResponseError: The execution \\"1 has finished already.\\n    at WaitingWebhooks.executeWebhook (/usr/lib/node_modules/n8n/src/webhooks/waiting-webhooks.ts:308:10)"}';

const MESSAGES: StandardMessage[] = [
	{ kind: 'recorded', decision: 'approve' },
	{ kind: 'already', reviewer: 'ann@example.com', at: '2026-12-02T08:00:00.000Z' },
	{ kind: 'batch_recorded', approved: 2, rejected: 1 },
	{ kind: 'batch_done' },
	{ kind: 'invalid' },
	{ kind: 'expired' },
	{ kind: 'run_ended' },
	{ kind: 'forbidden' },
	{ kind: 'own_item' },
	{ kind: 'csrf' },
	{ kind: 'error' },
];

describe('technicalTraces: machine output on a page a person reads', () => {
	test("n8n's raw 409 answer is flagged as JSON, a stack trace, an error class and a source path", () => {
		expect(technicalTraces(N8N_409)).toEqual(['JSON object', 'stack trace', 'error class', 'source path']);
		expect(technicalTraces('TypeError: x is undefined\n    at handle (/srv/dist/webhook.js:12:3)')).toEqual(['stack trace', 'error class', 'source path']);
	});

	test.each(MESSAGES.map((m) => [m.kind, m] as const))('the gate\'s "%s" page reads as words', (_kind, message) => {
		const page = standardMessage(message);
		expect(technicalTraces([page.title, page.message, page.detail].join('\n'))).toEqual([]);
	});
});
