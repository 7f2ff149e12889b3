// Vitest global setup of the dist tests: the release archives, built before any test's clock starts (or reused).
import type { TestProject } from 'vitest/node';
import { type Archives, ensureArchives } from './archives.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The release archives of the source under test (the e2e setup provides them too, for krew and Windows). */
    archives: Archives;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('archives', await ensureArchives());
}
