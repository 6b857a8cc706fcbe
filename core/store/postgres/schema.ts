/**
 * Postgres schema of the review store. A terminal record names the request it ends in `ends_request`,
 * and a unique index allows one per request: the database itself refuses a second decision.
 * The log table is append-only three times over: the
 * application role gets only SELECT and INSERT on it (see {@link grantSql}), a trigger rejects
 * UPDATE, DELETE and TRUNCATE even for its owner, and every row carries its hash chain.
 */

export const LOG_TABLE = 'hitl_review_log';
export const REQUEST_TABLE = 'hitl_review_request';
export const RESUME_TABLE = 'hitl_review_resume';
/** The Merkle tree index over the log (pgTree.ts) and the checkpoints issued for it. */
export const TREE_TABLE = 'hitl_review_tree';
export const CHECKPOINT_TABLE = 'hitl_review_checkpoint';
/** The deadline mechanism's schedule and its workers' beats (pgDeadlines.ts): working state, keyed by chain. */
export const DEADLINE_EVENT_TABLE = 'hitl_deadline_event';
export const DEADLINE_WORKER_TABLE = 'hitl_deadline_worker';
/**
 * Indexes for Query (Review Log) by item key, reviewer, execution and event: newest first within one
 * chain, so a page is read from the index, not by scanning the chain backwards (measured in
 * scripts/bench/query.js). Partial where the column is mostly null; `x = $1` implies `x IS NOT NULL`,
 * so the planner uses them. A request's terminal record has its own (`_one_terminal`), time has
 * `_recorded_at`. Created with the schema; a store opened on an older schema adds them if it may
 * (docs/postgres-store.md has them for the owner to run).
 */
export const LOG_INDEX_SQL = `
CREATE INDEX IF NOT EXISTS ${LOG_TABLE}_item_key ON ${LOG_TABLE} (chain, item_key, seq) WHERE item_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${LOG_TABLE}_reviewer ON ${LOG_TABLE} (chain, reviewer_id, seq) WHERE reviewer_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${LOG_TABLE}_execution ON ${LOG_TABLE} (chain, execution_id, seq) WHERE execution_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${LOG_TABLE}_event ON ${LOG_TABLE} (chain, event, seq);
`;
export const LOG_INDEXES = ['item_key', 'reviewer', 'execution', 'event'].map((name) => `${LOG_TABLE}_${name}`);

