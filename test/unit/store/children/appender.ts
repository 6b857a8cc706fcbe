/**
 * Test child: opens the JSONL store and appends until `count` records or until killed. After each
 * acknowledged append it prints "<seq> <hash>" (stdout to a pipe is synchronous on Linux, so a
 * printed line means the append was acknowledged before the process died). With a batch size above
 * 1 it appends that many records per appendMany call and prints them once the call returned. With
 * `callers` above 1, that many loops append at once (group commit in one process), `count` each, and
 * every acknowledgement is printed the moment its promise resolves (in acknowledgement order).
 */
import { JsonlReviewStore } from '../../../../core/store/file/jsonlStore';

async function main(): Promise<void> {
	const [directory, chain, countText, batchText, callersText] = process.argv.slice(2);
	const count = Number(countText || 'Infinity');
	const batch = Math.max(1, Number(batchText || '1'));
	const callers = Math.max(1, Number(callersText || '1'));
	const store = await JsonlReviewStore.open({ directory, chain });
	process.stdout.write('ready\n');
	await Promise.all(
		Array.from({ length: callers }, async (_, c) => {
			for (let i = 0; i < count; i += batch) {
				const inputs = Array.from({ length: batch }, (_, k) => ({ event: 'note' as const, comment: `pid ${process.pid} caller ${c} #${i + k}`, details: { i: i + k } }));
				const records = batch === 1 ? [await store.append(inputs[0])] : await store.appendMany(inputs);
				process.stdout.write(records.map((r) => `${r.seq} ${r.hash}\n`).join(''));
			}
		}),
	);
	await store.close();
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exit(3);
});
