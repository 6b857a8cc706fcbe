/**
 * Review Log's public-key operations in real n8n execution (WorkflowExecute, built nodes): Sign
 * Checkpoint, Prove Record, and Verify with a signed checkpoint — on the file store, and one round on
 * Postgres. Every checkpoint and proof the node hands out is checked here the way an auditor would:
 * with the core's public-key checks and the verifier key alone, never with the node's own word.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IBinaryData, ICredentialDataDecryptedObject, IDataObject, INode, INodeParameters } from 'n8n-workflow';
import {
	generateNoteKey,
	openCheckpoint,
	parseTlogProof,
	verifierFromKey,
	verifyConsistencyProof,
	verifyLogAgainstCheckpoint,
	verifyRecordProof,
} from '../../../core/tlog';
import type { ReviewRequest } from '../../../core/store';
import { startTestPostgres, type TestPostgres } from '../../support/postgres';
import { DIST, loadFixture, runWorkflow, type WorkflowJson, type WorkflowRunResult } from '../harness';

// The built nodes use dist's module instances, so the store cache to reset (and the store to seed) is dist's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const distStore = require(path.join(DIST, 'core/store/index.js')) as typeof import('../../../core/store');

const NODE = 'Review Log';
const ORIGIN = 'hitl.example.com/hiring-log';
const KEY = generateNoteKey(ORIGIN);
/** Another key under the same name: what a forger (or a wrong key) signs with. */
const OTHER = generateNoteKey(ORIGIN);
const VERIFIER = verifierFromKey(KEY.verifierKey);
const FILE_PREFIX = 'hitl.example.com_hiring-log';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'hitl-rl-tlog-'));
});
afterEach(async () => {
	await distStore.closeAllReviewStores();
	rmSync(dir, { recursive: true, force: true });
});

type Cred = Record<string, ICredentialDataDecryptedObject>;
const cred = (extra: IDataObject = {}, directory = dir): Cred => ({
	hitlStoreApi: { backend: 'file', directory, chain: 'default', signingPrivateKey: KEY.privateKey, ...extra },
});
const logFile = (directory = dir) => path.join(directory, 'default.jsonl');

/** The Review Log fixture with the operation and its parameters, optionally with Continue On Fail. */
function workflow(operation: string, params: IDataObject = {}, onFail?: Pick<INode, 'onError' | 'continueOnFail'>): WorkflowJson {
	const fixture = operation === 'append' ? 'append' : 'verify';
	const wf = loadFixture(`reviewlog/${fixture}.json`);
	const node = wf.nodes.find((n) => n.name === NODE)!;
	node.parameters = (operation === 'append' ? { ...node.parameters, ...params } : { operation, ...params }) as INodeParameters;
	Object.assign(node, onFail);
	return wf;
}

const COF = { onError: 'continueRegularOutput' as const };

async function run(operation: string, params: IDataObject, options: { items?: Array<IDataObject | { json: IDataObject; binary: Record<string, IBinaryData> }>; credentials?: Cred; onFail?: typeof COF } = {}) {
	return runWorkflow({ workflow: workflow(operation, params, options.onFail), items: options.items ?? [{}], credentials: options.credentials ?? cred() });
}

async function ok(operation: string, params: IDataObject, options: Parameters<typeof run>[2] = {}) {
	const result = await run(operation, params, options);
	if (result.status !== 'success') throw new Error(`${operation} failed: ${JSON.stringify(result.error)}`);
	return result;
}

function failure(result: WorkflowRunResult) {
	expect(result.status).toBe('error');
	return result.error as unknown as { name: string; message: string; description?: string; context?: { itemIndex?: number } };
}

/**
 * A failure of the log itself (a store failure): the node does not turn it into an item's error. With
 * Continue On Fail n8n still records it as the node's error and — n8n's own rule, which a node cannot
 * change — passes the node's input items on; nothing the node would have made (a checkpoint, a proof,
 * an `{ error }` item that looks handled) comes out.
 */
function stoppedDespiteContinueOnFail(result: WorkflowRunResult, inputs: IDataObject[]) {
	const runs = result.run.data.resultData.runData[NODE];
	const error = runs[runs.length - 1].error as unknown as { message: string; description?: string };
	expect(error).toBeDefined();
	expect(result.json(NODE)).toEqual(inputs);
	return error;
}

const text = (b: IBinaryData): string => Buffer.from(b.data, 'base64').toString('utf8');

