/**
 * A run's mails share their entry summaries (notify/email.ts SummaryCache): each reviewer's mail must
 * still read exactly as if it had been rendered on its own — their own links, the same entries.
 */
import { renderReviewEmail, type ReviewerMail, type SummaryCache } from '../../../nodes/HitlGate/notify/email';
import { DEADLINE, entryOf, recruiterMail, WORKFLOW } from './emailFixtures';

/** The same entries for a second reviewer, with their own links. */
function otherReviewer(mail: ReviewerMail): ReviewerMail {
	return {
		...mail,
		to: 'second@acme.example',
		alsoAsked: ['recruiter@acme.example'],
		entries: mail.entries.map((e, i) => entryOf(`https://n8n.acme.example/webhook-waiting/4711/x?t=second-${i}`, e.payload)),
	};
}

test('mails rendered with a shared summary cache equal mails rendered alone, each with its own links', () => {
	const first = recruiterMail();
	const second = otherReviewer(first);
	const cache: SummaryCache = new Map();
	const shared = [first, second].map((m) => renderReviewEmail(m, DEADLINE, WORKFLOW, cache));
	const alone = [first, second].map((m) => renderReviewEmail(m, DEADLINE, WORKFLOW));
	expect(shared).toEqual(alone);
	expect(shared[1].html).toContain('second-0');
	expect(shared[1].html).not.toContain(first.entries[0].link.url.replace(/&/g, '&amp;'));
	// One summary per payload and item set, reused by the second mail.
	expect([...cache.values()].reduce((n, m) => n + m.size, 0)).toBe(first.entries.length);
});
