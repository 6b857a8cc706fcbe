/**
 * A gate run's deadline plan (core/deadline/plan.ts): reminder times, who may decide at a time
 * (escalation backups only once their level is reached), who a level adds, the events scheduled for
 * the deadline worker, and the gate's waiting-webhook URL.
 */
import {
	MAX_ESCALATION_LEVELS,
	MAX_REMINDERS,
	addedAt,
	deadlineEvents,
	gateWebhookUrl,
	reminderTimes,
	reviewersAt,
	type DeadlinePlan,
	type GroupTarget,
} from '../../../core/deadline/plan';
import type { DeadlineEvent } from '../../../core/store/types';

const H = 3600_000;
const START = new Date('2026-12-01T08:00:00.000Z');
const at = (ms: number) => new Date(START.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();

function plan(over: Partial<DeadlinePlan> = {}): DeadlinePlan {
	return {
		v: 1,
		deadline: iso(48 * H),
		deadlineText: '2 days',
		rejectOnTimeout: false,
		reminders: [iso(8 * H), iso(16 * H)],
		escalation: [
			{ level: 1, at: iso(24 * H), reviewers: ['bob@example.com', 'ann@example.com'] },
			{ level: 2, at: iso(36 * H), reviewers: ['cat@example.com', 'bob@example.com', 'dan@example.com'] },
		],
		...over,
	};
}

const GROUP: GroupTarget = {
	groupId: 'grp-1',
	executionId: '4711',
	nodeId: 'node-1',
	target: 'https://n8n.example.com/webhook-waiting/4711/node-1?signature=abc',
};

describe('reminderTimes', () => {
	it('is every interval after the start, as many as asked', () => {
		expect(reminderTimes(START, H, 3, at(100 * H))).toEqual([at(H), at(2 * H), at(3 * H)]);
		expect(reminderTimes(START, 90_000, 1, null)).toEqual([at(90_000)]);
	});

	it('caps the count at MAX_REMINDERS (20), with or without a deadline', () => {
		expect(MAX_REMINDERS).toBe(20);
		const many = reminderTimes(START, 1000, 1000, null);
		expect(many).toHaveLength(MAX_REMINDERS);
		expect(many[0]).toEqual(at(1000));
		expect(many[MAX_REMINDERS - 1]).toEqual(at(MAX_REMINDERS * 1000));
		expect(reminderTimes(START, 1000, 21, at(H))).toHaveLength(20);
		expect(reminderTimes(START, 1000, 20, null)).toHaveLength(20);
		expect(reminderTimes(START, 1000, 19, null)).toHaveLength(19);
	});

	it('stops before the deadline: none at or after it', () => {
		expect(reminderTimes(START, H, 10, at(3 * H))).toEqual([at(H), at(2 * H)]);
		expect(reminderTimes(START, H, 10, at(3 * H + 1))).toEqual([at(H), at(2 * H), at(3 * H)]);
		expect(reminderTimes(START, H, 10, at(H))).toEqual([]);
		expect(reminderTimes(START, H, 10, at(H - 1))).toEqual([]);
		expect(reminderTimes(START, H, 10, at(-H))).toEqual([]);
	});

	it('is empty when the interval or the count is zero, negative or not a number', () => {
		for (const [every, count] of [
			[0, 5],
			[H, 0],
			[-H, 5],
			[H, -1],
			[NaN, 5],
			[H, NaN],
			[0, 0],
		]) {
			expect([every, count, reminderTimes(START, every, count, null)]).toEqual([every, count, []]);
		}
	});

	it('without a deadline runs up to the count', () => {
		expect(reminderTimes(START, 24 * H, 5, null)).toEqual([at(24 * H), at(48 * H), at(72 * H), at(96 * H), at(120 * H)]);
	});

	it('returns fresh Date objects, not the start', () => {
		const out = reminderTimes(START, 1, 1, null);
		expect(out[0]).not.toBe(START);
		expect(START.toISOString()).toBe('2026-12-01T08:00:00.000Z');
	});
});

describe('reviewersAt', () => {
	const reviewers = ['ann@example.com'];

	it('is only the reviewers before the first level, and with no plan or no escalation', () => {
		expect(reviewersAt(reviewers, plan(), at(24 * H - 1))).toEqual(['ann@example.com']);
		expect(reviewersAt(reviewers, null, at(1000 * H))).toEqual(['ann@example.com']);
		expect(reviewersAt(reviewers, undefined, at(1000 * H))).toEqual(['ann@example.com']);
		expect(reviewersAt(reviewers, plan({ escalation: [] }), at(1000 * H))).toEqual(['ann@example.com']);
	});

	it('adds a level exactly at its time, not a millisecond before', () => {
		expect(reviewersAt(reviewers, plan(), at(24 * H))).toEqual(['ann@example.com', 'bob@example.com']);
		expect(reviewersAt(reviewers, plan(), at(36 * H - 1))).toEqual(['ann@example.com', 'bob@example.com']);
		expect(reviewersAt(reviewers, plan(), at(36 * H))).toEqual(['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com']);
		expect(reviewersAt(reviewers, plan(), at(1000 * H))).toEqual(['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com']);
	});

	it('lists nobody twice, even when a level repeats a reviewer or an earlier backup', () => {
		const p = plan({ escalation: [{ level: 1, at: iso(H), reviewers: ['bob@example.com', 'bob@example.com', 'ann@example.com'] }] });
		expect(reviewersAt(reviewers, p, at(2 * H))).toEqual(['ann@example.com', 'bob@example.com']);
	});

	it('considers every level by its own time, whatever their order in the plan', () => {
		const p = plan({
			escalation: [
				{ level: 2, at: iso(2 * H), reviewers: ['cat@example.com'] },
				{ level: 1, at: iso(H), reviewers: ['bob@example.com'] },
			],
		});
		expect(reviewersAt(reviewers, p, at(H))).toEqual(['ann@example.com', 'bob@example.com']);
		expect(reviewersAt(reviewers, p, at(2 * H))).toEqual(['ann@example.com', 'cat@example.com', 'bob@example.com']);
	});

	it('does not change the reviewers it was given', () => {
		const given = ['ann@example.com'];
		const out = reviewersAt(given, plan(), at(1000 * H));
		expect(given).toEqual(['ann@example.com']);
		expect(out).not.toBe(given);
		expect(reviewersAt(given, null, START)).not.toBe(given);
	});

	it('works with an empty reviewer list', () => {
		expect(reviewersAt([], plan(), at(24 * H))).toEqual(['bob@example.com', 'ann@example.com']);
		expect(reviewersAt([], plan(), START)).toEqual([]);
	});

	// Closed, not open: a level whose time does not parse is never reached (only a gate bug could make one).
	it('treats a level whose time does not parse as never reached', () => {
		const p = plan({ escalation: [{ level: 1, at: 'not a date', reviewers: ['bob@example.com'] }] });
		expect(reviewersAt(reviewers, p, START)).toEqual(['ann@example.com']);
		expect(reviewersAt(reviewers, p, at(1000 * H))).toEqual(['ann@example.com']);
	});
});

describe('addedAt', () => {
	const reviewers = ['ann@example.com'];

	it('is who a level adds that nobody asked before it', () => {
		expect(addedAt(reviewers, plan(), 1)).toEqual(['bob@example.com']);
		expect(addedAt(reviewers, plan(), 2)).toEqual(['cat@example.com', 'dan@example.com']);
	});

	it('is empty for a level the plan does not have, or that adds nobody new', () => {
		expect(addedAt(reviewers, plan(), 3)).toEqual([]);
		expect(addedAt(reviewers, plan(), 0)).toEqual([]);
		expect(addedAt(reviewers, plan({ escalation: [] }), 1)).toEqual([]);
		expect(addedAt(['bob@example.com'], plan({ escalation: [{ level: 1, at: iso(H), reviewers: ['bob@example.com'] }] }), 1)).toEqual([]);
	});

	it('counts the reviewers and every earlier level as asked before, never a later one', () => {
		const p = plan({
			escalation: [
				{ level: 1, at: iso(H), reviewers: ['cat@example.com'] },
				{ level: 2, at: iso(2 * H), reviewers: ['cat@example.com', 'dan@example.com'] },
				{ level: 3, at: iso(3 * H), reviewers: ['eve@example.com', 'dan@example.com'] },
			],
		});
		expect(addedAt(reviewers, p, 1)).toEqual(['cat@example.com']);
		expect(addedAt(reviewers, p, 2)).toEqual(['dan@example.com']);
		expect(addedAt(reviewers, p, 3)).toEqual(['eve@example.com']);
	});

	it('counts earlier levels wherever they stand in the plan', () => {
		const p = plan({
			escalation: [
				{ level: 2, at: iso(2 * H), reviewers: ['cat@example.com', 'bob@example.com'] },
				{ level: 1, at: iso(H), reviewers: ['bob@example.com'] },
			],
		});
		expect(addedAt(reviewers, p, 2)).toEqual(['cat@example.com']);
		expect(addedAt(reviewers, p, 1)).toEqual(['bob@example.com']);
	});
});

describe('deadlineEvents', () => {
	const ev = (kind: DeadlineEvent['kind'], step: number, dueAt: string): DeadlineEvent => ({
		id: `grp-1#${kind}#${step}`,
		groupId: 'grp-1',
		kind,
		step,
		dueAt,
		target: GROUP.target,
		executionId: '4711',
		nodeId: 'node-1',
		status: 'scheduled',
		claim: null,
		attempts: 0,
		lastError: null,
		endedAt: null,
		result: null,
	});

	it('is one event per reminder, per escalation level, and the deadline, fresh and unclaimed', () => {
		expect(deadlineEvents(GROUP, [plan()])).toEqual([
			ev('remind', 1, iso(8 * H)),
			ev('remind', 2, iso(16 * H)),
			ev('escalate', 1, iso(24 * H)),
			ev('escalate', 2, iso(36 * H)),
			ev('deadline', 0, iso(48 * H)),
		]);
	});

	it('is nothing for a run with no plans', () => {
		expect(deadlineEvents(GROUP, [])).toEqual([]);
	});

	it('has no deadline event when the deadline is null, and only the deadline when nothing else is planned', () => {
		expect(deadlineEvents(GROUP, [plan({ deadline: null })]).map((e) => e.id)).toEqual([
			'grp-1#remind#1',
			'grp-1#remind#2',
			'grp-1#escalate#1',
			'grp-1#escalate#2',
		]);
		expect(deadlineEvents(GROUP, [plan({ reminders: [], escalation: [] })])).toEqual([ev('deadline', 0, iso(48 * H))]);
		expect(deadlineEvents(GROUP, [plan({ deadline: null, reminders: [], escalation: [] })])).toEqual([]);
	});

	it('has no event for a level without backups in any plan of the run', () => {
		const empty = plan({
			escalation: [
				{ level: 1, at: iso(24 * H), reviewers: [] },
				{ level: 2, at: iso(36 * H), reviewers: ['cat@example.com'] },
			],
		});
		expect(deadlineEvents(GROUP, [empty, empty]).map((e) => e.id)).toEqual(['grp-1#remind#1', 'grp-1#remind#2', 'grp-1#escalate#2', 'grp-1#deadline#0']);
	});

	it('has a level event when any item of the run has backups at that level (the times are the first plan\'s)', () => {
		const noBackups = plan({
			escalation: [
				{ level: 1, at: iso(24 * H), reviewers: [] },
				{ level: 2, at: iso(36 * H), reviewers: [] },
			],
		});
		const level1 = plan({ escalation: [{ level: 1, at: iso(99 * H), reviewers: ['bob@example.com'] }] });
		const events = deadlineEvents(GROUP, [noBackups, level1]);
		expect(events.filter((e) => e.kind === 'escalate')).toEqual([ev('escalate', 1, iso(24 * H))]);
		// A level with backups only under another level number does not count.
		const level3 = plan({ escalation: [{ level: 3, at: iso(24 * H), reviewers: ['bob@example.com'] }] });
		expect(deadlineEvents(GROUP, [noBackups, level3]).filter((e) => e.kind === 'escalate')).toEqual([]);
	});

	it('takes the reminders and the deadline from the first plan', () => {
		const second = plan({ reminders: [iso(H)], deadline: iso(5 * H) });
		const events = deadlineEvents(GROUP, [plan({ escalation: [] }), second]);
		expect(events).toEqual([ev('remind', 1, iso(8 * H)), ev('remind', 2, iso(16 * H)), ev('deadline', 0, iso(48 * H))]);
	});

	it('gives every event a distinct id of the form <group>#<kind>#<step>', () => {
		const events = deadlineEvents(GROUP, [plan({ reminders: [iso(H), iso(2 * H), iso(3 * H)] })]);
		expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
		for (const e of events) expect(e.id).toBe(`${e.groupId}#${e.kind}#${e.step}`);
		expect(events.filter((e) => e.kind === 'remind').map((e) => e.step)).toEqual([1, 2, 3]);
	});

	it('returns events the caller may change without changing the next call\'s', () => {
		const a = deadlineEvents(GROUP, [plan()]);
		a[0].attempts = 5;
		expect(deadlineEvents(GROUP, [plan()])[0].attempts).toBe(0);
	});

	it('keeps MAX_ESCALATION_LEVELS at 5', () => {
		expect(MAX_ESCALATION_LEVELS).toBe(5);
	});
});

describe('gateWebhookUrl', () => {
	it('appends the node id to the path and keeps the signature query', () => {
		expect(gateWebhookUrl('https://n8n.example.com/webhook-waiting/4711?signature=abc.def', 'node-1')).toBe(
			'https://n8n.example.com/webhook-waiting/4711/node-1?signature=abc.def',
		);
	});

	it('drops trailing slashes of the resume path before appending', () => {
		expect(gateWebhookUrl('https://n8n.example.com/webhook-waiting/4711/?signature=s', 'node-1')).toBe('https://n8n.example.com/webhook-waiting/4711/node-1?signature=s');
		expect(gateWebhookUrl('https://n8n.example.com/webhook-waiting/4711///?signature=s', 'node-1')).toBe('https://n8n.example.com/webhook-waiting/4711/node-1?signature=s');
		expect(gateWebhookUrl('http://localhost:5678/', 'n')).toBe('http://localhost:5678/n');
	});

	it('encodes the node id as one path segment', () => {
		expect(gateWebhookUrl('https://n8n.example.com/webhook-waiting/4711?signature=s', 'a/b c?d#e')).toBe(
			'https://n8n.example.com/webhook-waiting/4711/a%2Fb%20c%3Fd%23e?signature=s',
		);
	});

	it('keeps the port, a path prefix and several query parameters', () => {
		expect(gateWebhookUrl('http://10.0.0.5:5678/n8n/webhook-waiting/12?a=1&signature=x%2By', '8d5f3c1e-0c7a')).toBe(
			'http://10.0.0.5:5678/n8n/webhook-waiting/12/8d5f3c1e-0c7a?a=1&signature=x%2By',
		);
	});

	it('throws on something that is not a URL', () => {
		expect(() => gateWebhookUrl('not a url', 'node-1')).toThrow();
	});
});
