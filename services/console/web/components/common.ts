/** Small pieces the pages share: the grade badge, a score, loading and error lines, the page title. */
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { gradeClass } from '../format.js';

export function Grade({ grade }: { grade: string | null | undefined }) {
  return html`<span class=${gradeClass(grade)}>${grade ?? 'NO SCORE'}</span>`;
}

export function Score({ score, grade, big = false }: { score: number | null | undefined; grade: string | null | undefined; big?: boolean }) {
  return html`<span class=${`score ${big ? 'score-big' : ''} ${gradeClass(grade)}`} data-score=${score ?? ''}>${score === null || score === undefined ? '—' : score.toFixed(score % 1 === 0 ? 0 : 2)}</span>`;
}

export function Loading({ error }: { error: string | undefined }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : html`<p class="muted">Loading…</p>`;
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return html`<section class="card" id=${id}><h2>${title}</h2>${children}</section>`;
}

export function Severity({ severity }: { severity: string }) {
  return html`<span class=${`severity severity-${severity.toLowerCase()}`}>${severity}</span>`;
}
