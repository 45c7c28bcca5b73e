/**
 * Silences and notification history, from the notifier's API (/api/silences, /api/notifications):
 * list, create (matchers, duration or end, author, comment) and expire.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { sendJson, type Notification, type Silence } from '../api.js';
import { Loading, Section } from '../components/common.js';
import { formatTime } from '../format.js';
import { usePoll } from '../poll.js';
import { Link, reportPath } from '../router.js';

function SilenceForm({ onCreated }: { onCreated: () => void }) {
  const [matchers, setMatchers] = useState('');
  const [duration, setDuration] = useState('2h');
  const [createdBy, setCreatedBy] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await sendJson<Silence>('POST', '/api/silences', {
        matchers: matchers.split(/[\n,]/).map((matcher) => matcher.trim()).filter(Boolean),
        duration, createdBy, comment,
      });
      setMatchers('');
      setComment('');
      onCreated();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <form class="silence-form" onSubmit=${submit} aria-label="new silence">
      <label>Matchers <span class="muted small">(one per line or comma: <code>node=worker-7</code>, <code>cause=~MEMORY.*</code>)</span>
        <textarea name="matchers" rows="2" required value=${matchers} onInput=${(e: Event) => setMatchers((e.target as HTMLTextAreaElement).value)}></textarea></label>
      <div class="row">
        <label>Duration <input name="duration" value=${duration} size="6" onInput=${(e: Event) => setDuration((e.target as HTMLInputElement).value)} /></label>
        <label>Created by <input name="createdBy" required value=${createdBy} onInput=${(e: Event) => setCreatedBy((e.target as HTMLInputElement).value)} /></label>
        <label class="grow">Comment <input name="comment" required value=${comment} onInput=${(e: Event) => setComment((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" disabled=${busy}>Create silence</button>
      </div>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>`;
}

export function SilencesPage() {
  const silences = usePoll<{ silences: Silence[] }>('/api/silences');
  const notifications = usePoll<{ notifications: Notification[] }>('/api/notifications?since=24h&limit=100');
  const [expireError, setExpireError] = useState<string | undefined>(undefined);
  const expire = async (id: string): Promise<void> => {
    setExpireError(undefined);
    try {
      await sendJson<Silence>('DELETE', `/api/silences/${encodeURIComponent(id)}`);
      silences.reload();
    } catch (failure) {
      setExpireError((failure as Error).message);
    }
  };
  return html`
    <${Section} title="Silences" id="silences">
      <${SilenceForm} onCreated=${silences.reload} />
      ${expireError && html`<p class="error" role="alert">${expireError}</p>`}
      ${!silences.data ? html`<${Loading} error=${silences.error} />` : silences.data.silences.length === 0 ? html`<p class="muted">No silences.</p>` : html`
        <table class="silences"><thead><tr><th>Matchers</th><th>Status</th><th>Starts</th><th>Ends</th><th>Created by</th><th>Comment</th><th></th></tr></thead>
          <tbody>${silences.data.silences.map((silence) => html`
            <tr data-silence=${silence.id} data-status=${silence.status}>
              <td>${silence.matchers.map((matcher) => html`<code>${matcher}</code> `)}</td>
              <td><span class=${`status status-${silence.status}`}>${silence.status}</span></td>
              <td class="nowrap">${formatTime(Date.parse(silence.startsAt))}</td>
              <td class="nowrap">${formatTime(Date.parse(silence.endsAt))}</td>
              <td>${silence.createdBy}</td>
              <td>${silence.comment}</td>
              <td>${silence.status !== 'expired' && html`<button class="danger" onClick=${() => void expire(silence.id)}>Expire</button>`}</td>
            </tr>`)}
          </tbody>
        </table>`}
    <//>
    <${Section} title="Notifications (last 24 h)" id="notifications">
      ${!notifications.data ? html`<${Loading} error=${notifications.error} />` : notifications.data.notifications.length === 0 ? html`<p class="muted">None sent, suppressed or failed.</p>` : html`
        <table class="notifications"><thead><tr><th>Time</th><th>Status</th><th>Channel</th><th>Receiver</th><th>Subject</th><th>About</th><th>Attempts</th><th>Error / reason</th></tr></thead>
          <tbody>${notifications.data.notifications.map((notification) => html`
            <tr data-notification=${notification.id}>
              <td class="nowrap">${formatTime(notification.timestampMs)}</td>
              <td><span class=${`status status-${notification.status.toLowerCase()}`}>${notification.status}</span></td>
              <td>${notification.channel}</td><td>${notification.receiver}</td><td>${notification.subject}</td>
              <td>${notification.dedupKey.startsWith('report:')
                ? notification.sourceIds.map((id) => html`<${Link} href=${reportPath(id)}>report<//> `)
                : html`<span class="small muted">${notification.dedupKey}</span>`}</td>
              <td class="num">${notification.attempts}</td><td class="small">${notification.error ?? ''}</td>
            </tr>`)}
          </tbody>
        </table>`}
    <//>`;
}