async function appendNotes(n: number, credentials = cred(), extra: IDataObject = {}) {
	const items = Array.from({ length: n }, (_, k) => ({ k }));
	await ok('append', { event: 'note', fields: { note: '={{ "note " + $json.k }}', ...extra } }, { items, credentials });
}

async function signCheckpoint(credentials = cred()) {
	const result = await ok('checkpoint', {}, { credentials });
	const item = result.outputs(NODE)[0][0];
	return { json: item.json, note: item.json.note as string, binary: item.binary!.checkpoint };
}

/** A HITL Gate request ended through the store (as the gate does): its terminal record names the request. */
async function endRequest(id: string, status: 'decided' | 'expired', itemKey: string, connection?: Cred['hitlStoreApi']) {
	await distStore.closeAllReviewStores();
	const store = await distStore.openReviewStore(
		connection ? { backend: 'postgres', connection: connection as never } : { backend: 'file', directory: dir },
	);
	try {
		const request: ReviewRequest = {
			id,
			groupId: `group-${id}`,
			executionId: 'exec-1',
			nodeId: 'gate-node',
			itemIndex: 0,
			reviewers: ['alice@example.com'],
			draftSha256: 'a'.repeat(64),
			createdAt: '2026-11-01T09:00:00.000Z',
			expiresAt: '2999-01-01T00:00:00.000Z',
			status: 'pending',
			outcome: null,
			payload: {},
			mac: null,
		};
		await store.putReviewRequests([request]);
		const binding = { hitlRequest: { id, groupId: request.groupId, nodeId: request.nodeId, keyId: null, mac: null } };
		const decided = status === 'decided';
		const resolved = await store.resolveReviewRequest(id, {
			status,
			outcome: decided ? { decision: 'rejected', reviewerId: 'alice@example.com', decidedAt: '2026-11-01T10:00:00.000Z', comment: null, edits: [], finalJson: null } : null,
			record: decided
				? { event: 'decided', decision: 'rejected', reviewerId: 'alice@example.com', itemKey, details: binding }
				: { event: 'expired', itemKey, details: binding },
		});
		return resolved.record!.seq;
	} finally {
		await store.close();
		await distStore.closeAllReviewStores();
	}
}

/** Every file under the store folder with its size and modification time. */
function snapshot(folder: string): Record<string, string> {
	const out: Record<string, string> = {};
	const walk = (d: string) => {
		for (const entry of readdirSync(d, { withFileTypes: true })) {
			const full = path.join(d, entry.name);
			if (entry.isDirectory()) walk(full);
			else out[path.relative(folder, full)] = `${statSync(full).size}:${statSync(full).mtimeMs}`;
		}
	};
	walk(folder);
	return out;
}

/** Removes the tree index but keeps the issued checkpoints (as if the index had been rebuilt). */
function dropTreeIndex(directory = dir) {
	for (const f of ['hashes.bin', 'leaves.bin', 'committed.json']) unlinkSync(path.join(directory, 'default.tree', f));
}

/** Replaces the log with another valid chain of `n` records (a new file, so the store sees another log). */
async function rewriteLog(n: number) {
	const other = mkdtempSync(path.join(tmpdir(), 'hitl-rl-tlog-other-'));
	try {
		await appendNotes(n, cred({}, other));
		await distStore.closeAllReviewStores();
		copyFileSync(logFile(other), `${logFile()}.new`);
		renameSync(`${logFile()}.new`, logFile());
	} finally {
		rmSync(other, { recursive: true, force: true });
	}
}

function keepLines(n: number) {
	const lines = readFileSync(logFile(), 'utf8').split('\n').slice(0, n);
	truncateSync(logFile(), Buffer.byteLength(lines.join('\n') + '\n'));
}

