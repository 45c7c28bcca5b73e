/** The console's entry: the navigation bar and the page of the current address. */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { html, render } from 'htm/preact';
import { NodePage } from './pages/node.js';
import { NodesPage } from './pages/nodes.js';
import { OverviewPage } from './pages/overview.js';
import { ReportPage, ReportsPage } from './pages/reports.js';
import { SilencesPage } from './pages/silences.js';
import { Link, matchPath, usePath } from './router.js';

const sections = [
  { href: '/', title: 'Overview' },
  { href: '/nodes', title: 'Nodes' },
  { href: '/reports', title: 'Reports' },
  { href: '/silences', title: 'Silences' },
];

function Page({ path }: { path: string }) {
  const node = matchPath('/nodes/', path);
  if (node && node.length === 2) return html`<${NodePage} key=${path} cluster=${node[0]!} node=${node[1]!} />`;
  if (path === '/nodes' || path === '/nodes/') return html`<${NodesPage} />`;
  const report = matchPath('/reports/', path);
  if (report && report.length === 1) return html`<${ReportPage} key=${path} id=${report[0]!} />`;
  if (path === '/reports' || path === '/reports/') return html`<${ReportsPage} />`;
  if (path === '/silences' || path === '/silences/') return html`<${SilencesPage} />`;
  if (path === '/') return html`<${OverviewPage} />`;
  return html`<p class="error">No page at ${path}. <${Link} href="/">Overview<//></p>`;
}

function App() {
  const path = usePath();
  const current = sections.filter((section) => section.href === '/' ? path === '/' : path.startsWith(section.href)).at(-1);
  return html`
    <header class="top">
      <span class="brand">Vigil</span>
      <nav>${sections.map((section) => html`<${Link} href=${section.href} class=${section === current ? 'active' : ''}>${section.title}<//>`)}</nav>
      <span class="muted small live">live · every 3 s</span>
    </header>
    <main><${Page} path=${path} /></main>`;
}

render(html`<${App} />`, document.getElementById('app')!);
