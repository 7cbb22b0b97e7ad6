/** A p-value always carries the name of the test that produced it. Null when undefined. */
export interface PValue {
  p: number | null;
  test: string;
}
