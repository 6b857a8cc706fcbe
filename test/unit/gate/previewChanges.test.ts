/**
 * "Preview changes" on the review page: the strict form accepts the button's one value, the word diff
 * marks exactly what changed and stays escaped (drafts and edits are model output and reviewer input),
 * long texts fall back to both versions in full, and the button appears only where something is
 * editable. The POST path (never a decision) is tested in test/workflow/gate/previewChanges.workflow.test.ts.
 */
import { changesHtml, MAX_DIFF_CHARS, parseDecisionForm, renderReviewPage } from '../../../nodes/HitlGate/page';
import type { ReviewPageView } from '../../../nodes/HitlGate/page';

const view = (editable: boolean): ReviewPageView => ({
	title: 'Review',
	reviewer: 'ann@example.com',
	tier: 'high',
	tierReasons: ['Goes to a candidate'],
	expiresAt: '2026-12-03T10:00:00.000Z',
	items: [{ fields: [editable ? { mode: 'edit', name: 'subject', label: 'Subject', text: 'Hello', kind: 'text' } : { mode: 'read', label: 'Subject', value: 'Hello' }] }],
	csrf: 'token',
	requireRejectReason: true,
});

describe('the form', () => {
	it('accepts preview=1 and nothing else for the button', () => {
		expect(parseDecisionForm('csrf=t&preview=1&edit.subject=x')).toMatchObject({ ok: true, form: { preview: true, decision: null, edits: { subject: 'x' } } });
		expect(parseDecisionForm('csrf=t&decision=approve')).toMatchObject({ ok: true, form: { decision: 'approve' } });
		expect((parseDecisionForm('csrf=t&decision=approve') as { form: { preview?: boolean } }).form.preview).toBeUndefined();
		expect(parseDecisionForm('csrf=t&preview=yes')).toMatchObject({ ok: false, reason: 'unknown_field', field: 'preview' });
		expect(parseDecisionForm('csrf=t&preview=1&preview=1')).toMatchObject({ ok: false, reason: 'duplicate_field' });
	});
});

describe('the changes card', () => {
	it('strikes removed words and marks added ones, in order, with text for screen readers', () => {
		const html = changesHtml([{ label: 'Subject', before: 'Dear Anna, thanks', after: 'Dear Ada, many thanks' }]);
		expect(html).toContain('Your changes — nothing is decided yet');
		expect(html).toContain('Dear <del><span class="sr-only">removed: </span>Anna</del><ins><span class="sr-only">added: </span>Ada</ins>, <ins><span class="sr-only">added: </span>many </ins>thanks');
	});
	it('escapes both sides: hostile text stays text', () => {
		const html = changesHtml([{ label: '<b>L</b>', before: '<p>old</p>', after: '<script>alert(1)</script><img src=x onerror=alert(1)>' }]);
		expect(html).not.toMatch(/<script|<img|<p>|<b>/);
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(html).toContain('&lt;b&gt;L&lt;/b&gt;');
	});
	it('says when nothing changed, and shows long texts in full instead of word by word', () => {
		expect(changesHtml([])).toContain('You have not changed anything yet.');
		expect(changesHtml(undefined)).toBe('');
		const long = 'word '.repeat(MAX_DIFF_CHARS / 5);
		const html = changesHtml([{ label: 'Body', before: long, after: `${long}end` }]);
		expect(html).toContain('Too long to compare word by word');
		expect(html).not.toContain('<ins>');
	});
});

describe('the button', () => {
	it('is offered only when a field can be edited, and is not the form\'s first (Enter) button', () => {
		const editable = renderReviewPage(view(true));
		expect(editable).toContain('<button type="submit" class="preview-changes" name="preview" value="1">Preview changes</button>');
		expect(editable.indexOf('name="preview"')).toBeGreaterThan(editable.indexOf('value="approve"'));
		expect(renderReviewPage(view(false))).not.toContain('name="preview"');
		expect(renderReviewPage({ ...view(true), changes: [{ label: 'Subject', before: 'Hello', after: 'Hi' }] })).toContain('id="changes-h"');
	});
});
