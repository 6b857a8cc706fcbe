/**
 * "Preview changes" in n8n's engine: a POST from the Preview button re-renders the page with the edits
 * against the draft and the typed texts kept, decides nothing (no `decided` record, the run still
 * waits) — even when a decision field came along — and the reviewer then approves the same edits.
 */
import { callWebhook, csrfOf, executionIdOf, gateLinks, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type GateEnv } from './gateHarness';

describe('Preview changes on the review page', () => {
	const env: GateEnv = useGateEnv('hitl-preview');

	test('shows the word diff, keeps what was typed, never decides; the reviewer then approves the edit', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'Dear Anna, thanks for applying' }]);
		const link = gateLinks(mails[0])[0];
		const page = await callWebhook(env, result, link, 'GET');
		const csrf = csrfOf(page.body);
		expect(page.body).toContain('name="preview" value="1"');

		const edit = { 'edit.subject': 'Dear Ada, many thanks for applying' };
		const preview = await callWebhook(env, result, link, 'POST', { csrf, preview: '1', comment: 'draft note', ...edit });
		expect(preview.status).toBe(200);
		expect(preview.body).toContain('Your changes — nothing is decided yet');
		expect(preview.body).toContain('<del><span class="sr-only">removed: </span>Anna</del><ins><span class="sr-only">added: </span>Ada</ins>');
		// What was typed stays in the boxes.
		expect(preview.body).toContain('Dear Ada, many thanks for applying</textarea>');
		expect(preview.body).toContain('draft note</textarea>');
		expect(preview.result.workflowData).toBeUndefined();

		// A crafted POST carrying both a decision and preview decides nothing either.
		const both = await callWebhook(env, result, link, 'POST', { csrf, preview: '1', decision: 'approve', comment: '', ...edit });
		expect(both.body).toContain('Your changes — nothing is decided yet');
		expect(both.result.workflowData).toBeUndefined();
		const before = await recordsOf(env, executionIdOf(link));
		expect(before.filter((r) => r.event === 'decided')).toEqual([]);

		const decided = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(preview.body), decision: 'approve', comment: '', ...edit });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		const [, approved] = outputsOf(decided);
		expect(approved[0].json).toMatchObject({ subject: 'Dear Ada, many thanks for applying', hitl: { decision: 'approved_with_edits' } });
	});

	test('an edit that would be refused is shown under its field on the preview, and nothing is decided', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'Hello', amount: 5 }], { editableFields: 'subject, amount' });
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const preview = await callWebhook(env, result, link, 'POST', { csrf, preview: '1', 'edit.subject': 'Hello', 'edit.amount': 'five' });
		expect(preview.status).toBe(200);
		expect(preview.body).toMatch(/aria-invalid="true"/);
		expect(preview.result.workflowData).toBeUndefined();
		expect((await recordsOf(env, executionIdOf(link))).filter((r) => r.event === 'decided')).toEqual([]);
	});
});
