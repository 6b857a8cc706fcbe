import { compileRouter, type PresetSpecs } from '../../../core/router';

function route(json: unknown, presets: PresetSpecs, presetIfMissing?: 'fail' | 'noMatch') {
	return compileRouter({ presets, presetIfMissing, fallbackTier: 'low' }).route(json);
}

describe('candidate-facing send', () => {
	test('default field "audience" = candidate → High, with detail', () => {
		const r = route({ audience: 'Candidate' }, { candidateFacing: {} });
		expect(r.output).toBe('high');
		expect(r.annotation.reasons[0]).toMatchObject({ label: 'Candidate-facing send', source: 'preset', ruleId: 'preset candidateFacing', detail: 'audience = candidate' });
	});
	test('custom field and values, boolean flag, arrays', () => {
		const p: PresetSpecs = { candidateFacing: { field: 'to.kind', values: 'applicant, external' } };
		expect(route({ to: { kind: 'external' } }, p).output).toBe('high');
		expect(route({ to: { kind: 'internal' } }, p).output).toBe('low');
		expect(route({ to: { kind: ['internal', 'applicant'] } }, p).output).toBe('high');
		expect(route({ to: { kind: true } }, p).output).toBe('high');
		expect(route({ to: { kind: false } }, p).output).toBe('low');
	});
	test('missing field: fail closed by default, or no match', () => {
		expect(route({}, { candidateFacing: {} }).errors[0].error).toBe('Field "audience" is missing');
		expect(route({}, { candidateFacing: {} }, 'noMatch').output).toBe('low');
	});
});

describe('bulk recipients ≥ N', () => {
	const p = { bulkRecipients: { min: 3 } };
	test.each([
		[['a', 'b', 'c'], true],
		[['a', 'b'], false],
		[3, true],
		['a@x, b@x; c@x', true],
		['a@x, b@x', false],
	])('%j → %s', (recipients, match) => {
		expect(route({ recipients }, p).output).toBe(match ? 'high' : 'low');
	});
	test('label names the threshold; object is a type error', () => {
		expect(route({ recipients: [1, 2, 3] }, p).annotation.reasons[0]).toMatchObject({ label: 'Bulk send (≥ 3 recipients)', detail: '3 recipients' });
		expect(route({ recipients: { a: 1 } }, p).errors[0].error).toMatch(/not a list or count/);
	});
});

describe('money amount ≥ X', () => {
	const p = { moneyAmount: { field: 'payment.amount', min: 1000 } };
	test.each([
		[999.99, false],
		[1000, true],
		['2500', true],
		[-1500, true],
	])('%j → %s', (amount, match) => {
		expect(route({ payment: { amount } }, p).output).toBe(match ? 'high' : 'low');
	});
	test('non-numeric amount fails closed', () => {
		expect(route({ payment: { amount: 'a lot' } }, p).output).toBe('high');
		expect(route({ payment: { amount: 'a lot' } }, p).errors).toHaveLength(1);
	});
	test('non-numeric threshold is a misconfiguration → every item High', () => {
		const r = route({ payment: { amount: 1 } }, { moneyAmount: { min: Number.NaN } });
		expect(r.errors[0].error).toMatch(/Preset is misconfigured: Minimum amount must be a number/);
	});
});

describe('compliance-clock change', () => {
	test('stage moves into a deadline stage', () => {
		const r = route({ stage: 'Rejected' }, { complianceClock: {} });
		expect(r.output).toBe('high');
		expect(r.annotation.reasons[0].detail).toBe('stage → rejected');
		expect(route({ stage: 'screening' }, { complianceClock: {} }).output).toBe('low');
	});
	test('no change when previous stage equals new stage', () => {
		const p = { complianceClock: { stages: 'offer', previousStageField: 'previousStage' } };
		expect(route({ stage: 'offer', previousStage: 'offer' }, p).output).toBe('low');
		expect(route({ stage: 'offer', previousStage: 'interview' }, p).output).toBe('high');
	});
	test('a date field that starts a deadline', () => {
		const p = { complianceClock: { stageField: '', dateFields: 'rejectionDate, noticeGivenAt' } };
		expect(route({ noticeGivenAt: '2026-01-01' }, p).annotation.reasons[0].detail).toBe('noticeGivenAt set');
		expect(route({ noticeGivenAt: '' }, p).output).toBe('low');
		expect(route({}, p).output).toBe('low');
	});
	test('nothing configured is a misconfiguration', () => {
		expect(route({}, { complianceClock: { stageField: '' } }).errors[0].error).toMatch(/Set a stage field/);
	});
});

describe('model confidence below threshold', () => {
	test('default tier Medium, threshold 0.8', () => {
		expect(route({ confidence: 0.79 }, { lowConfidence: {} }).output).toBe('medium');
		expect(route({ confidence: 0.8 }, { lowConfidence: {} }).output).toBe('low');
	});
	test('missing confidence is unknown → High', () => {
		expect(route({}, { lowConfidence: { below: 0.9 } }).output).toBe('high');
	});
	test('tier can be set', () => {
		expect(route({ score: 40 }, { lowConfidence: { field: 'score', below: 50, tier: 'high' } }).output).toBe('high');
	});
});

describe('structured-output check', () => {
	const p: PresetSpecs = { structuredOutput: { fields: 'name:string, score:number, tags:array, meta:object, ok:boolean, note' } };
	const good = { name: 'A', score: 1, tags: [], meta: {}, ok: false, note: 0 };
	test('all present and typed → no match', () => {
		expect(route(good, p).output).toBe('low');
	});
	test('missing and wrong-typed fields are listed', () => {
		const r = route({ ...good, name: ' ', score: '1', note: null }, p);
		expect(r.output).toBe('high');
		expect(r.annotation.reasons[0]).toMatchObject({
			label: 'Structured output check failed',
			detail: 'name missing; score is string, not number; note missing',
		});
	});
	test('arrays are not objects, NaN is not a number', () => {
		expect(route({ ...good, meta: [] }, p).annotation.reasons[0].detail).toBe('meta is array, not object');
	});
	test('unknown type or empty list is a misconfiguration', () => {
		expect(route({}, { structuredOutput: { fields: 'a:date' } }).errors[0].error).toMatch(/Unknown type "date"/);
		expect(route({}, { structuredOutput: { fields: '' } }).errors[0].error).toMatch(/at least one required field/);
	});
});

test('presets combine with rules: highest tier wins, every match listed', () => {
	const r = compileRouter({
		rules: [{ condition: { kind: 'field', left: { path: 'amount' }, type: 'number', operation: 'gt', value: 0 }, tier: 'low', label: 'Has amount' }],
		presets: { lowConfidence: {}, moneyAmount: {} },
		fallbackTier: 'high',
	}).route({ amount: 5000, confidence: 0.5 });
	expect(r.annotation.tier).toBe('high');
	expect(r.annotation.reasons.map((x) => `${x.label}/${x.tier}`)).toEqual([
		'Has amount/low',
		'Money amount ≥ 1000/high',
		'Model confidence below 0.8/medium',
	]);
});
