/**
 * Generated n8n expressions and items for the tests that hold the native field lookup
 * (core/textTemplate.ts) against n8n's own expression engine: the gate's per-item text
 * (gate/textTemplate.workflow.test.ts) and Review Log Append's mapped Fields
 * (reviewlog/mappedFields.workflow.test.ts). Items carry every kind of value n8n may meet, odd ones included.
 */
import fc from 'fast-check';

/** The item fields the placeholders read (besides `nested.value` and `list[1]`). */
const ITEM_FIELDS = ['name', 'amount', 'first name', 'x-y'];

export const placeholder = fc.constantFrom(
	'{{ $json.name }}',
	'{{$json.amount}}',
	'{{ $json["first name"] }}',
	"{{ $json['x-y'] }}",
	'{{ $json.nested.value }}',
	'{{ $json.list[1] }}',
);
/** Literal text n8n and the fast path both take as it is (no braces or backslashes: those are n8n's). */
export const literal = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[{}\\]/.test(s));

/** Any value: text of every kind, numbers of every kind, and what the lookup leaves to n8n. */
export const anyValue = fc.oneof(
	fc.string({ unit: 'grapheme', maxLength: 20 }),
	fc.string({ unit: 'binary', maxLength: 8 }),
	fc.integer(),
	fc.double({ noNaN: false }),
	fc.constantFrom(0, -0, 1e21, 1e-7, 123.456, Number.MAX_SAFE_INTEGER),
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.array(fc.integer(), { maxLength: 2 }),
	fc.record({ v: fc.integer() }),
);

/** An item's json whose fields (some missing) hold values from `value`. */
export function itemOf(value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
	return fc
		.record({ fields: fc.tuple(...ITEM_FIELDS.map(() => value)), nested: fc.oneof(fc.record({ value }), value), list: fc.array(value, { maxLength: 3 }) })
		.map(({ fields, nested, list }) => {
			const json: Record<string, unknown> = { nested, list };
			ITEM_FIELDS.forEach((f, i) => {
				if (fields[i] !== undefined) json[f] = fields[i];
			});
			return json;
		});
}
