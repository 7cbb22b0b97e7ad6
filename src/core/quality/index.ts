export { featureSet, meanVector, type FeatureSet } from './feature-stats';
export { frechetInceptionDistance, type FidResult } from './fid';
export { kernelInceptionDistance, type KidOptions, type KidResult } from './kid';
export { memorisationCheck, meanPairwiseDistance, type MemorisationReport, type NearestReal } from './memorisation';
export { symmetricEigenvalues } from './symmetric-eigen';
