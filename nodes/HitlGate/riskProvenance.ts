/**
 * Where an item's `blastRadius` annotation came from. The gate trusts it only when a Blast Radius
 * Router produced it in this execution: anything upstream (a webhook body, model output, a Set node)
 * can write `blastRadius: { tier: 'low' }`, and unknown risk is high risk.
 *
 * How: the Routers before this gate (its parent nodes of the Router's type) that ran in this
 * execution; each gate item is traced back to a Router's OUTPUT item with n8n's own paired-item
 * lineage (`$getPairedItem`, what `$('Router').itemMatching(i)` uses); the annotation is verified
 * only if that Router output item (High, Medium, Low sampled or Low — not n8n's error output, which
 * carries the input's fields) holds the same annotation, compared as RFC 8785 canonical JSON.
 *
 * Everything else is unverified: no Router before the gate, the Router did not run, is disabled (n8n
 * then passes its input through unchanged), wrote its annotation to another field, its output was
 * pinned data, the lineage cannot be resolved (a node gave no paired-item information, or the item
 * matches several Router items), or the annotation differs from the Router's (a node in between
 * changed it). Verifying never throws: a failure to verify is "unverified".
 *
 * Cost: the Routers' run data is read once per gate run (lazily, only when an item carries an
 * annotation); per item, n8n walks the lineage back to the Router (memoised per walk).
 */
import type { IExecuteFunctions, INodeExecutionData, IPairedItemData, ISourceData } from 'n8n-workflow';

import { canonicalize } from '../../core/canonicalJson';

const PACKAGE_NAME = 'n8n-nodes-hitl';
const ROUTER_TYPE_SUFFIX = 'blastRadiusRouter';
/** The field the gate reads (and the Router's default annotation field). */
export const ANNOTATION_FIELD = 'blastRadius';
/** The Router's own outputs: High, Medium, Low – sampled, Low. Index 4 is n8n's error output. */
const ROUTER_OUTPUTS = 4;

export interface RiskProvenance {
	/** True only when a Blast Radius Router produced this very annotation in this execution. */
	verified: boolean;
	/** The Router that produced it (when verified). */
	router: string | null;
	/** Why it is not verified (when not). */
	detail: string | null;
}

/** The reason shown to the reviewer and logged with an annotation that could not be verified. */
export function unverifiedReason(detail: string | null): string {
	const why = detail ? ` (${detail})` : '';
	return `Unverified: risk annotation not produced by a Blast Radius Router in this execution — treated as high${why}`;
}

/** (gate item index, the item's annotation) → where it came from. */
export type RiskVerifier = (itemIndex: number, annotation: unknown) => RiskProvenance;

interface RouterRunData {
	name: string;
	/** Every item the Router put on one of its four outputs, in any of its runs of this execution. */
	produced: Set<object>;
}

interface Setup {
	routers: RouterRunData[];
	/** Why no Router can vouch for anything (when `routers` is empty). */
	none: string | null;
	resolve: (routerName: string, itemIndex: number) => unknown;
}

type TaskLike = { data?: { main?: Array<INodeExecutionData[] | null> } };
type RunExecutionDataLike = {
	resultData?: { runData?: Record<string, TaskLike[] | undefined>; pinData?: Record<string, unknown> };
};

const unverified = (detail: string): RiskProvenance => ({ verified: false, router: null, detail });

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Canonical JSON of a value as n8n would store it (Dates as strings, no undefined); null if impossible. */
function canonicalOf(value: unknown): string | null {
	try {
		const plain = JSON.parse(JSON.stringify(value ?? null)) as unknown;
		return canonicalize(plain);
	} catch {
		return null;
	}
}

/** The Router's annotation field as configured, or null when it cannot be known (an expression). */
function annotationFieldOf(parameters: unknown): string | null {
	const options = isPlainObject(parameters) ? parameters.options : undefined;
	const raw = isPlainObject(options) ? options.annotationField : undefined;
	if (raw === undefined || raw === null) return ANNOTATION_FIELD;
	if (typeof raw !== 'string' || raw.startsWith('=')) return null;
	return raw.trim() === '' ? ANNOTATION_FIELD : raw.trim();
}

/**
 * The execution's run data. n8n's execute context carries it (`runExecutionData`, public on n8n-core's
 * context class, the same object `$getPairedItem` reads); absent → nothing can be verified.
 */
function runExecutionDataOf(ctx: IExecuteFunctions): RunExecutionDataLike | null {
	const data = (ctx as unknown as { runExecutionData?: unknown }).runExecutionData;
	return isPlainObject(data) ? (data as RunExecutionDataLike) : null;
}

