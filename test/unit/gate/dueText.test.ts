/** The deadline as the review email and chat message state it: the gate's zone, UTC without one, or "no deadline". */
import { dueText, isNoDeadline } from '../../../nodes/HitlGate/notify/content';

describe('dueText', () => {
	const deadline = new Date('2026-12-08T16:00:00.000Z');

	test('in the gate\'s time zone, with the zone\'s name, to the minute', () => {
		expect(dueText(deadline, 'Europe/Berlin')).toBe('Tue 8 Dec 2026, 17:00 CET');
		expect(dueText(new Date('2026-07-08T16:00:00.000Z'), 'Europe/Berlin')).toBe('Wed 8 Jul 2026, 18:00 CEST');
	});

	test('UTC without a zone, with UTC, or with a zone luxon does not know', () => {
		expect(dueText(deadline)).toBe('2026-12-08 16:00:00 UTC');
		expect(dueText(deadline, 'UTC')).toBe('2026-12-08 16:00:00 UTC');
		expect(dueText(deadline, 'Mars/Olympus')).toBe('2026-12-08 16:00:00 UTC');
	});

	test('n8n\'s "wait indefinitely" (the year 3000) is a run without a deadline', () => {
		const never = new Date('3000-01-01T00:00:00.000Z');
		expect(isNoDeadline(never)).toBe(true);
		expect(isNoDeadline(deadline)).toBe(false);
		expect(dueText(never, 'Europe/Berlin')).toBe('no deadline');
	});
});
