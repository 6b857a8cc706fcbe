/**
 * The per-record rubber-stamp flag (nodes/HitlGate/timeOnPage.ts, settings.ts): the thresholds per tier
 * read from Options (defaults 10 / 20 / 30 / 30 s), the one fixed into a request's payload for its tier
 * (unclassified has its own), and the judgement a decided record carries — flagged strictly below the
 * threshold, not judged at all when the request has no threshold or the time on page is unknown.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readRubberStamp } from '../../../nodes/HitlGate/settings';
import { DEFAULT_RUBBER_STAMP, rubberStampDetails, rubberStampFor } from '../../../nodes/HitlGate/timeOnPage';

const ctx = {
	getNode: () => ({ name: 'HITL Gate', type: 'n8n-nodes-hitl.hitlGate', typeVersion: 1, position: [0, 0], parameters: {} }),
	getNodeParameter: (_name: string, _i: number, fallback: unknown) => fallback,
} as unknown as IExecuteFunctions;
const read = (options: IDataObject) => readRubberStamp(ctx, options);

describe('rubber-stamp thresholds from Options', () => {
	test('defaults 10 / 20 / 30 s, unclassified like High', () => {
		expect(read({})).toEqual({ low: 10, medium: 20, high: 30, unclassified: 30 });
		expect(DEFAULT_RUBBER_STAMP).toEqual({ low: 10, medium: 20, high: 30, unclassified: 30 });
	});

	test('per-tier values; 0 allowed (never flags); empty means the default', () => {
		expect(read({ rubberStampSecondsLow: 0, rubberStampSecondsMedium: 12.5, rubberStampSecondsHigh: 60, rubberStampSecondsUnclassified: '' }))
			.toEqual({ low: 0, medium: 12.5, high: 60, unclassified: 30 });
	});

	test.each([[-1], [3601], ['ten'], [Number.NaN], [Number.POSITIVE_INFINITY]])('%p is refused, naming the option and the range', (bad) => {
		expect(() => read({ rubberStampSecondsHigh: bad })).toThrow(NodeOperationError);
		try {
			read({ rubberStampSecondsHigh: bad });
		} catch (error) {
			expect((error as NodeOperationError).message).toContain('Invalid rubber-stamp threshold for High');
			expect((error as NodeOperationError).description).toBe('Set "Rubber-Stamp Threshold Seconds (High)" under Options to a number from 0 to 3600 (default 30; 0 never flags).');
		}
	});
});

describe('the threshold fixed into the payload, and the judgement on the decided record', () => {
	const settings = { low: 10, medium: 20, high: 30, unclassified: 45 };

	test('each tier gets its own threshold; unclassified (null) its own', () => {
		expect(rubberStampFor(settings, 'low')).toEqual({ rubberStampSeconds: 10 });
		expect(rubberStampFor(settings, 'medium')).toEqual({ rubberStampSeconds: 20 });
		expect(rubberStampFor(settings, 'high')).toEqual({ rubberStampSeconds: 30 });
		expect(rubberStampFor(settings, null)).toEqual({ rubberStampSeconds: 45 });
	});

	test('flagged strictly below the threshold, with the threshold used', () => {
		expect(rubberStampDetails({ rubberStampSeconds: 30 }, 29_999)).toEqual({ possibleRubberStamp: true, rubberStampThresholdSeconds: 30 });
		expect(rubberStampDetails({ rubberStampSeconds: 30 }, 30_000)).toEqual({ possibleRubberStamp: false, rubberStampThresholdSeconds: 30 });
		expect(rubberStampDetails({ rubberStampSeconds: 2.5 }, 2_400)).toEqual({ possibleRubberStamp: true, rubberStampThresholdSeconds: 2.5 });
		// 0 never flags, even a decision at once.
		expect(rubberStampDetails({ rubberStampSeconds: 0 }, 0)).toEqual({ possibleRubberStamp: false, rubberStampThresholdSeconds: 0 });
	});

	test('not judged: no threshold in the payload (an older request), an odd one, or an unknown time on page', () => {
		expect(rubberStampDetails({}, 1_000)).toEqual({});
		expect(rubberStampDetails({ rubberStampSeconds: '30' }, 1_000)).toEqual({});
		expect(rubberStampDetails({ rubberStampSeconds: -1 }, 1_000)).toEqual({});
		expect(rubberStampDetails({ rubberStampSeconds: Number.NaN }, 1_000)).toEqual({});
		expect(rubberStampDetails({ rubberStampSeconds: Number.POSITIVE_INFINITY }, 1_000)).toEqual({});
		expect(rubberStampDetails({ rubberStampSeconds: 30 }, null)).toEqual({});
	});
});
