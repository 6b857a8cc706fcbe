/**
 * "Preview changes" on the batch page, in n8n's engine through the built gate. The button posts the
 * whole form and decides nothing — not even when a crafted POST carries Approve all and per-item
 * decisions beside it: no `decided` record, the run still waits, and the page comes back with a "Your
 * changes to item N" word diff above each edited item (and none above the others), every typed text,
 * chosen radio and reason still in place, and the CSRF token of the page first served (the minimum
 * time on page keeps counting from then). Hostile edit text is shown escaped, never as markup; an edit
 * that would be refused is shown under its field. The reviewer then submits the previewed choices.
 */
import type { IDataObject } from 'n8n-workflow';

import { callWebhook, csrfOf, executionIdOf, gateLinks, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type GateEnv } from './gateHarness';

const env: GateEnv = useGateEnv('hitl-batch-preview');
const BATCH = { reviewMode: 'batch', reviewers: 'ann@example.com' };
const ITEMS = [
	{ reviewers: 'x@example.com', subject: 'Offer for Anna', amount: 5 },
	{ reviewers: 'x@example.com', subject: 'Rejection for Ben', amount: 6 },
	{ reviewers: 'x@example.com', subject: 'Reminder for Chiara', amount: 7 },
];

async function openBatch(params: IDataObject = {}) {
	const { result, mails } = await runGate(env, ITEMS, { ...BATCH, ...params });
	const link = gateLinks(mails.find((m) => m.to[0] === 'ann@example.com')!)[0];
	const page = await callWebhook(env, result, link, 'GET');
	expect(page.status).toBe(200);
	return { result, link, page, csrf: csrfOf(page.body) };
}

const decidedRecords = async (link: string) => (await recordsOf(env, executionIdOf(link))).filter((r) => r.event === 'decided');
/** The "Your changes" card of one item (0-based index), or null when the page has none. */
const changesCard = (html: string, index: number): string | null =>
	new RegExp(`<section class="card changes" aria-labelledby="changes${index}-h">[\\s\\S]*?</section>`).exec(html)?.[0] ?? null;

