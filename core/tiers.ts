/** Blast-radius tiers, ordered by the damage an item could do if automation acted alone. */
export const TIERS = ['low', 'medium', 'high'] as const;
export type Tier = (typeof TIERS)[number];

const RANK: Readonly<Record<Tier, number>> = { low: 0, medium: 1, high: 2 };

export function isTier(value: unknown): value is Tier {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

export function tierRank(tier: Tier): number {
	return RANK[tier];
}

/** The higher of two tiers: rules can raise an item's tier, never lower it. */
export function maxTier(a: Tier, b: Tier): Tier {
	return RANK[a] >= RANK[b] ? a : b;
}
