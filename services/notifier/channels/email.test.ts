import { createServer, type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src/errors.js';
import { renderReportEmail } from '../core/render.js';
import { memoryGrowthReport } from '../core/testdata/report.js';
import { classifySendError, createEmailChannel } from './email.js';

interface Received {
  mailFrom: string;
  rcptTo: string[];
  mail: ParsedMail;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives and rejects two special mailboxes. */
async function startSmtpServer() {
  const received: Received[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('full@')) return callback(smtpError('5.2.2 mailbox full', 552));
      if (address.address.startsWith('greylisted@')) return callback(smtpError('4.7.1 greylisted, try again later', 451));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            mail,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { received, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('email channel over a real SMTP conversation', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('delivers the report as a text and HTML mail that names the process', async () => {
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: 'vigil@example.com', to: ['sre@example.com', 'oncall@example.com'] });
    try {
      const message = renderReportEmail(memoryGrowthReport);
      expect(await channel.send(message)).toEqual({ ok: true });
    } finally {
      channel.close();
    }
    expect(smtp.received).toHaveLength(1);
    const { mailFrom, rcptTo, mail } = smtp.received[0]!;
    expect(mailFrom).toBe('vigil@example.com');
    expect(rcptTo).toEqual(['sre@example.com', 'oncall@example.com']);
    expect(mail.subject).toBe('[Vigil] CRITICAL MEMORY_LEAK_PROCESS on prod-eu/worker-7: process python3 (pid 4242) grew its RSS by 1000.0 MiB at 40.0 MiB/s to 1.5 GiB');
    expect(mail.text).toContain('process python3 (pid 4242)');
    expect(mail.text).toContain('$ cat /proc/4242/status');
    expect(mail.html).toEqual(expect.stringContaining('<code>pmap -x 4242</code>'));
  });

  it('threads the messages of one group: each replies to and references the same root', async () => {
    const before = smtp.received.length;
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: 'vigil@example.com', to: ['sre@example.com'] });
    const email = renderReportEmail(memoryGrowthReport);
    expect(await channel.send({ ...email, thread: 'c0ffee' })).toEqual({ ok: true });
    expect(await channel.send({ ...email, subject: `RESOLVED ${email.subject}`, thread: 'c0ffee' })).toEqual({ ok: true });
    expect(await channel.send({ ...email, thread: 'digest:beef' })).toEqual({ ok: true });
    expect(await channel.send(email)).toEqual({ ok: true });
    channel.close();
    const mails = smtp.received.slice(before).map((r) => r.mail);
    expect(mails.map((mail) => [mail.inReplyTo, mail.references])).toEqual([
      ['<vigil-group-c0ffee@example.com>', '<vigil-group-c0ffee@example.com>'],
      ['<vigil-group-c0ffee@example.com>', '<vigil-group-c0ffee@example.com>'],
      ['<vigil-group-digest-beef@example.com>', '<vigil-group-digest-beef@example.com>'],
      [undefined, undefined],
    ]);
    expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(4);
  });

  it('reports a 5xx rejection as not retriable', async () => {
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: 'vigil@example.com', to: ['full@example.com'] });
    try {
      const result = await channel.send(renderReportEmail(memoryGrowthReport));
      expect(result).toMatchObject({ ok: false, retry: false });
      expect(result.ok === false && result.error).toContain('552');
    } finally {
      channel.close();
    }
  });

  it('reports a 4xx rejection as retriable', async () => {
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: 'vigil@example.com', to: ['greylisted@example.com'] });
    try {
      const result = await channel.send(renderReportEmail(memoryGrowthReport));
      expect(result).toMatchObject({ ok: false, retry: true });
      expect(result.ok === false && result.error).toContain('451');
    } finally {
      channel.close();
    }
  });

  it('does not retry when some receivers accepted, so they get no duplicate', async () => {
    const before = smtp.received.length;
    const channel = createEmailChannel({ smtpUrl: smtp.url, from: 'vigil@example.com', to: ['sre@example.com', 'greylisted@example.com'] });
    try {
      const result = await channel.send(renderReportEmail(memoryGrowthReport));
      expect(result).toMatchObject({ ok: false, retry: false });
      expect(result.ok === false && result.error).toContain('greylisted@example.com');
    } finally {
      channel.close();
    }
    expect(smtp.received.slice(before).map((r) => r.rcptTo)).toEqual([['sre@example.com']]);
  });
});

describe('email channel failures without an SMTP reply', () => {
  it('reports a refused connection as retriable', async () => {
    const channel = createEmailChannel({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, from: 'vigil@example.com', to: ['sre@example.com'] });
    try {
      expect(await channel.send(renderReportEmail(memoryGrowthReport))).toMatchObject({ ok: false, retry: true });
    } finally {
      channel.close();
    }
  });

  it('rejects an invalid config with VIGIL_CONFIG naming the field', () => {
    const attempt = () => createEmailChannel({ smtpUrl: 'http://mail.example.com', from: 'vigil@example.com', to: [] });
    expect(attempt).toThrow(VigilError);
    expect(attempt).toThrow(/smtpUrl.*to:/);
  });

  it.each([
    [{ responseCode: 421, response: '421 service not available' }, true],
    [{ responseCode: 550, response: '550 no such user' }, false],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, true],
    [{ code: 'EAUTH', message: 'Invalid login' }, false],
    [{ code: 'EAUTH', responseCode: 454, response: '454 temporary authentication failure' }, true],
  ])('classifies %o as retry=%s', (error, retry) => {
    expect(classifySendError(error).retry).toBe(retry);
  });
});
