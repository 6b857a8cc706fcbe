/**
 * Crash safety of the JSONL store: a child appending in a loop is killed with SIGKILL at random
 * moments (while opening, verifying, holding the lock, between write and fsync...). Now and then the
 * test also leaves a cut-off line at the end, as a crash in the middle of a write would (a single
 * small write(2) is practically never torn by SIGKILL, so that case is simulated). Afterwards the
 * chain verifies, only cut-off bytes were quarantined, and every acknowledged append is there — for
 * single appends and for batches (appendMany: one write and one fsync for many records, so a kill
 * mid-write can leave a real prefix of the batch and a cut-off line).
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { verifyFile } from '../../../core/verify';
import { FileLock } from '../../../core/store/file/lock';
import { type Child, startAppender } from './processes';
import { tempDir } from './helpers';
import { transpiledRoot } from './transpile';

const KILLS = Number(process.env.HITL_CRASH_KILLS ?? 200);
/** Children alive at once: kills also land while another process holds the lock or waits for it. */
const PARALLEL = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash: SIGKILL while appending', () => {
	let dir: string;
	let cleanup: () => void;
	const live = new Set<Child>();
	beforeAll(() => {
		({ dir, cleanup } = tempDir('crash'));
		transpiledRoot();
	});
	afterAll(async () => {
		for (const child of live) child.kill();
		await Promise.all([...live].map((c) => c.exited));
		cleanup();
	});

	/** Kills `kills` appenders of chain `chain` (appending `batch` records per call) and checks what is left. */
	async function survive(chain: string, kills: number, batch: number): Promise<void> {
		const acked = new Map<number, string>();
		const lock = new FileLock(join(dir, `${chain}.jsonl.lock`));
		let simulatedTears = 0;
		const tornBytes: string[] = [];
		let killed = 0;
		let started = 0;

		const slot = async () => {
			while (started < kills) {
				const n = started++;
				const child = startAppender(dir, chain, undefined, batch);
				live.add(child);
				if (n % 5 === 0) {
					// Kill at a random moment during start-up (open, repair, verify).
					await sleep(Math.random() * 400);
				} else {
					if (!(await child.ready)) {
						const { stderr } = await child.exited;
						throw new Error(`appender failed to open the store: ${stderr}`);
					}
					await sleep(Math.random() * 30);
				}
				child.kill();
				const exit = await child.exited;
				live.delete(child);
				if (exit.signal !== 'SIGKILL') throw new Error(`appender exited on its own (${exit.code}): ${exit.stderr}`);
				killed++;
				for (const { seq, hash } of child.acked) {
					const known = acked.get(seq);
					if (known !== undefined && known !== hash) throw new Error(`seq ${seq} acknowledged twice with different hashes`);
					acked.set(seq, hash);
				}
				if (n % 7 === 3) {
					// A crash mid-write leaves a prefix of a line without its newline, written while the
					// writer held the lock; the next lock holder must find and quarantine it.
					const partial = `{"chain":"${chain}","comment":"torn write ${n}","decidedAt":null,"deta`;
					const cut = partial.slice(0, 5 + Math.floor(Math.random() * (partial.length - 5)));
					await lock.run(async () => appendFileSync(join(dir, `${chain}.jsonl`), cut));
					tornBytes.push(cut);
					simulatedTears++;
				}
			}
		};
		await Promise.all(Array.from({ length: PARALLEL }, slot));

		// Opening repairs a tear left at the very end, then everything must verify.
		const store = await JsonlReviewStore.open({ directory: dir, chain });
		await store.close();
		const result = await verifyFile(join(dir, `${chain}.jsonl`));
		expect(result).toMatchObject({ ok: true });

		const lines = readFileSync(join(dir, `${chain}.jsonl`), 'utf8').trim().split('\n');
		const bySeq = new Map(lines.map((l) => JSON.parse(l) as { seq: number; hash: string; event: string }).map((r) => [r.seq, r]));
		expect(bySeq.size).toBe(lines.length);
		for (const [seq, hash] of acked) expect(bySeq.get(seq)?.hash).toBe(hash);

		const quarantined = readdirSync(dir).filter((n) => n.startsWith(`${chain}.quarantine.`));
		const repaired = [...bySeq.values()].filter((r) => r.event === 'repaired').length;
		// Every torn byte was quarantined (two tears in a row share one file; a kill mid-repair
		// quarantines the same bytes twice), and only cut-off bytes were: no line, no acknowledged record.
		const contents = quarantined.map((name) => readFileSync(join(dir, name), 'utf8'));
		const totalQuarantined = contents.reduce((n, c) => n + c.length, 0);
		expect(totalQuarantined).toBeGreaterThanOrEqual(tornBytes.reduce((n, t) => n + t.length, 0));
		for (const t of tornBytes) expect(contents.some((c) => c.includes(t))).toBe(true);
		expect(repaired).toBeGreaterThanOrEqual(Math.min(1, simulatedTears));
		expect(repaired).toBeLessThanOrEqual(quarantined.length);
		for (const bytes of contents) {
			expect(bytes).not.toContain('\n');
			for (const hash of acked.values()) expect(bytes).not.toContain(hash);
		}
		expect(killed).toBe(kills);
		expect(acked.size).toBeGreaterThan(kills / 4);
		console.log(`crash test (${chain}, ${batch} per append): ${killed} kills, ${acked.size} acknowledged appends, ${lines.length} records, ${simulatedTears} simulated tears, ${quarantined.length} quarantine files, ${repaired} repaired records`);
	}

	it(`survives ${KILLS} kills with no acknowledged append lost`, async () => {
		await survive('main', KILLS, 1);
	}, 400_000);

	it(`survives ${Math.ceil(KILLS / 4)} kills while appending in batches (appendMany): no acknowledged record lost, no gap`, async () => {
		await survive('batch', Math.ceil(KILLS / 4), 40);
	}, 400_000);
});
