/**
 * Tests added from a Stryker run of nodes/HitlGate/timeOnPage.ts on 2026-12-03: the per-tier rubber-stamp
 * thresholds (fixed into each request's signed payload) and the judgement written into a decided record
 * had been added since the file's last run and were proven only by workflow tests
 * (rubberStamp.workflow.test.ts). Each boundary here is one a mutant moved.
 */
import { DEFAULT_RUBBER_STAMP, rubberStampDetails, rubberStampFor } from '../../../nodes/HitlGate/timeOnPage';

describe('rubber-stamp thresholds and judgement (mutation-found gaps)', () => {
	test('the defaults: 10 / 20 / 30 seconds by tier, unclassified judged like High', () => {
		expect(DEFAULT_RUBBER_STAMP).toEqual({ low: 10, medium: 20, high: 30, unclassified: 30 });
	});

	test('each tier takes its own threshold; an unclassified item takes the unclassified one', () => {
		const settings = { low: 1, medium: 2, high: 3, unclassified: 4 };
		expect(rubberStampFor(settings, 'low')).toEqual({ rubberStampSeconds: 1 });
		expect(rubberStampFor(settings, 'medium')).toEqual({ rubberStampSeconds: 2 });
		expect(rubberStampFor(settings, 'high')).toEqual({ rubberStampSeconds: 3 });
		expect(rubberStampFor(settings, null)).toEqual({ rubberStampSeconds: 4 });
	});

	test('flagged below the threshold, not at it', () => {
		expect(rubberStampDetails({ rubberStampSeconds: 20 }, 19_999)).toEqual({ possibleRubberStamp: true, rubberStampThresholdSeconds: 20 });
		expect(rubberStampDetails({ rubberStampSeconds: 20 }, 20_000)).toEqual({ possibleRubberStamp: false, rubberStampThresholdSeconds: 20 });
	});

	test('a threshold of 0 is a threshold (nothing is flagged, the judgement is still recorded)', () => {
		expect(rubberStampDetails({ rubberStampSeconds: 0 }, 0)).toEqual({ possibleRubberStamp: false, rubberStampThresholdSeconds: 0 });
	});

	test.each([
		['no threshold (a request stored before the option)', {}, 5_000],
		['a negative threshold', { rubberStampSeconds: -1 }, 5_000],
		['a threshold that is not a number', { rubberStampSeconds: '20' }, 5_000],
		['an infinite threshold', { rubberStampSeconds: Infinity }, 5_000],
		['a NaN threshold', { rubberStampSeconds: NaN }, 5_000],
		['an unknown time on page', { rubberStampSeconds: 20 }, null],
	])('nothing is recorded for %s', (_what, payload, msOnPage) => {
		expect(rubberStampDetails(payload, msOnPage)).toEqual({});
	});
});
