/**
 * The batch page's markup (page/batchPage.ts), parse-level: per item a fieldset with a legend and three
 * labelled radio buttons named `decision.<itemIndex>`, its reason box `comment.<itemIndex>`, its edit
 * boxes `edit.<itemIndex>.<path>`; an item's error tied to its choice and box; Approve all only when
 * offered; no script, everything from the draft escaped.
 */
import { renderBatchPage } from '../../../nodes/HitlGate/page';
import { recruiterBatchPageView } from './recruiterDraft';

describe('renderBatchPage', () => {
	const html = renderBatchPage(recruiterBatchPageView());

	test('a fieldset with a legend and three labelled choices per open item, named by the item\'s index', () => {
		expect(html.match(/<fieldset class="choice"/g)).toHaveLength(3);
		for (const i of [1, 2, 3]) {
			expect(html).toContain(`<legend>Your decision on item ${i + 1}</legend>`);
			for (const value of ['approve', 'reject', 'undecided']) expect(html).toMatch(new RegExp(`<label class="option option-${value}"><input type="radio" name="decision\\.${i}" value="${value}"`));
			expect(html).toContain(`<textarea id="comment-${i}" name="comment.${i}"`);
			expect(html).toContain(`name="edit.${i}.subject"`);
		}
		// Nothing decided is pre-selected as a decision: an untouched item is left undecided.
		expect(html.match(/value="undecided" checked/g)).toHaveLength(2);
		expect(html).toContain('name="decision.3" value="reject" checked');
	});

	test('an item\'s error is tied to its choice and its reason box', () => {
		expect(html).toContain('<fieldset class="choice" aria-describedby="item3-error">');
		expect(html).toMatch(/<textarea id="comment-3" name="comment\.3" dir="auto" class="short" aria-describedby="item3-error" aria-invalid="true">/);
		expect(html).toContain('<p class="warn" id="item3-error">Give a reason for rejecting item 4');
		expect(html).not.toContain('aria-describedby="item1-error"');
	});

	test('the page-wide buttons, Approve all only when offered, and the items already decided', () => {
		expect(html).toContain('<button type="submit" class="submit" name="bulk" value="selected">Submit decisions</button>');
		expect(html).toContain('value="reject_all"');
		expect(html).not.toContain('value="approve_all"');
		expect(html).toContain('Approve all is not available: Items 2 and 4 are High risk');
		expect(html).toContain('Item 1: approved by ben@acme.example');
		expect(html).not.toContain('name="decision.0"');
		expect(renderBatchPage(recruiterBatchPageView({ approveAllOffered: true, approveAllNote: undefined }))).toContain('<button type="submit" class="approve" name="bulk" value="approve_all">Approve all</button>');
		// The first submit buttons are the no-ops that keep Enter from deciding.
		const firstButtons = html.match(/<button[^>]*>/g)!.slice(0, 2);
		expect(firstButtons).toEqual(['<button type="submit" name="bulk" value="" disabled hidden aria-hidden="true" tabindex="-1">', '<button type="submit" name="bulk" value="" hidden aria-hidden="true" tabindex="-1">']);
		expect(html).not.toMatch(/name="decision" /);
	});

	test('no script; text from the draft and the workflow is escaped', () => {
		const hostile = renderBatchPage(recruiterBatchPageView({
			title: '<script>alert(1)</script>',
			message: '"><img src=x onerror=alert(2)>',
			settled: [{ itemIndex: 0, text: 'approved by <b>x</b>' }],
			items: recruiterBatchPageView().items.map((i) => ({ ...i, tierReasons: ['<iframe src=//evil>'], comment: '</textarea><script>alert(3)</script>' })),
		}));
		expect(hostile).not.toMatch(/<script|<img|<iframe|<b>x/i);
		expect(hostile).toContain('&lt;/textarea&gt;&lt;script&gt;');
	});
});