function buildSetup(ctx: IExecuteFunctions): Setup {
	const node = ctx.getNode();
	const prefix = node.type.includes('.') ? node.type.slice(0, node.type.lastIndexOf('.')) : PACKAGE_NAME;
	// The Router ships in the same package as the gate, so it carries the gate's prefix.
	const routerTypes = new Set([`${PACKAGE_NAME}.${ROUTER_TYPE_SUFFIX}`, `${prefix}.${ROUTER_TYPE_SUFFIX}`]);
	const candidates = ctx
		.getParentNodes(node.name, { includeNodeParameters: true })
		.filter((p) => routerTypes.has(p.type));
	const none = (why: string): Setup => ({ routers: [], none: why, resolve: () => undefined });
	if (candidates.length === 0) return none('no Blast Radius Router comes before this gate');

	const runExecutionData = runExecutionDataOf(ctx);
	const runData = runExecutionData?.resultData?.runData;
	if (!isPlainObject(runData)) return none("n8n did not expose this execution's run data");
	const pinData = runExecutionData?.resultData?.pinData;

	const routers: RouterRunData[] = [];
	const skipped: string[] = [];
	for (const c of candidates) {
		const field = annotationFieldOf(c.parameters);
		if (c.disabled) skipped.push(`Blast Radius Router "${c.name}" is disabled`);
		else if (field !== ANNOTATION_FIELD) skipped.push(`Blast Radius Router "${c.name}" writes its annotation to another field`);
		else if (isPlainObject(pinData) && pinData[c.name] !== undefined) skipped.push(`the output of Blast Radius Router "${c.name}" is pinned data`);
		else {
			const runs = runData[c.name];
			if (!Array.isArray(runs) || runs.length === 0) {
				skipped.push(`Blast Radius Router "${c.name}" did not run in this execution`);
				continue;
			}
			const produced = new Set<object>();
			for (const task of runs) {
				const main = task?.data?.main;
				if (!Array.isArray(main)) continue;
				for (let o = 0; o < Math.min(ROUTER_OUTPUTS, main.length); o++) {
					for (const item of main[o] ?? []) if (item !== null && typeof item === 'object') produced.add(item);
				}
			}
			routers.push({ name: c.name, produced });
		}
	}
	if (routers.length === 0) return none(skipped[0] ?? 'no Blast Radius Router ran before this gate');

	// The gate has one main input: its item i is item i of that source's output.
	const source = ctx.getInputSourceData(0) as ISourceData | undefined;
	if (!source) return none('n8n gave no source for the gate\'s input');
	const proxy = ctx.getWorkflowDataProxy(0);
	return {
		routers,
		none: null,
		resolve: (routerName, itemIndex) => {
			const paired: IPairedItemData = { item: itemIndex, input: 0 };
			return proxy.$getPairedItem(routerName, source, paired);
		},
	};
}

/** Verifies one annotation against the Routers of this run; never throws. */
function verify(setup: Setup, canonicalCache: WeakMap<object, string | null>, itemIndex: number, annotation: unknown): RiskProvenance {
	if (setup.routers.length === 0) return unverified(setup.none ?? 'no Blast Radius Router ran before this gate');
	const claimed = canonicalOf(annotation);
	if (claimed === null) return unverified('the annotation cannot be compared as JSON');
	let detail: string | null = null;
	for (const router of setup.routers) {
		let found: unknown;
		try {
			found = setup.resolve(router.name, itemIndex);
		} catch {
			detail ??= `the item cannot be traced back to Blast Radius Router "${router.name}" (n8n's paired-item information is missing or ambiguous)`;
			continue;
		}
		if (found === null || typeof found !== 'object') {
			detail ??= `the item cannot be traced back to Blast Radius Router "${router.name}"`;
			continue;
		}
		if (!router.produced.has(found)) {
			// e.g. the item came out of the Router's error output, which carries the input's fields.
			detail = `the item did not leave Blast Radius Router "${router.name}" through one of its tier outputs`;
			continue;
		}
		let own = canonicalCache.get(found);
		if (own === undefined) {
			const json = (found as INodeExecutionData).json;
			own = isPlainObject(json) && Object.prototype.hasOwnProperty.call(json, ANNOTATION_FIELD) ? canonicalOf(json[ANNOTATION_FIELD]) : null;
			canonicalCache.set(found, own);
		}
		if (own !== null && own === claimed) return { verified: true, router: router.name, detail: null };
		detail = `it differs from what Blast Radius Router "${router.name}" produced for this item: changed after the Router`;
	}
	return unverified(detail ?? 'no Blast Radius Router produced it');
}

/**
 * A verifier for one gate run. The Routers' run data is read on the first call that has an
 * annotation to check, and kept for the run.
 */
export function createRiskVerifier(ctx: IExecuteFunctions): RiskVerifier {
	let setup: Setup | null = null;
	const canonicalCache = new WeakMap<object, string | null>();
	return (itemIndex, annotation) => {
		if (!isPlainObject(annotation)) return unverified('the item carries no risk annotation');
		try {
			setup ??= buildSetup(ctx);
		} catch {
			setup = { routers: [], none: 'the Blast Radius Routers of this execution could not be read', resolve: () => undefined };
		}
		try {
			return verify(setup, canonicalCache, itemIndex, annotation);
		} catch {
			return unverified('the annotation could not be checked');
		}
	};
}

const verifiers = new WeakMap<object, RiskVerifier>();

/** The verifier of this gate run (one per execute context: the run data is read once per run). */
export function riskVerifierFor(ctx: IExecuteFunctions): RiskVerifier {
	let verifier = verifiers.get(ctx);
	if (!verifier) {
		verifier = createRiskVerifier(ctx);
		verifiers.set(ctx, verifier);
	}
	return verifier;
}