/** Every table SCHEMA_SQL creates; the store creates the schema when one is missing. */
export const ALL_TABLES = [LOG_TABLE, REQUEST_TABLE, RESUME_TABLE, TREE_TABLE, CHECKPOINT_TABLE, DEADLINE_EVENT_TABLE, DEADLINE_WORKER_TABLE];

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS ${LOG_TABLE} (
	chain text NOT NULL,
	seq bigint NOT NULL CHECK (seq > 0),
	hash char(64) NOT NULL,
	prev_hash char(64) NOT NULL,
	recorded_at timestamptz NOT NULL,
	event text NOT NULL,
	decision text,
	reviewer_id text,
	tier text,
	workflow_id text,
	execution_id text,
	item_key text,
	line text NOT NULL,
	CONSTRAINT ${LOG_TABLE}_chain_seq UNIQUE (chain, seq)
);
CREATE INDEX IF NOT EXISTS ${LOG_TABLE}_recorded_at ON ${LOG_TABLE} (chain, recorded_at);
-- The request a terminal record ends (details.hitlRequest.id); at most one such record per request.
ALTER TABLE ${LOG_TABLE} ADD COLUMN IF NOT EXISTS ends_request text;
CREATE UNIQUE INDEX IF NOT EXISTS ${LOG_TABLE}_one_terminal ON ${LOG_TABLE} (chain, ends_request) WHERE ends_request IS NOT NULL;
${LOG_INDEX_SQL}CREATE OR REPLACE FUNCTION ${LOG_TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '${LOG_TABLE} is append-only: % is not allowed', TG_OP;
END
$$;
DROP TRIGGER IF EXISTS ${LOG_TABLE}_no_change ON ${LOG_TABLE};
CREATE TRIGGER ${LOG_TABLE}_no_change BEFORE UPDATE OR DELETE ON ${LOG_TABLE}
	FOR EACH ROW EXECUTE FUNCTION ${LOG_TABLE}_append_only();
DROP TRIGGER IF EXISTS ${LOG_TABLE}_no_truncate ON ${LOG_TABLE};
CREATE TRIGGER ${LOG_TABLE}_no_truncate BEFORE TRUNCATE ON ${LOG_TABLE}
	FOR EACH STATEMENT EXECUTE FUNCTION ${LOG_TABLE}_append_only();
CREATE TABLE IF NOT EXISTS ${REQUEST_TABLE} (
	id text PRIMARY KEY,
	group_id text NOT NULL,
	status text NOT NULL CHECK (status IN ('pending', 'decided', 'expired')),
	data jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS ${REQUEST_TABLE}_group ON ${REQUEST_TABLE} (group_id);
CREATE INDEX IF NOT EXISTS ${REQUEST_TABLE}_pending ON ${REQUEST_TABLE} ((data->>'expiresAt')) WHERE status = 'pending';
-- The chain a request belongs to: the overdue sweep and erasure act on their own chain's requests only.
ALTER TABLE ${REQUEST_TABLE} ADD COLUMN IF NOT EXISTS chain text;
CREATE INDEX IF NOT EXISTS ${REQUEST_TABLE}_chain_status ON ${REQUEST_TABLE} (chain, status);
CREATE TABLE IF NOT EXISTS ${RESUME_TABLE} (
	group_id text PRIMARY KEY,
	claimed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${TREE_TABLE} (
	chain text NOT NULL,
	idx bigint NOT NULL CHECK (idx >= 0),
	hash bytea NOT NULL CHECK (octet_length(hash) = 32),
	PRIMARY KEY (chain, idx)
);
CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (
	id bigserial PRIMARY KEY,
	chain text NOT NULL,
	size bigint NOT NULL CHECK (size >= 0),
	note text NOT NULL,
	signed_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${CHECKPOINT_TABLE}_chain ON ${CHECKPOINT_TABLE} (chain, id);
CREATE TABLE IF NOT EXISTS ${DEADLINE_EVENT_TABLE} (
	chain text NOT NULL,
	id text NOT NULL,
	group_id text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('remind', 'escalate', 'deadline')),
	step integer NOT NULL CHECK (step >= 0),
	due_at timestamptz NOT NULL,
	target text NOT NULL,
	execution_id text NOT NULL,
	node_id text NOT NULL,
	status text NOT NULL CHECK (status IN ('scheduled', 'done', 'cancelled')),
	claim_by text,
	claim_token text,
	claim_until timestamptz,
	attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	last_error text,
	ended_at timestamptz,
	result text,
	PRIMARY KEY (chain, id),
	CHECK ((claim_token IS NULL) = (claim_until IS NULL) AND (claim_token IS NULL) = (claim_by IS NULL))
);
CREATE INDEX IF NOT EXISTS ${DEADLINE_EVENT_TABLE}_group ON ${DEADLINE_EVENT_TABLE} (chain, group_id, due_at);
CREATE INDEX IF NOT EXISTS ${DEADLINE_EVENT_TABLE}_due ON ${DEADLINE_EVENT_TABLE} (chain, due_at) WHERE status = 'scheduled';
CREATE INDEX IF NOT EXISTS ${DEADLINE_EVENT_TABLE}_ended ON ${DEADLINE_EVENT_TABLE} (chain, ended_at) WHERE status <> 'scheduled';
CREATE TABLE IF NOT EXISTS ${DEADLINE_WORKER_TABLE} (
	chain text NOT NULL,
	worker text NOT NULL,
	seen_at timestamptz NOT NULL,
	interval_ms double precision NOT NULL CHECK (interval_ms > 0),
	PRIMARY KEY (chain, worker)
);
`;

/**
 * Grants for the role n8n connects as, when an administrator owns the schema (run SCHEMA_SQL as
 * the owner first). The role can add and read log rows but never change or remove them. The deadline
 * tables are working state: the role updates them, and deletes ended events and silent workers' beats
 * after a week.
 */
export function grantSql(role: string): string {
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error('Role name must be a plain lower-case SQL identifier');
	return `
GRANT SELECT, INSERT ON ${LOG_TABLE} TO ${role};
REVOKE UPDATE, DELETE, TRUNCATE ON ${LOG_TABLE} FROM ${role};
GRANT SELECT, INSERT, UPDATE ON ${REQUEST_TABLE} TO ${role};
GRANT SELECT, INSERT ON ${RESUME_TABLE} TO ${role};
GRANT SELECT, INSERT ON ${TREE_TABLE} TO ${role};
GRANT SELECT, INSERT ON ${CHECKPOINT_TABLE} TO ${role};
GRANT USAGE ON SEQUENCE ${CHECKPOINT_TABLE}_id_seq TO ${role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ${DEADLINE_EVENT_TABLE} TO ${role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ${DEADLINE_WORKER_TABLE} TO ${role};
`;
}
