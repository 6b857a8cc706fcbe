/**
 * The evidence vault's public face: open one (file or Postgres) and the helpers around it. Content
 * kept beside the review log — drafts, approved items, edits — encrypted per data subject so it can
 * be erased while the chain keeps verifying. See vault.ts for what erasure does and cannot reach.
 *
 * Wiring, for the caller: `put` the content, write `evidenceReference(result)` into the record's
 * `details.evidence`; on an erasure request or a retention sweep, append every record in
 * `result.records` (event `erased`) to the same chain. One vault per chain, like the log.
 */
import { assertChainName } from '../chain';
import type { PostgresConnection } from '../store/postgres/pgStore';
import type { VaultKeys } from './crypto';
import { evidenceDirectory, FileVaultStorage } from './fileVault';
import { PgVaultStorage, type PgVaultOptions } from './pgVault';
import type { VaultStorage } from './storage';
import { createEvidenceVault, type EvidenceVault } from './vault';

export { checkCommitment, commitEvidence, COMMITMENT_DOMAIN, type Commitment } from './commitment';
export { deriveEvidenceKeys, type VaultKeys } from './crypto';
export { evidenceDirectory } from './fileVault';
export { EvidenceError, type EvidenceErrorCode } from './errors';
export {
	checkEvidence, ERASURE_DETAILS_KEY, erasureRecords, EVIDENCE_DETAILS_KEY, evidenceReference, MAX_IDS_PER_RECORD,
	type ErasedRecordInput, type ErasureDetails, type EvidenceCheck, type EvidenceReference,
} from './evidenceRecords';
export { parseRetention, retentionCutoff, sweepRetention, type RetentionPeriod, type RetentionSweep } from './retention';
export type {
	ErasureRequest, ErasureResult, EvidenceReadResult, EvidenceVault, ExpiredEvidence, PutEvidenceInput, PutEvidenceResult,
} from './vault';

export type EvidenceVaultConfig =
	| {
			kind: 'file';
			/** The review store's directory; the vault lives in `<directory>/evidence/<chain>/`. */
			directory: string;
			chain?: string;
	  }
	| {
			kind: 'postgres';
			/** The caller's pool (left open on close), or a connection (the vault opens a small pool). */
			pool?: PgVaultOptions['pool'];
			connection?: PostgresConnection;
			schema?: string;
			tablePrefix?: string;
			chain?: string;
	  };

export interface EvidenceVaultOptions extends VaultKeys {
	/** Clock for tests. */
	now?: () => Date;
}

/**
 * Opens the vault for one chain. The keys come from an n8n credential and are never stored in the
 * vault; a key other than the one the vault was created with is refused here, before any write.
 */
export async function openEvidenceVault(config: EvidenceVaultConfig, options: EvidenceVaultOptions): Promise<EvidenceVault> {
	const chain = config.chain ?? 'default';
	assertChainName(chain);
	let storage: VaultStorage;
	if (config.kind === 'file') storage = await FileVaultStorage.open(evidenceDirectory(config.directory, chain));
	else if (config.kind === 'postgres') {
		storage = await PgVaultStorage.open({ pool: config.pool, connection: config.connection, chain, schema: config.schema, tablePrefix: config.tablePrefix });
	} else throw new Error(`Unknown evidence vault kind ${JSON.stringify((config as { kind: unknown }).kind)}`);
	try {
		return await createEvidenceVault(storage, chain, { masterKey: options.masterKey, lookupKey: options.lookupKey }, options.now);
	} catch (error) {
		await storage.close().catch(() => undefined);
		throw error;
	}
}
