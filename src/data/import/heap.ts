// Peak JS heap of the current thread, where Chromium reports it (performance.memory is
// non-standard; elsewhere the peak stays null). Used by the import benchmark.
interface MemoryInfo {
  usedJSHeapSize: number;
}

export class HeapSampler {
  peak: number | null = null;
  sample(): void {
    const m = (performance as unknown as { memory?: MemoryInfo }).memory;
    if (m && (this.peak === null || m.usedJSHeapSize > this.peak)) this.peak = m.usedJSHeapSize;
  }
}
