// Lets Playwright specs (type-checked under tsconfig.node.json) see the harness API.
import type { Harness } from './harness';

declare global {
  interface Window {
    harness: Harness;
  }
}