describe('Preview changes on the batch page', () => {
	test('offered on a batch with editable fields; a preview with Approve all and item decisions alongside decides nothing, shows each edited item\'s diff and keeps everything typed', async () => {
		// Approve all is allowed here (the items are unclassified), so a preview that leaked would decide all three.
		const { result, link, page, csrf } = await openBatch({ allowApproveAllHigh: true });
		expect(page.body).toContain('<button type="submit" class="preview-changes" name="preview" value="1">Preview changes</button>');
		expect(page.body).toContain('value="approve_all">Approve all</button>');

		const preview = await callWebhook(env, result, link, 'POST', {
			csrf,
			preview: '1',
			// A crafted POST: the decision buttons' fields beside the preview.
			bulk: 'approve_all',
			comment: 'shared note',
			'decision.0': 'approve',
			'edit.0.subject': 'Offer for Ada',
			'decision.1': 'reject',
			'comment.1': 'Wrong candidate',
			'edit.1.subject': 'Rejection for Ben',
			'edit.2.subject': 'Reminder for Chiara, again',
		});
		expect(await decidedRecords(link)).toEqual([]);
		expect(preview.result.workflowData).toBeUndefined();
		expect(preview.status).toBe(200);
		expect(titleOf(preview.body)).toBe(titleOf(page.body));
		expect(preview.body).toContain('Nothing was decided');

		// A diff per edited item, none for the item whose text is unchanged.
		const first = changesCard(preview.body, 0);
		expect(first).toContain('Your changes to item 1 — nothing is decided yet');
		expect(first).toContain('<del><span class="sr-only">removed: </span>Anna</del><ins><span class="sr-only">added: </span>Ada</ins>');
		expect(changesCard(preview.body, 1)).toBeNull();
		const third = changesCard(preview.body, 2);
		expect(third).toContain('Your changes to item 3 — nothing is decided yet');
		expect(third).toContain('<ins><span class="sr-only">added: </span>, again</ins>');
		expect(third).not.toContain('Anna');
		// Each card sits right above its own item.
		expect(preview.body.indexOf('changes0-h')).toBeLessThan(preview.body.indexOf('<h2 id="item0-h">Item 1</h2>'));
		expect(preview.body.indexOf('changes2-h')).toBeGreaterThan(preview.body.indexOf('<h2 id="item1-h">Item 2</h2>'));

		// Typed texts, chosen radios and reasons kept; the page keeps the time it was first served.
		expect(preview.body).toContain('Offer for Ada</textarea>');
		expect(preview.body).toContain('Reminder for Chiara, again</textarea>');
		expect(preview.body).toContain('name="decision.0" value="approve" checked');
		expect(preview.body).toContain('name="decision.1" value="reject" checked');
		expect(preview.body).toContain('Wrong candidate</textarea>');
		expect(preview.body).toContain('shared note</textarea>');
		expect(csrfOf(preview.body)).toBe(csrf);

		// Another crafted POST, with "Submit decisions" as the pressed button: still nothing decided.
		const selected = await callWebhook(env, result, link, 'POST', { csrf, preview: '1', bulk: 'selected', 'decision.0': 'approve', 'decision.1': 'reject', 'comment.1': 'no' });
		expect(await decidedRecords(link)).toEqual([]);
		expect(selected.result.workflowData).toBeUndefined();
		expect(selected.status).toBe(200);
		expect(selected.body).toContain('You have not changed anything yet.');

		// The reviewer submits what they previewed: item 1 approved as edited, item 2 rejected, item 3 left.
		const submitted = await callWebhook(env, result, link, 'POST', {
			csrf: csrfOf(preview.body),
			bulk: 'selected',
			comment: '',
			'decision.0': 'approve',
			'edit.0.subject': 'Offer for Ada',
			'decision.1': 'reject',
			'comment.1': 'Wrong candidate',
			'decision.2': 'undecided',
		});
		expect(submitted.body).toContain('Recorded: item 1 approved, item 2 rejected.');
		expect((await decidedRecords(link)).map((r) => [r.decision, r.comment])).toEqual([
			['approved_with_edits', null],
			['rejected', 'Wrong candidate'],
		]);
		const last = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(submitted.body), bulk: 'selected', 'decision.2': 'approve' });
		expect(titleOf(last.body)).toBe('Decision recorded');
		const [, approved] = outputsOf(last);
		expect(approved.map((i) => i.json.subject)).toEqual(['Offer for Ada', 'Reminder for Chiara']);
	});

	test('hostile edit text is shown escaped in the diff and in its box, never as markup', async () => {
		const { result, link, csrf } = await openBatch();
		const hostile = 'Hi</textarea><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>';
		const preview = await callWebhook(env, result, link, 'POST', { csrf, preview: '1', 'edit.1.subject': hostile });
		expect(preview.status).toBe(200);
		expect(preview.result.workflowData).toBeUndefined();
		expect(preview.body).not.toContain('<script>');
		expect(preview.body).not.toContain('<img');
		expect(preview.body).not.toContain('href="javascript:');
		// Only the page's own boxes close a textarea (three subjects, three reasons, the shared comment).
		expect(preview.body.match(/<\/textarea>/g)).toHaveLength(7);
		const card = changesCard(preview.body, 1);
		expect(card).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(card).toContain('onerror=alert(2)&gt;&lt;a href=&quot;javascript:alert(3)&quot;&gt;x&lt;/a&gt;');
		// The box holds the whole text, escaped: what was typed comes back as typed.
		expect(preview.body).toContain(`Hi&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&lt;a href=&quot;javascript:alert(3)&quot;&gt;x&lt;/a&gt;</textarea>`);
		expect(await decidedRecords(link)).toEqual([]);
	});

	test('an edit that would be refused is shown under its field on the preview; nothing is decided', async () => {
		const { result, link, csrf } = await openBatch({ editableFields: 'subject, amount' });
		const preview = await callWebhook(env, result, link, 'POST', { csrf, preview: '1', bulk: 'approve_all', 'decision.1': 'approve', 'edit.1.amount': 'five', 'edit.0.amount': '8' });
		expect(preview.status).toBe(200);
		expect(preview.result.workflowData).toBeUndefined();
		expect(preview.body).toContain('Some edits could not be applied as typed');
		// The refused box is marked and its message tied to it, inside item 2's card.
		const box = /<textarea id="(f1-\d+)" name="edit\.1\.amount"[^>]*>/.exec(preview.body);
		expect(box?.[0]).toContain('aria-invalid="true"');
		expect(box?.[0]).toContain(`aria-describedby="${box![1]}-error"`);
		expect(preview.body).toMatch(new RegExp(`<p class="warn" id="${box![1]}-error">[^<]+</p>`));
		expect(preview.body).toContain('five</textarea>');
		// The valid edit of item 1 is previewed, with no error of its own.
		expect(changesCard(preview.body, 0)).toContain('<ins><span class="sr-only">added: </span>8</ins>');
		expect(/<textarea id="f0-\d+" name="edit\.0\.amount"[^>]*>/.exec(preview.body)?.[0]).not.toContain('aria-invalid');
		expect(await decidedRecords(link)).toEqual([]);
	});

	test('a preview field other than the button\'s "1" is refused and decides nothing', async () => {
		const { result, link, csrf } = await openBatch();
		const answer = await callWebhook(env, result, link, 'POST', { csrf, preview: 'yes', bulk: 'approve_all' });
		expect(answer.status).toBe(400);
		expect(answer.result.workflowData).toBeUndefined();
		expect(await decidedRecords(link)).toEqual([]);
	});
});
