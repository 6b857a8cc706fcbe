/**
 * Review emails as a recruiter gets them, shared by the email unit tests and the Chromium test: a
 * candidate rejection whose body is HTML, a nested candidate record, the Router's annotation on the
 * item (which must never be shown as data), a long link and an unbroken word (which must wrap on a
 * phone), and a batch of five items.
 */
import type { NotifyEntry } from '../../../nodes/HitlGate/notify/content';
import type { ReviewerMail } from '../../../nodes/HitlGate/notify/email';
import type { GatePayload } from '../../../nodes/HitlGate/types';

export const DEADLINE = new Date('2026-11-26T10:00:00.000Z');
export const WORKFLOW = 'Candidate rejections';
export const LINKS = [
	'https://n8n.acme.example/webhook-waiting/4711/6a7e0c11-0003-4000-8000-000000000003?signature=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08&t=eyJyZXYiOiJyZWNydWl0ZXJAYWNtZS5leGFtcGxlIn0.c2lnbmF0dXJl',
	'https://n8n.acme.example/webhook-waiting/4711/6a7e0c11-0003-4000-8000-000000000003?signature=1b4f0e9851971998e732078544c96b36c3d01cedf7caa332359d6f1d83567014&t=eyJyZXYiOiJyZWNydWl0ZXJAYWNtZS5leGFtcGxlIiwiaSI6MX0.c2ln',
];
export const MESSAGE = 'Please check this rejection before it goes to the candidate.';

export const HTML_BODY =
	'<p>Dear Anna,</p>\n<p>Thank you for your interest in the <b>Senior Backend Engineer</b> role at ACME &amp; Co. ' +
	'After careful review we have decided not to move forward with your application.</p>' +
	'<p>We will keep your details on file for future openings.</p><p>Kind regards,<br>ACME Talent Team</p>';

/** The annotation the Blast Radius Router adds; its keys must not reach the mail as data. */
export const ANNOTATION = {
	tier: 'high',
	reasons: [{ label: 'Goes to a candidate', tier: 'high', source: 'preset' }],
	sampled: false,
	sampling: null,
	routerVersion: '1.0.0',
	evaluatedAt: '2026-11-25T10:00:00.000Z',
};

export function recruiterJson(): Record<string, unknown> {
	return {
		to: 'anna.lindqvist@example.com',
		subject: 'Your application for Senior Backend Engineer',
		body: HTML_BODY,
		candidate: { firstName: 'Anna', lastName: 'Lindqvist', stage: 'rejected', tags: ['backend', 'senior'] },
		confidence: 0.62,
		portfolio: 'https://portfolio.example.com/anna-lindqvist/projects/distributed-systems/consensus-protocols/raft-implementation-notes',
		note: 'Supercalifragilisticexpialidociousandevenlongerunbrokenwordthatmustwraponaphonescreen',
		blastRadius: ANNOTATION,
	};
}

export function payloadOf(overrides: Partial<GatePayload> & Pick<GatePayload, 'items'>): GatePayload {
	return {
		v: 1,
		mode: 'perItem',
		shown: [],
		editable: [],
		requireRejectReason: true,
		message: MESSAGE,
		tier: 'high',
		tierReasons: ['Goes to a candidate', 'Compliance stage: rejected'],
		riskProvenance: 'router',
		blastRadius: ANNOTATION,
		hashClientInfo: true,
		workflowId: 'wf-1',
		workflowName: WORKFLOW,
		nodeName: 'HITL Gate',
		linkKeyId: 'k1',
		...overrides,
	};
}

export function entryOf(url: string, payload: GatePayload): NotifyEntry {
	return { link: { url, itemIndexes: payload.items.map((i) => i.index), requestId: `req-${payload.items[0].index}` }, payload };
}

/** Item 2 of a run (single request) and a batch of five, for one reviewer. */
export function recruiterMail(): ReviewerMail {
	const single = payloadOf({ items: [{ index: 1, json: recruiterJson() }] });
	const batch = payloadOf({
		mode: 'batch',
		shown: ['to', 'subject', 'candidate.firstName'],
		tier: 'medium',
		tierReasons: ['Model confidence below 0.8'],
		items: [2, 3, 4, 5, 6].map((index) => ({ index, json: { ...recruiterJson(), to: `candidate${index}@example.com` } })),
	});
	return { to: 'recruiter@acme.example', subject: 'Review: rejection for Anna', message: MESSAGE, entries: [entryOf(LINKS[0], single), entryOf(LINKS[1], batch)] };
}
