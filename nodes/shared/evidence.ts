/**
 * Opens the evidence vault (core/evidence/) that sits beside a node's review store: same backend,
 * same folder or database, same chain, keys derived from the credential's Evidence Encryption Secret.
 * Shared by HITL Gate (keeps what was decided) and Review Log (erasure, retention). The caller closes it.
 */
import { deriveEvidenceKeys, type EvidenceVault, openEvidenceVault } from '../../core/evidence';
import { defaultStoreDirectory } from '../../core/store';
import type { StoreSettings } from './reviewStore';

/** The vault for these settings, or null when the credential keeps no evidence. */
export async function openEvidenceVaultFor(settings: StoreSettings): Promise<EvidenceVault | null> {
	if (!settings.evidence) return null;
	const keys = deriveEvidenceKeys(settings.evidence.secret);
	const config = settings.config;
	const chain = config.chain ?? 'default';
	if (config.backend === 'file') return openEvidenceVault({ kind: 'file', directory: config.directory || defaultStoreDirectory(), chain }, keys);
	return openEvidenceVault({ kind: 'postgres', connection: config.connection, chain }, keys);
}