describe('Sign Checkpoint', () => {
	test('signs the log’s state; the note verifies with the verifier key alone, matches the log, and comes as a text file', async () => {
		await appendNotes(3);
		const { json, note, binary } = await signCheckpoint();
		expect(json).toMatchObject({ origin: ORIGIN, size: 3, verifierKey: KEY.verifierKey, extends: null });
		expect(typeof json.signedAt).toBe('string');
		const opened = openCheckpoint(note, [VERIFIER], ORIGIN);
		expect(opened.head.size).toBe(3);
		expect(opened.head.root.toString('base64')).toBe(json.root);
		// The auditor's own check: the exported log's Merkle tree, built in memory, has the signed root.
		await expect(verifyLogAgainstCheckpoint(logFile(), note, [VERIFIER], { origin: ORIGIN })).resolves.toMatchObject({ ok: true, records: 3 });
		expect(() => openCheckpoint(note, [verifierFromKey(OTHER.verifierKey)], ORIGIN)).toThrow(/no verifiable signatures/);
		expect(binary).toMatchObject({ fileName: `${FILE_PREFIX}-3.checkpoint`, mimeType: 'text/plain' });
		expect(text(binary)).toBe(note);
	});

	test('a later checkpoint extends the earlier one', async () => {
		await appendNotes(3);
		const first = await signCheckpoint();
		await appendNotes(2);
		const second = await signCheckpoint();
		expect(second.json).toMatchObject({ size: 5, extends: { size: 3, signedAt: first.json.signedAt } });
		await expect(verifyLogAgainstCheckpoint(logFile(), first.note, [VERIFIER])).resolves.toMatchObject({ ok: true });
		await expect(verifyLogAgainstCheckpoint(logFile(), second.note, [VERIFIER])).resolves.toMatchObject({ ok: true, records: 5 });
	});

	test('one checkpoint per input item, each paired with its item, into the field asked for', async () => {
		await appendNotes(1);
		const result = await ok('checkpoint', { checkpointOutputField: 'signed' }, { items: [{}, {}] });
		const out = result.outputs(NODE)[0];
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out[1].json).toMatchObject({ size: 1, extends: { size: 1 } });
		expect(Object.keys(out[0].binary!)).toEqual(['signed']);
	});

	test('without a signing key: the item’s error says how to make one; with Continue On Fail every item gets it', async () => {
		await appendNotes(1);
		const noKey = cred({ signingPrivateKey: '' });
		const error = failure(await run('checkpoint', {}, { credentials: noKey }));
		expect(error.message).toMatch(/No checkpoint signing key is set/);
		expect(error.description).toMatch(/npx n8n-nodes-hitl keygen <origin>/);
		expect(error.context?.itemIndex).toBe(0);

		const result = await run('checkpoint', {}, { credentials: noKey, items: [{}, {}], onFail: COF });
		expect(result.status).toBe('success');
		expect(result.outputs(NODE)[0]).toEqual([
			{ json: { error: expect.stringMatching(/No checkpoint signing key/), description: expect.stringMatching(/keygen/) }, pairedItem: { item: 0 } },
			{ json: { error: expect.stringMatching(/No checkpoint signing key/), description: expect.stringMatching(/keygen/) }, pairedItem: { item: 1 } },
		]);
		expect(result.ran('After')).toBe(true);
	});

	test('a log that lost records gets no checkpoint; that is the log’s failure, never an item’s, also with Continue On Fail', async () => {
		await appendNotes(3);
		await signCheckpoint();
		await distStore.closeAllReviewStores();
		keepLines(2);
		// With the tree index in place, the index no longer matching the log is what stops it.
		const indexed = stoppedDespiteContinueOnFail(await run('checkpoint', {}, { onFail: COF, items: [{ a: 1 }] }), [{ a: 1 }]);
		expect(indexed.message).toMatch(/does not match its Merkle tree index/);
		// With the index rebuilt from the shorter log, the last checkpoint is what refuses it.
		await distStore.closeAllReviewStores();
		dropTreeIndex();
		const error = failure(await run('checkpoint', {}));
		expect(error.message).toMatch(/no longer matches a checkpoint it signed: The log has 2 records but the checkpoint .* covered 3: records were removed/);
		expect(error.description).toMatch(/restore the log from a backup/);
		const items = [{ a: 1 }, { b: 2 }];
		const stopped = stoppedDespiteContinueOnFail(await run('checkpoint', {}, { onFail: COF, items }), items);
		expect(stopped.message).toMatch(/records were removed/);
	});

	test('a rewritten log gets no checkpoint; that is the log’s failure, never an item’s, also with Continue On Fail', async () => {
		await appendNotes(3);
		await signCheckpoint();
		await rewriteLog(4);
		const error = failure(await run('checkpoint', {}));
		expect(error.message).toMatch(/no longer matches a checkpoint it signed: The first 3 records differ .* the log was rewritten/);
		expect(error.description).toMatch(/run Verify with the last checkpoint/);
		expect(stoppedDespiteContinueOnFail(await run('checkpoint', {}, { onFail: COF, items: [{ a: 1 }] }), [{ a: 1 }]).message).toMatch(/rewritten/);
	});
});

