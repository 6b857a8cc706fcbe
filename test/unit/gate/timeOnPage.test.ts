// The decision-timing rule: which minimum applies to which tier, when a POST is too fast, and how the
// node settings are read and refused. The webhook wiring is tested in test/workflow/gate/timeOnPage.workflow.test.ts.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readTimeOnPage } from '../../../nodes/HitlGate/settings';
import {
	CONFIRM_DECISION_NOTICE,
	DEFAULT_MIN_SECONDS_ON_PAGE,
	DEFAULT_TIME_ON_PAGE,
	decisionTiming,
	minSecondsForTier,
	minSecondsOfPayload,
	type TimeOnPageSettings,
} from '../../../nodes/HitlGate/timeOnPage';

const SERVED = Date.parse('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(SERVED + ms);
const SETTINGS: TimeOnPageSettings = { low: 1, medium: 2.5, high: 6, requireForHigh: true };

describe('minimum seconds per tier', () => {
	test('each tier gets its own minimum; an unclassified request (null) counts as High', () => {
		expect(minSecondsForTier('low', SETTINGS)).toBe(1);
		expect(minSecondsForTier('medium', SETTINGS)).toBe(2.5);
		expect(minSecondsForTier('high', SETTINGS)).toBe(6);
		expect(minSecondsForTier(null, SETTINGS)).toBe(6);
	});

	test('High (and unclassified) is 0 only when the requirement is turned off; Low and Medium keep theirs', () => {
		const off = { ...SETTINGS, requireForHigh: false };
		expect(minSecondsForTier('high', off)).toBe(0);
		expect(minSecondsForTier(null, off)).toBe(0);
		expect(minSecondsForTier('low', off)).toBe(1);
		expect(minSecondsForTier('medium', off)).toBe(2.5);
	});

	test('the default is a few seconds for every tier, High required', () => {
		expect(DEFAULT_MIN_SECONDS_ON_PAGE).toBe(4);
		for (const tier of ['low', 'medium', 'high', null] as const) expect(minSecondsForTier(tier, DEFAULT_TIME_ON_PAGE)).toBe(4);
	});

	test('a stored request carries its minimum; one stored before the setting existed gets the default', () => {
		expect(minSecondsOfPayload({ minSecondsOnPage: 0 })).toBe(0);
		expect(minSecondsOfPayload({ minSecondsOnPage: 7.5 })).toBe(7.5);
		for (const missing of [undefined, null, '3', -1, Number.NaN]) {
			expect(minSecondsOfPayload({ minSecondsOnPage: missing })).toBe(DEFAULT_MIN_SECONDS_ON_PAGE);
		}
		expect(minSecondsOfPayload({})).toBe(DEFAULT_MIN_SECONDS_ON_PAGE);
		for (const bad of [-0.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) expect(minSecondsOfPayload({ minSecondsOnPage: bad })).toBe(DEFAULT_MIN_SECONDS_ON_PAGE);
	});

	test('the confirmation notice says nothing was decided and what to do', () => {
		expect(CONFIRM_DECISION_NOTICE).toBe('Please confirm your decision: check the draft below, then press Approve or Reject again. Nothing has been decided yet.');
	});
});

describe('decision timing', () => {
	test.each([
		['low', 1],
		['medium', 2.5],
		['high', 6],
		['unclassified', 6],
	] as const)('%s (%d s): a click 1 ms before the minimum is too fast, at the minimum it decides', (tier, seconds) => {
		const min = minSecondsForTier(tier === 'unclassified' ? null : tier, SETTINGS);
		expect(decisionTiming(SERVED, min, at(seconds * 1000 - 1))).toEqual({ tooFast: true, elapsedMs: seconds * 1000 - 1 });
		expect(decisionTiming(SERVED, min, at(seconds * 1000))).toEqual({ tooFast: false, elapsedMs: seconds * 1000 });
		expect(decisionTiming(SERVED, min, at(60_000)).tooFast).toBe(false);
	});

	test('a sandbox clicking about 1.5 s after load is too fast under the default', () => {
		expect(decisionTiming(SERVED, DEFAULT_MIN_SECONDS_ON_PAGE, at(1_500))).toEqual({ tooFast: true, elapsedMs: 1_500 });
	});

	test('an unknown served time (a token from before the upgrade) counts as served now: too fast unless the minimum is 0', () => {
		expect(decisionTiming(null, 4, at(0))).toEqual({ tooFast: true, elapsedMs: 0 });
		expect(decisionTiming(null, 0.1, at(0)).tooFast).toBe(true);
		expect(decisionTiming(null, 0, at(0))).toEqual({ tooFast: false, elapsedMs: 0 });
	});

	test('minimum 0 accepts every click, even one whose served time lies slightly ahead (clock skew)', () => {
		expect(decisionTiming(SERVED, 0, at(0)).tooFast).toBe(false);
		expect(decisionTiming(SERVED, 0, at(-2_000))).toEqual({ tooFast: false, elapsedMs: -2_000 });
		expect(decisionTiming(SERVED, 4, at(-2_000)).tooFast).toBe(true);
	});
});

describe('reading the settings', () => {
	function ctx(requireForHigh: unknown = true): IExecuteFunctions {
		return {
			getNode: () => ({ name: 'HITL Gate', type: 'n8n-nodes-hitl.hitlGate', typeVersion: 1, position: [0, 0], parameters: {} }),
			getNodeParameter: (name: string, _i: number, fallback: unknown) => (name === 'requireTimeOnPageForHigh' ? requireForHigh : fallback),
		} as unknown as IExecuteFunctions;
	}
	const read = (options: IDataObject, requireForHigh: unknown = true) => readTimeOnPage(ctx(requireForHigh), options);

	test('defaults: 4 s for every tier, High required', () => {
		expect(read({})).toEqual({ low: 4, medium: 4, high: 4, requireForHigh: true });
	});

	test('per-tier values from Options', () => {
		expect(read({ minSecondsOnPageLow: 0, minSecondsOnPageMedium: 2, minSecondsOnPageHigh: 10.5 })).toEqual({ low: 0, medium: 2, high: 10.5, requireForHigh: true });
	});

	test('High 0 while required is refused with what to do; with the requirement off it is allowed', () => {
		expect(() => read({ minSecondsOnPageHigh: 0 })).toThrow(NodeOperationError);
		try {
			read({ minSecondsOnPageHigh: 0 });
		} catch (error) {
			expect((error as NodeOperationError).description).toContain('turn off "Require Time on Page for High Risk"');
		}
		expect(read({ minSecondsOnPageHigh: 0 }, false)).toEqual({ low: 4, medium: 4, high: 0, requireForHigh: false });
		expect(minSecondsForTier('high', read({}, false))).toBe(0);
	});

	test.each([[-1], [301], ['five'], [Number.NaN], [Number.POSITIVE_INFINITY]])('%p seconds is refused, naming the option', (bad) => {
		expect(() => read({ minSecondsOnPageMedium: bad })).toThrow(/Invalid minimum time on page for Medium/);
		try {
			read({ minSecondsOnPageMedium: bad });
		} catch (error) {
			expect((error as NodeOperationError).description).toContain('Minimum Seconds on Page (Medium)');
		}
	});
});
