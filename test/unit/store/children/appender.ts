/**
 * Test child: opens the JSONL store and appends until `count` records or until killed. After each
 * acknowledged append it prints "<seq> <hash>" (stdout to a pipe is synchronous on Linux, so a
 * printed line means the append was acknowledged before the process died).
 */
import { JsonlReviewStore } from '../../../../core/store/file/jsonlStore';

async function main(): Promise<void> {
	const [directory, chain, countText] = process.argv.slice(2);
	const count = Number(countText || 'Infinity');
	const store = await JsonlReviewStore.open({ directory, chain });
	process.stdout.write('ready\n');
	for (let i = 0; i < count; i++) {
		const record = await store.append({ event: 'note', comment: `pid ${process.pid} #${i}`, details: { i } });
		process.stdout.write(`${record.seq} ${record.hash}\n`);
	}
	await store.close();
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exit(3);
});
