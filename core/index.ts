/**
 * The n8n-free public API of n8n-nodes-hitl, for programmatic use (scripts, auditors' tooling, other
 * services): classify items by blast radius, recompute a sampling decision, verify a review log or a link,
 * canonicalise JSON. `index.js` re-exports this beside the node and credential classes.
 */
export { classify, compileRouter, recomputeSample, ROUTER_VERSION } from './router';
export type { RouterConfig, RouteResult } from './router';
export { TIERS, maxTier, isTier } from './tiers';
export type { Tier } from './tiers';
export { canonicalize } from './canonicalJson';
export { computeRecordHash, parseRecordLine, RECORD_DOMAIN } from './chain';
export { signCheckpoint, verifyCheckpointMac, parseCheckpoint } from './checkpoint';
export { verifyFile as verifyAuditLog, verifyLines } from './verify';
export { openReviewStore, closeAllReviewStores, defaultStoreDirectory } from './store';
export type { ReviewStore } from './store';
export type { ReviewRecord, ReviewRecordInput, SignedCheckpoint, VerifyResult } from './records';
export { signLinkToken, verifyLinkToken } from './links';
export { computeMetrics } from './metrics';