describe('Prove Record', () => {
	let first: Awaited<ReturnType<typeof signCheckpoint>>;
	let second: Awaited<ReturnType<typeof signCheckpoint>>;

	/** seq 1–2 notes, 3 decided (cand-7), checkpoint 3, 4 a note (cand-7), 5 expired (cand-7), checkpoint 5, 6 a note. */
	async function seed() {
		await appendNotes(2);
		expect(await endRequest('req-A', 'decided', 'cand-7')).toBe(3);
		first = await signCheckpoint();
		await appendNotes(1, cred(), { itemKey: 'cand-7' });
		expect(await endRequest('req-B', 'expired', 'cand-7')).toBe(5);
		second = await signCheckpoint();
		await appendNotes(1);
	}

	const byParams = { proveBy: '={{ $json.by }}', proveSeq: '={{ $json.seq }}', proveRequestId: '={{ $json.id }}', proveItemKey: '={{ $json.key }}' };

	function checkProof(item: { json: IDataObject; binary?: Record<string, IBinaryData> }, seq: number, size: number) {
		const proof = item.binary!.proof;
		expect(proof).toMatchObject({ fileName: `${FILE_PREFIX}-seq${seq}.tlog-proof`, mimeType: 'text/plain' });
		// Only the public key: what an auditor runs.
		const checked = verifyRecordProof(text(proof), [VERIFIER], { origin: ORIGIN });
		if (!checked.ok) throw new Error(`proof of seq ${seq} does not verify: ${checked.reason}: ${checked.message}`);
		expect(checked.record.seq).toBe(seq);
		expect(checked.checkpoint.size).toBe(size);
		expect(verifyRecordProof(text(proof), [verifierFromKey(OTHER.verifierKey)], { origin: ORIGIN }).ok).toBe(false);
		return checked;
	}

	test('by seq, request ID and item key: each proof verifies with the public key alone, against the earliest checkpoint covering it', async () => {
		await seed();
		const items = [
			{ by: 'seq', seq: 2 },
			{ by: 'requestId', id: 'req-A' },
			{ by: 'itemKey', key: 'cand-7' },
		];
		const out = (await ok('prove', byParams, { items })).outputs(NODE)[0];
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json).toMatchObject({ seq: 2, event: 'note', checkpointSize: 3, checkpointIssued: false, origin: ORIGIN, verifierKey: KEY.verifierKey, consistency: null });
		expect(out[1].json).toMatchObject({ seq: 3, event: 'decided', decision: 'rejected', reviewerId: 'alice@example.com', checkpointSize: 3 });
		// The newest decision or expiry of the item key: seq 5 (expired), not the later note.
		expect(out[2].json).toMatchObject({ seq: 5, event: 'expired', decision: null, checkpointSize: 5 });
		checkProof(out[0], 2, 3);
		expect(checkProof(out[1], 3, 3).record).toMatchObject({ event: 'decided', itemKey: 'cand-7' });
		checkProof(out[2], 5, 5);
		// The proof carries the very checkpoint issued before.
		expect(parseTlogProof(text(out[0].binary!.proof)).checkpoint).toBe(first.note);
		expect(parseTlogProof(text(out[2].binary!.proof)).checkpoint).toBe(second.note);
	});

	test('a record no checkpoint covers yet: an item error with the option off, a new checkpoint with it on (the default)', async () => {
		await seed();
		const off = failure(await run('prove', { proveBy: 'seq', proveSeq: 6, proveOptions: { signIfNeeded: false } }));
		expect(off.message).toMatch(/No signed checkpoint covers seq 6 yet/);
		expect(off.description).toMatch(/Sign Checkpoint/);
		const on = (await ok('prove', { proveBy: 'seq', proveSeq: 6 })).outputs(NODE)[0][0];
		expect(on.json).toMatchObject({ seq: 6, checkpointSize: 6, checkpointIssued: true });
		checkProof(on, 6, 6);
		// The new checkpoint was kept: the next one extends it.
		expect((await signCheckpoint()).json).toMatchObject({ size: 6, extends: { size: 6 } });
	});

	test('with an earlier checkpoint: the checkpoint used covers it too, and the consistency proof verifies (text or file)', async () => {
		await seed();
		const fromText = (await ok('prove', { proveBy: 'seq', proveSeq: 4, consistencyFrom: 'text', earlierCheckpoint: first.note })).outputs(NODE)[0][0];
		expect(fromText.json).toMatchObject({ seq: 4, checkpointSize: 5, consistencyFromSize: 3 });
		const used = parseTlogProof(text(fromText.binary!.proof)).checkpoint;
		expect(used).toBe(second.note);
		const consistency = fromText.json.consistency as string;
		expect(text(fromText.binary!.consistency)).toBe(consistency);
		expect(fromText.binary!.consistency.fileName).toBe(`${FILE_PREFIX}-3-5.consistency-proof`);
		expect(verifyConsistencyProof(first.note, used, consistency, [VERIFIER], { origin: ORIGIN })).toMatchObject({ ok: true });

		// Seq 1 with the checkpoint of 5 as the earlier one: the checkpoint used must cover 5, not just seq 1.
		const fromFile = (
			await ok('prove', { proveBy: 'seq', proveSeq: 1, consistencyFrom: 'binary', earlierCheckpointField: 'held' }, { items: [{ json: {}, binary: { held: second.binary } }] })
		).outputs(NODE)[0][0];
		expect(fromFile.json).toMatchObject({ seq: 1, checkpointSize: 5, consistencyFromSize: 5 });
		checkProof(fromFile, 1, 5);
		expect(verifyConsistencyProof(second.note, second.note, fromFile.json.consistency as string, [VERIFIER])).toMatchObject({ ok: true });
	});

	test('an earlier checkpoint signed by another key, or malformed, is the item’s error', async () => {
		await seed();
		const elsewhere = mkdtempSync(path.join(tmpdir(), 'hitl-rl-tlog-other-'));
		try {
			await appendNotes(2, cred({ signingPrivateKey: OTHER.privateKey }, elsewhere));
			const forged = await signCheckpoint(cred({ signingPrivateKey: OTHER.privateKey }, elsewhere));
			const items = [{ cp: forged.note }, { cp: 'not a checkpoint' }, { cp: first.note }];
			const result = await run('prove', { proveBy: 'seq', proveSeq: 2, consistencyFrom: 'text', earlierCheckpoint: '={{ $json.cp }}' }, { items, onFail: COF });
			const out = result.outputs(NODE)[0];
			expect(out[0].json).toMatchObject({ error: expect.stringMatching(/earlier checkpoint is not usable/), description: expect.stringMatching(/signed with the credential's Checkpoint Signing Key/) });
			expect(out[1].json).toMatchObject({ error: expect.stringMatching(/earlier checkpoint is not usable: Malformed/) });
			expect(out[2].json).toMatchObject({ seq: 2, checkpointSize: 3, consistencyFromSize: 3 });
		} finally {
			rmSync(elsewhere, { recursive: true, force: true });
		}
	});

	test('not found — a seq past the head, an unknown request ID, an item key without a decision — is that item’s error', async () => {
		await seed();
		const items = [
			{ by: 'seq', seq: 99 },
			{ by: 'requestId', id: 'req-unknown' },
			{ by: 'itemKey', key: 'cand-none' },
			{ by: 'seq', seq: 1 },
		];
		const result = await run('prove', byParams, { items, onFail: COF });
		expect(result.status).toBe('success');
		const out = result.outputs(NODE)[0];
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json.error).toMatch(/There is no record seq 99: the log has 6 record/);
		expect(out[1].json.error).toMatch(/No decision or expiry is recorded for review request "req-unknown"/);
		expect(out[2].json.error).toMatch(/No decision or expiry is recorded for that item key/);
		expect(out[3].json).toMatchObject({ seq: 1, checkpointSize: 3 });

		const error = failure(await run('prove', byParams, { items }));
		expect(error.message).toMatch(/There is no record seq 99/);
		expect(error.context?.itemIndex).toBe(0);
	});

	test('without a signing key: the item’s error says how to make one', async () => {
		await appendNotes(1);
		const error = failure(await run('prove', { proveBy: 'seq', proveSeq: 1 }, { credentials: cred({ signingPrivateKey: '' }) }));
		expect(error.message).toMatch(/No checkpoint signing key is set: proving a record needs one/);
		expect(error.description).toMatch(/keygen/);
	});

	test('a log rewritten after its checkpoint: no proof is handed out, also with Continue On Fail', async () => {
		await appendNotes(3);
		await signCheckpoint();
		await rewriteLog(3);
		const error = failure(await run('prove', { proveBy: 'seq', proveSeq: 2, proveOptions: { signIfNeeded: false } }));
		expect(error.message).toMatch(/differ from the checkpoint: the log was rewritten after it was signed/);
		const stopped = stoppedDespiteContinueOnFail(await run('prove', { proveBy: 'seq', proveSeq: 2 }, { onFail: COF, items: [{ a: 1 }] }), [{ a: 1 }]);
		expect(stopped.message).toMatch(/rewritten/);
	});
});

describe('Verify with a signed checkpoint', () => {
	async function seed() {
		await appendNotes(3);
		const cp = await signCheckpoint();
		await appendNotes(1);
		await distStore.closeAllReviewStores();
		return cp;
	}

	test('an intact log passes: from text, from a file, from JSON Text, and with only the verifier key on the node', async () => {
		const cp = await seed();
		const before = snapshot(dir);
		const expected = { ok: true, recordsChecked: 4, headSeq: 4, firstBad: null, checkpoint: { seq: 3, verified: true, origin: ORIGIN, root: cp.json.root, verifiedBy: [ORIGIN] } };

		const fromText = await ok('verify', { checkpointSource: 'note', checkpointNote: cp.note });
		expect(fromText.json(NODE)[0]).toMatchObject(expected);
		const fromFile = await ok('verify', { checkpointSource: 'binary', checkpointBinaryProperty: 'cp' }, { items: [{ json: {}, binary: { cp: cp.binary } }] });
		expect(fromFile.json(NODE)[0]).toMatchObject(expected);
		// Pasted into the JSON field, with CRLF line ends from a mail client: recognised as a signed note.
		const fromJsonField = await ok('verify', { checkpointSource: 'json', checkpointJson: cp.note.replace(/\n/g, '\r\n') });
		expect(fromJsonField.json(NODE)[0]).toMatchObject(expected);
		// An auditor's credential without the private key, with the verifier key on the node.
		const auditor = await ok('verify', { checkpointSource: 'note', checkpointNote: cp.note, verifierKeys: `# the hiring log\n${KEY.verifierKey}\n` }, { credentials: cred({ signingPrivateKey: '' }) });
		expect(auditor.json(NODE)[0]).toMatchObject(expected);

		await distStore.closeAllReviewStores();
		expect(snapshot(dir)).toEqual(before); // Verify never writes: no index catch-up, no repair
	});

	test('no key to check the checkpoint with, or a private key given as a verifier key: the item’s error', async () => {
		const cp = await seed();
		const noKey = cred({ signingPrivateKey: '' });
		const none = failure(await run('verify', { checkpointSource: 'note', checkpointNote: cp.note }, { credentials: noKey }));
		expect(none.message).toMatch(/only be checked with the log's public key, and none is given/);
		expect(none.description).toMatch(/Verifier Keys/);
		const priv = failure(await run('verify', { checkpointSource: 'note', checkpointNote: cp.note, verifierKeys: KEY.privateKey }, { credentials: noKey }));
		expect(priv.message).toMatch(/private key was given/);
	});

	test('a log cut off after its checkpoint is reported truncated (the chain alone cannot see it)', async () => {
		const cp = await seed();
		keepLines(2);
		const chainOnly = await ok('verify', {});
		expect(chainOnly.json(NODE)[0]).toMatchObject({ ok: true, headSeq: 2 });
		const report = await ok('verify', { checkpointSource: 'note', checkpointNote: cp.note, failOnBroken: false });
		expect(report.json(NODE)[0]).toMatchObject({ ok: false, headSeq: 2, firstBad: { seq: 3, reason: 'truncated' }, checkpoint: { seq: 3, verified: false } });
		const error = failure(await run('verify', { checkpointSource: 'note', checkpointNote: cp.note }));
		expect(error.message).toMatch(/verification failed at seq 3: truncated — log ends at seq 2 but the signed checkpoint covers 3 records/);
		expect(error.description).toMatch(/--vkey/);
	});

	test('a rewritten log with an intact chain is reported rewritten (the chain alone cannot see it)', async () => {
		const cp = await seed();
		for (const size of [3, 5]) {
			await rewriteLog(size);
			const chainOnly = await ok('verify', {});
			expect(chainOnly.json(NODE)[0]).toMatchObject({ ok: true, headSeq: size });
			const report = await ok('verify', { checkpointSource: 'note', checkpointNote: cp.note, failOnBroken: false });
			expect(report.json(NODE)[0]).toMatchObject({ ok: false, firstBad: { seq: null, reason: 'rewritten' }, checkpoint: { seq: 3, verified: false } });
			const error = failure(await run('verify', { checkpointSource: 'note', checkpointNote: cp.note }));
			expect(error.message).toMatch(/verification failed at the checkpoint: rewritten — the log's first 3 records do not match/);
		}
	});

	test('an edited record breaks the chain first; a checkpoint by another key is a failed verification; a malformed one is the item’s error', async () => {
		const cp = await seed();
		writeEdited();
		const edited = await ok('verify', { checkpointSource: 'note', checkpointNote: cp.note, failOnBroken: false });
		expect(edited.json(NODE)[0]).toMatchObject({ ok: false, firstBad: { seq: 2, reason: 'hash_mismatch' }, checkpoint: { seq: 3, verified: false } });

		const elsewhere = mkdtempSync(path.join(tmpdir(), 'hitl-rl-tlog-other-'));
		let forged: string;
		try {
			await appendNotes(3, cred({ signingPrivateKey: OTHER.privateKey }, elsewhere));
			forged = (await signCheckpoint(cred({ signingPrivateKey: OTHER.privateKey }, elsewhere))).note;
		} finally {
			rmSync(elsewhere, { recursive: true, force: true });
		}
		const items = [{ cp: forged }, { cp: 'hitl.example.com/hiring-log\n3\n' }, { cp: cp.note }];
		const result = await run('verify', { checkpointSource: 'note', checkpointNote: '={{ $json.cp }}' }, { items, onFail: COF });
		const out = result.outputs(NODE)[0];
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.error).toMatch(/verification failed at the checkpoint: bad_checkpoint — the checkpoint does not verify with the given keys/);
		expect(out[1].json.error).toMatch(/The checkpoint is not usable: Malformed/);
		expect(out[2].json.error).toMatch(/verification failed at seq 2: hash_mismatch/);
	});

	function writeEdited() {
		const content = readFileSync(logFile(), 'utf8');
		const lines = content.split('\n');
		lines[1] = lines[1].replace('note 1', 'note X');
		writeFileSync(logFile(), lines.join('\n'));
	}
});

describe('on Postgres', () => {
	let pg: TestPostgres;
	beforeAll(async () => {
		pg = await startTestPostgres();
	}, 120_000);
	afterAll(async () => {
		await distStore.closeAllReviewStores();
		await pg?.stop();
	});

	test('checkpoint, prove (by seq and request ID) and verify with the signed checkpoint', async () => {
		const connection = { backend: 'postgres', ...pg.connection, ssl: 'disable' };
		const pgCred: Cred = { hitlStoreApi: { ...connection, chain: 'default', signingPrivateKey: KEY.privateKey } };
		await appendNotes(2, pgCred);
		expect(await endRequest('req-PG', 'decided', 'cand-pg', pg.connection as never)).toBe(3);
		const cp = await signCheckpoint(pgCred);
		expect(cp.json).toMatchObject({ size: 3, extends: null });
		expect(openCheckpoint(cp.note, [VERIFIER], ORIGIN).head.size).toBe(3);
		await appendNotes(1, pgCred);

		const items = [
			{ by: 'seq', seq: 2 },
			{ by: 'requestId', id: 'req-PG' },
			{ by: 'seq', seq: 4 },
		];
		const out = (
			await ok('prove', { proveBy: '={{ $json.by }}', proveSeq: '={{ $json.seq }}', proveRequestId: '={{ $json.id }}' }, { items, credentials: pgCred })
		).outputs(NODE)[0];
		expect(out.map((i) => i.json)).toMatchObject([
			{ seq: 2, checkpointSize: 3, checkpointIssued: false },
			{ seq: 3, decision: 'rejected', checkpointSize: 3 },
			{ seq: 4, checkpointSize: 4, checkpointIssued: true },
		]);
		for (const [k, seq] of [2, 3, 4].entries()) {
			const checked = verifyRecordProof(text(out[k].binary!.proof), [VERIFIER], { origin: ORIGIN });
			expect(checked).toMatchObject({ ok: true, record: { seq } });
		}
		const verified = await ok('verify', { checkpointSource: 'note', checkpointNote: cp.note }, { credentials: pgCred });
		expect(verified.json(NODE)[0]).toMatchObject({ ok: true, headSeq: 4, checkpoint: { seq: 3, verified: true } });
	}, 120_000);
});
