/**
 * The recommendation algorithms of the offline trainer, each a `Tunable`
 * (a factory with a hyperparameter grid), and the tuning that picks a grid
 * point on a validation split carved from the training data.
 * @module
 */
import type { SessionModel, TopKModel, Tunable } from '../model-types.js';
import { als } from './als.js';
import { ar } from './ar.js';
import { blendTunable } from './blend.js';
import { bpr } from './bpr.js';
import { ease } from './ease.js';
import { gru4rec } from './gru4rec/model.js';
import { itemKnn } from './item-knn.js';
import { popularity } from './popularity.js';
import { sknn } from './sknn.js';
import { sr } from './sr.js';
import { stan } from './stan.js';

const strongest: Record<string, Tunable<TopKModel>> = { ease, itemknn: itemKnn, als, bpr };

export const topKModels: Record<string, Tunable<TopKModel>> = {
  popularity,
  itemknn: itemKnn,
  ease,
  als,
  bpr,
  blend: blendTunable(strongest),
};

export const sessionModels: Record<string, Tunable<SessionModel>> = { ar, sr, sknn, stan, gru4rec };

export { clusteredInteractions, sequentialSessions } from '../data/synthetic.js';
export { AlsModel, type AlsParams } from './als.js';
export { AssociationRules } from './ar.js';
export { BlendModel, type BlendOptions, type BlendSelection, blendTunable, selectBlend } from './blend.js';
export { BprModel, type BprParams } from './bpr.js';
export { EaseModel, type EaseSolver } from './ease.js';
export { Gru4RecModel } from './gru4rec/model.js';
export { ItemKnnModel, type ItemKnnParams } from './item-knn.js';
export { PopularityModel } from './popularity.js';
export { SessionKnn, type SknnParams } from './sknn.js';
export { SequentialRules } from './sr.js';
export { StanModel, type StanParams } from './stan.js';
export { type TuneResult, tuneSession, tuneTopK } from './tune.js';
export {
  knownItems,
  ndcgAtK,
  nextItemAtK,
  splitSessionValidation,
  splitTopKValidation,
} from './validation.js';
