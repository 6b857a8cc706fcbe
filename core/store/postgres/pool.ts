/**
 * One way to open a connection pool from the credential's Postgres settings, for the review store and
 * the evidence vault beside it: the same SSL modes, timeouts, and the same guard against an idle
 * client's lost connection crashing n8n.
 */
import { Pool, type PoolConfig } from 'pg';

import type { PostgresConnection } from './pgStore';

function sslOption(ssl: PostgresConnection['ssl']): PoolConfig['ssl'] {
	if (ssl === true || ssl === 'verify-full') return { rejectUnauthorized: true };
	if (ssl === 'require') return { rejectUnauthorized: false };
	return false;
}

export function openPool(c: PostgresConnection, maxConnections: number): Pool {
	const pool = new Pool({
		host: c.host,
		port: c.port,
		database: c.database,
		user: c.user,
		password: c.password,
		ssl: sslOption(c.ssl),
		max: maxConnections,
		idleTimeoutMillis: 30_000,
		connectionTimeoutMillis: 10_000,
	});
	// An idle client losing its connection must not crash n8n; the next query reconnects.
	pool.on('error', () => undefined);
	return pool;
}
