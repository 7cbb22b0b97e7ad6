/** Throws a RangeError unless labels are 0/1, scores are finite and the lengths agree. */
export function checkBinaryInputs(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new RangeError(`labels and scores differ in length (${labels.length} vs ${scores.length})`);
  }
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`label ${i} is ${y}; labels must be 0 or 1`);
    if (!Number.isFinite(scores[i])) throw new RangeError(`score ${i} is ${scores[i]}; scores must be finite numbers`);
  }
}
