/**
 * The risk HITL Tool Approval computes for a call: the Router's presets over the model's arguments, and
 * the verifier that lets the gate trust exactly those annotations and nothing else.
 */
import { compileRouter } from '../../../core/router';
import { verifierOf } from '../../../nodes/HitlToolApproval/risk';

const now = new Date('2026-12-02T10:00:00.000Z');
const route = (args: Record<string, unknown>) =>
	compileRouter({ presets: { moneyAmount: { field: 'amount', min: 1000, tier: 'high' } }, fallbackTier: 'low' }).route(args, { now }).annotation;

describe('risk of a tool call', () => {
	test('presets over the arguments: a large amount is High, a small one the builder\'s otherwise tier, a missing one High', () => {
		expect(route({ amount: 5000 }).tier).toBe('high');
		expect(route({ amount: 5 }).tier).toBe('low');
		expect(route({ id: 7 }).tier).toBe('high');
	});

	test('the gate trusts exactly the computed annotation, by item index', () => {
		const annotations = [route({ amount: 5 }), route({ amount: 5000 })];
		const verify = verifierOf('Approve refunds', annotations);
		// A copy (the gate holds plain JSON copies) is the same annotation.
		expect(verify(0, JSON.parse(JSON.stringify(annotations[0])))).toEqual({ verified: true, router: 'Approve refunds', detail: null });
		// Lowered, swapped between items, missing or not JSON: unverified (the gate then shows High).
		expect(verify(1, { ...annotations[1], tier: 'low' }).verified).toBe(false);
		expect(verify(1, annotations[0]).verified).toBe(false);
		expect(verify(2, annotations[0]).verified).toBe(false);
		expect(verify(0, undefined).verified).toBe(false);
		expect(verify(0, { tier: 'low', reasons: [] }).verified).toBe(false);
	});
});
