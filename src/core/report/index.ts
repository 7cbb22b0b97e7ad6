export * from './schema';
export { reportFromScores, importReportJson, type FromScoresOptions } from './from-scores';
