/**
 * "Fields to Show" and the gate's time zone in n8n's real engine (built node): the builder's labels,
 * formats and `to[0].email` paths reach the stored payload (and so its MAC) and the page; an editable
 * bracket path is edited under its canonical key; bad entries and zones stop the run with a message
 * saying what to fix; the legacy comma lists keep working beside the new list.
 */
import { IANAZone } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { asGatePayload } from '../../../nodes/HitlGate/types';
import { callWebhook as callGateWebhook, csrfOf, gateLinks, outputsOf, recordsOf, runGate, TIME_ON_PAGE_OFF, useGateEnv, type Answer } from './gateHarness';
import type { WorkflowRunResult } from '../harness';

const env = useGateEnv('hitl-gate-display');
const callWebhook = (result: WorkflowRunResult, link: string, method: 'GET' | 'POST', body: IDataObject = {}): Promise<Answer> =>
	callGateWebhook(env, result, link, method, body);

const DRAFT = {
	reviewers: 'ann@example.com',
	subject: 'Your application',
	to: [{ name: 'Anna', email: 'anna@mail.example' }],
	body: '<p>Dear Anna,</p><p>Thank you for applying.</p>',
};

const FIELDS = {
	field: [
		{ label: 'Recipient', path: 'to[0].email', format: 'auto', editable: true },
		{ label: 'Email to candidate', path: '$json.body', format: 'html', editable: false },
	],
};

const withOptions = (options: IDataObject): IDataObject => ({ options: { ...(TIME_ON_PAGE_OFF.options as IDataObject), ...options } });

async function payloadOf(result: WorkflowRunResult, link: string) {
	const executionId = /\/webhook-waiting\/([^/]+)\//.exec(link)![1];
	const requested = (await recordsOf(env, executionId)).find((r) => r.event === 'requested')!;
	const request = await env.store.getReviewRequest(requested.itemKey as string);
	expect(result.status).toBe('waiting');
	return asGatePayload(request!.payload)!;
}

describe('HITL Gate: Fields to Show and time zone (real n8n engine)', () => {
	test('labels, formats and bracket paths reach the payload and the page; the time zone option is used', async () => {
		const { result, mails } = await runGate(env, [DRAFT], { editableFields: '', displayFields: FIELDS, ...withOptions({ timeZone: 'Asia/Tokyo' }) });
		expect(result.error).toBeUndefined();
		const link = gateLinks(mails[0])[0];
		const payload = await payloadOf(result, link);
		expect(payload.displayFields).toEqual([
			{ label: 'Recipient', path: 'to.0.email', format: 'auto', editable: true },
			{ label: 'Email to candidate', path: 'body', format: 'html', editable: false },
		]);
		expect(payload.shown).toEqual(['to.0.email', 'body']);
		expect(payload.editable).toEqual(['to.0.email']);
		expect(payload.timeZone).toBe('Asia/Tokyo');

		const page = await callWebhook(result, link, 'GET');
		expect(page.status).toBe(200);
		expect(page.body).toContain('<label for="f0-0">Recipient</label>');
		expect(page.body).toContain('<dt>Email to candidate</dt>');
		expect(page.body).toContain('<div class="preview" dir="auto" role="region" tabindex="0" aria-label="Preview of Email to candidate"><p>Dear Anna,</p>');
		expect(page.body).toMatch(/<time datetime="[^"]+">[^<]+ GMT\+9<\/time>/);

		const ok = await callWebhook(result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '', 'edit.to.0.email': 'anna@new.example' });
		expect(outputsOf(ok)[1][0].json.to).toEqual([{ name: 'Anna', email: 'anna@new.example' }]);
	});

	test('without the option the workflow\'s time zone is stored; legacy comma lists still work beside the new list', async () => {
		const { result, mails } = await runGate(env, [DRAFT], { editableFields: 'subject', fieldsShown: 'subject', displayFields: { field: [FIELDS.field[1]] } });
		expect(result.error).toBeUndefined();
		const link = gateLinks(mails[0])[0];
		const payload = await payloadOf(result, link);
		expect(IANAZone.isValidZone(payload.timeZone ?? '')).toBe(true);
		expect(payload.displayFields?.map((f) => [f.label, f.path, f.editable])).toEqual([
			['Email to candidate', 'body', false],
			['subject', 'subject', true],
		]);
		const page = await callWebhook(result, link, 'GET');
		const ok = await callWebhook(result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '', 'edit.subject': 'Changed' });
		expect(outputsOf(ok)[1][0].json.subject).toBe('Changed');
	});

	test.each([
		[{ displayFields: { field: [{ label: 'Bad', path: 'to[x]', format: 'auto', editable: false }] } }, /Field 1 \("Bad"\)/, /to\[0\]\.email/],
		[{ displayFields: { field: [{ label: '', path: '["a.b"]', format: 'auto', editable: true }] } }, /cannot be editable/, /Turn "Editable" off/],
		[withOptions({ timeZone: 'Mars/Olympus' }), /Unknown time zone "Mars\/Olympus"/, /IANA time zone/],
	])('refused before any request: %j', async (params, message, description) => {
		const { result, mails } = await runGate(env, [DRAFT], { editableFields: '', ...params });
		expect(result.error?.message).toMatch(message);
		expect((result.error as unknown as { description: string }).description).toMatch(description);
		expect(mails).toEqual([]);
	});
});
