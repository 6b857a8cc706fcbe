'use strict';
// Package entry point. n8n itself loads the nodes and credentials through the `n8n` section of
// package.json; this module is for programmatic use: the node and credential classes, and the n8n-free core
// (classify an item, recompute a sampling decision, verify an exported review log against a checkpoint).
// Build first (`npm run build`): everything here comes from dist/.
const core = require('./dist/core');
const { BlastRadiusRouter } = require('./dist/nodes/BlastRadiusRouter/BlastRadiusRouter.node');
const { HitlGate } = require('./dist/nodes/HitlGate/HitlGate.node');
const { ReviewLog } = require('./dist/nodes/ReviewLog/ReviewLog.node');
const { HitlDeadlines } = require('./dist/nodes/HitlDeadlines/HitlDeadlines.node');
const { HitlReviewLinks } = require('./dist/nodes/HitlReviewLinks/HitlReviewLinks.node');
const { HitlToolApproval } = require('./dist/nodes/HitlToolApproval/HitlToolApproval.node');
const { HitlSigningApi } = require('./dist/credentials/HitlSigningApi.credentials');
const { HitlStoreApi } = require('./dist/credentials/HitlStoreApi.credentials');
const { HitlSmtpApi } = require('./dist/credentials/HitlSmtpApi.credentials');

module.exports = {
	...core,
	nodes: { BlastRadiusRouter, HitlGate, HitlDeadlines, HitlReviewLinks, HitlToolApproval, ReviewLog },
	credentials: { HitlSigningApi, HitlStoreApi, HitlSmtpApi },
};
