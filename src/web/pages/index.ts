import type { Page } from '../page.js';
import { ebmPage } from './ebm.js';
import { entropyPage } from './entropy.js';
import { equilibriumPage } from './equilibrium.js';
import { experimentsPage } from './experiments.js';
import { flowsPage } from './flows.js';
import { runsPage } from './runs.js';

/** The lab's pages, in tab order; the first is the default. */
export const PAGES: Page[] = [equilibriumPage, flowsPage, entropyPage, ebmPage, experimentsPage, runsPage];
