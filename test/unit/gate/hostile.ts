/** Hostile drafts shared by the page tests: model output that tries to become markup or to mislead. */
import type { ReviewPageView } from '../../../nodes/HitlGate/page';
import { buildItemView } from '../../../nodes/HitlGate/page';

export const HOSTILE_STRINGS: string[] = [
	'<script>window.__pwned = 1; alert(1)</script>',
	'"><img src=x onerror="window.__pwned=2">',
	"'><svg onload=window.__pwned=3>",
	'</textarea><script>window.__pwned=4</script><textarea>',
	'</pre></dd></dl></section></form><form method="post" action="https://evil.example/"><button name="decision" value="approve">OK</button>',
	'javascript:window.__pwned=5',
	'<a href="javascript:window.__pwned=6">click</a>',
	'<meta http-equiv="refresh" content="0;url=https://evil.example/">',
	'<base href="https://evil.example/">',
	'<style>body{display:none}</style>',
	'<iframe src="https://evil.example/"></iframe>',
	'<!-- comment --><![CDATA[ x ]]>',
	'Pay \u202Egnp.exe\u202C now', // RTL override: displays reversed
	'NUL\u0000byte',
	'zero\u200Bwidth and \uFEFFBOM and tag \u{E0041}\u{E0042}',
	'&lt;already escaped&gt; &amp; &#60;script&#62;',
	'`backtick` ${template}',
	'\nleading newline kept',
	'{{ $json.secret }} and {{7*7}}',
];

export const HOSTILE_DRAFT: Record<string, unknown> = {
	subject: HOSTILE_STRINGS[0],
	body: HOSTILE_STRINGS.join('\n'),
	attr: HOSTILE_STRINGS[1],
	breakout: HOSTILE_STRINGS[3],
	formInjection: HOSTILE_STRINGS[4],
	link: HOSTILE_STRINGS[5],
	rtl: HOSTILE_STRINGS[12],
	nul: HOSTILE_STRINGS[13],
	leading: HOSTILE_STRINGS[17],
	nested: { html: HOSTILE_STRINGS[2], list: [HOSTILE_STRINGS[6], HOSTILE_STRINGS[7]] },
	amount: 1200,
	'<b>key</b>': 'hostile key name',
};

/** Fields the reviewer may edit in the hostile view (strings and a non-string). */
export const HOSTILE_EDITABLE = ['subject', 'body', 'breakout', 'leading', 'nested.html', 'amount'];

export function hostileView(overrides: Partial<ReviewPageView> = {}): ReviewPageView {
	return {
		title: '<script>window.__pwned=7</script>Offer workflow',
		message: 'Check the offer. <img src=x onerror=window.__pwned=8>',
		reviewer: 'alice@example.com',
		tier: 'high',
		tierReasons: ['amount > 1000', '<script>window.__pwned=9</script>'],
		requestedAt: '2026-11-25T10:00:00.000Z',
		expiresAt: '2026-11-26T10:00:00.000Z',
		draftSha256: 'ab'.repeat(32),
		items: [buildItemView({ json: HOSTILE_DRAFT, shown: [], editable: HOSTILE_EDITABLE })],
		csrf: 'csrf-token-value_123',
		requireRejectReason: true,
		...overrides,
	};
}
