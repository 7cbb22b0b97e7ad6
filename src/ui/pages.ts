// The study's steps as pages. A step appears here only once it works end to end.
import type { Component } from 'svelte';
import DataPage from './pages/DataPage.svelte';
import StatusPage from './pages/StatusPage.svelte';
import ModelsPage from './pages/ModelsPage.svelte';
import ReportPage from './pages/ReportPage.svelte';
import BaselinePage from './pages/BaselinePage.svelte';
import AugmentedPage from './pages/AugmentedPage.svelte';
import SynthesisPage from './pages/SynthesisPage.svelte';

export interface PageDef {
  id: string;
  title: string;
  component: Component;
}

export const pages: PageDef[] = [
  { id: 'data', title: 'Data', component: DataPage },
  { id: 'models', title: 'Models', component: ModelsPage },
  { id: 'baseline', title: 'Baseline classifier', component: BaselinePage },
  { id: 'synthesis', title: 'Synthesis', component: SynthesisPage },
  { id: 'augmented', title: 'Augmented classifier', component: AugmentedPage },
  { id: 'report', title: 'Report', component: ReportPage },
  { id: 'status', title: 'Settings & status', component: StatusPage },
];
