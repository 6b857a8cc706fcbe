import { isExpression, isItemDependent, simpleJsonPath } from '../../../nodes/BlastRadiusRouter/plan';

describe('expression detection (decides what is evaluated per item)', () => {
	test.each([
		['={{ $json.amount }}', 'amount'],
		['={{$json.a.b[0]}}', 'a.b[0]'],
		['={{ $json["odd key"].x }}', '["odd key"].x'],
		['={{ $json.amount + 1 }}', null],
		['={{ $json.a || $json.b }}', null],
		['={{ $("Other").item.json.x }}', null],
		['$json.amount', null],
	])('simple $json reference %s → %s', (raw, path) => {
		expect(simpleJsonPath(raw)).toBe(path);
	});
	test.each([
		['={{ $json.x > 1 }}', true],
		['={{ $input.item.json.x }}', true],
		['={{ $("Set").item.json.x }}', true],
		['={{ $itemIndex % 2 === 0 }}', true],
		['={{ $binary.data }}', true],
		['={{ $unknownThing }}', true],
		['={{ $now.plus(7, "days").toISO() }}', false],
		['={{ $vars.threshold }}', false],
		['={{ $workflow.id + $execution.id }}', false],
		['={{ 1000 * 2 }}', false],
	])('%s item-dependent → %s', (raw, dependent) => {
		expect(isItemDependent(raw)).toBe(dependent);
	});
	test('only strings starting with "=" are expressions', () => {
		expect(isExpression('={{ 1 }}')).toBe(true);
		expect(isExpression('amount')).toBe(false);
		expect(isExpression(5)).toBe(false);
	});
});
