/**
 * The transparency log's public face for the nodes and the CLI: the Merkle tree over the chain, C2SP
 * signed notes and checkpoints (Ed25519), c2sp.org/tlog-proof bundles, and the auditor's checks.
 */
export { EMPTY_TREE_ROOT, nodeHash, recordHash, type Hash } from './merkle';
export { generateNoteKey, NoteError, signerFromPrivateKey, verifierFromKey, type NoteSigner, type NoteVerifier } from './note';
export { openCheckpoint, parseCheckpointText, type TreeHead } from './checkpoint';
export { checkpointShape, formatTlogProof, parseConsistencyProof, parseTlogProof } from './proofBundle';
export { checkpointCovering, issueCheckpoint, proveCheckpointConsistency, proveRecordInclusion, PublishError, type IssuedCheckpoint } from './publish';
export { verifyConsistencyProof, verifyLogAgainstCheckpoint, verifyRecordProof, type AuditFailure, type AuditFailureReason } from './audit';
export { TreeIndexError, type TreeRoot } from './logTree';
