/**
 * The `/collect` guard with in-memory buckets on a fake clock: a crowd behind
 * one NAT gets no 429, floods without a valid id, of junk, from one greedy
 * visitor or from many minted ids are stopped (scenarios shared with Redis).
 */
import { limitScenarios } from '../../../test/helpers/limit-scenarios.js';
import { createMemoryRateLimiter } from './token-bucket.js';

limitScenarios('memory', async () => createMemoryRateLimiter());
