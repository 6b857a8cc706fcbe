/**
 * How a batch run's `requested` records name the items a link shows (nodes/HitlGate/links.ts
 * linkItemRanges): as ranges, so a record's size does not grow with the run, and exact — an auditor
 * reads from it which items one click could decide.
 */
import { describe, expect, test } from '@jest/globals';

import { MAX_LINK_ITEMS_TEXT, linkItemRanges } from '../../../nodes/HitlGate/links';

describe('linkItemRanges', () => {
	test('a run of consecutive items is one range, whatever its length', () => {
		expect(linkItemRanges(Array.from({ length: 1000 }, (_, i) => i))).toBe('0-999');
		expect(linkItemRanges(Array.from({ length: 50_000 }, (_, i) => i + 7))).toBe('7-50006');
	});

	test('gaps, single items and any input order come out sorted and exact', () => {
		expect(linkItemRanges([9, 0, 1, 2, 3, 5, 8])).toBe('0-3,5,8-9');
		expect(linkItemRanges([4])).toBe('4');
		expect(linkItemRanges([2, 2, 3])).toBe('2-3');
		expect(linkItemRanges([])).toBe('');
	});

	test('ranges read back to exactly the items given', () => {
		const items = [0, 1, 2, 10, 11, 13, 20, 21, 22, 23, 40];
		const readBack = (linkItemRanges(items) as string).split(',').flatMap((part) => {
			const [from, to] = part.split('-').map(Number);
			return Array.from({ length: (to ?? from) - from + 1 }, (_, k) => from + k);
		});
		expect(readBack).toEqual(items);
	});

	test('items too scattered to write in the room given are null, never a cut-off list', () => {
		const everyOther = Array.from({ length: 2000 }, (_, i) => i * 2);
		expect(linkItemRanges(everyOther)).toBeNull();
		// The longest scattered list that fits is written in full; one item more is null.
		const scattered = (n: number) => Array.from({ length: n }, (_, i) => i * 2);
		let n = 1;
		while (linkItemRanges(scattered(n + 1)) !== null) n += 1;
		const text = linkItemRanges(scattered(n)) as string;
		expect(text.split(',')).toHaveLength(n);
		expect(text.length).toBeLessThanOrEqual(MAX_LINK_ITEMS_TEXT);
		expect(`${text},${(n) * 2}`.length).toBeGreaterThan(MAX_LINK_ITEMS_TEXT);
	});
});
