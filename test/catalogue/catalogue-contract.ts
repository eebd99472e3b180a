// What every Catalogue does, checked through the interface alone: each implementation registers
// these cases with a factory that opens a fresh, empty catalogue and a clock the test moves.
import assert from 'node:assert/strict';
import type { SyncReport } from '../../src/domain.js';
import type { Catalogue, LockHolder } from '../../src/index/catalogue.js';

export interface CatalogueUnderTest {
  catalogue: Catalogue;
  /** Moves the clock the catalogue writes its times with. */
  advance(ms: number): void;
  close(): Promise<void>;
}

const here: LockHolder = { pid: 101, host: 'replica-a' };
const there: LockHolder = { pid: 202, host: 'replica-b' };
const alive = () => true;
const dead = () => false;
const document = (id: string, source = 'docs', contentHash = `hash-${id}`) => ({ id, source, path: `${id}.md`, contentHash });

export const report = (source: string, added = 1): SyncReport => ({
  source,
  added,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  skipped: [],
  failed: [{ path: 'broken.pdf', reason: 'unreadable' }],
  error: null,
  durationMs: 12,
});

export function describeCatalogue(name: string, open: () => Promise<CatalogueUnderTest>): void {
  describe(`${name} (Catalogue contract)`, () => {
    let subject: CatalogueUnderTest;
    let catalogue: Catalogue;
    beforeEach(async () => {
      subject = await open();
      catalogue = subject.catalogue;
    });
    afterEach(() => subject.close());

    describe('documents', () => {
      it('keeps each committed document with its hash, version and needs-embedding flag, per source', async () => {
        await catalogue.commitVersion(document('leave'), 1, false);
        await catalogue.commitVersion(document('vpn'), 3, true);
        await catalogue.commitVersion(document('wiki-home', 'wiki'), 1, false);
        assert.deepEqual(
          await catalogue.documentsOf('docs'),
          new Map([
            ['leave', { contentHash: 'hash-leave', version: 1, needsEmbedding: false }],
            ['vpn', { contentHash: 'hash-vpn', version: 3, needsEmbedding: true }],
          ]),
        );
        assert.deepEqual([...(await catalogue.documentsOf('wiki')).keys()], ['wiki-home']);
        assert.deepEqual(await catalogue.documentsOf('nowhere'), new Map());
      });

      it('makes a new version current over the old one', async () => {
        await catalogue.commitVersion(document('leave', 'docs', 'old'), 1, true);
        await catalogue.commitVersion(document('leave', 'docs', 'new'), 2, false);
        assert.deepEqual((await catalogue.documentsOf('docs')).get('leave'), { contentHash: 'new', version: 2, needsEmbedding: false });
        assert.deepEqual(await catalogue.currentVersions(['leave']), new Map([['leave', 2]]));
      });

      it('tells the current versions of the documents it knows, and nothing of the others', async () => {
        await catalogue.commitVersion(document('leave'), 4, false);
        await catalogue.commitVersion(document('vpn'), 2, false);
        assert.deepEqual(await catalogue.currentVersions(['leave', 'vpn', 'unknown']), new Map([['leave', 4], ['vpn', 2]]));
        assert.deepEqual(await catalogue.currentVersions([]), new Map());
      });

      it('forgets documents at once, and only those', async () => {
        for (const id of ['a', 'b', 'c']) await catalogue.commitVersion(document(id), 1, false);
        await catalogue.forgetDocuments(['a', 'c']);
        await catalogue.forgetDocuments([]);
        assert.deepEqual([...(await catalogue.documentsOf('docs')).keys()], ['b']);
        assert.deepEqual(await catalogue.currentVersions(['a', 'b', 'c']), new Map([['b', 1]]));
      });

      it('marks every document of every source as needing embedding', async () => {
        await catalogue.commitVersion(document('leave'), 1, false);
        await catalogue.commitVersion(document('wiki-home', 'wiki'), 1, false);
        await catalogue.markAllNeedEmbedding();
        assert.equal((await catalogue.documentsOf('docs')).get('leave')!.needsEmbedding, true);
        assert.equal((await catalogue.documentsOf('wiki')).get('wiki-home')!.needsEmbedding, true);
      });
    });

    describe('sources', () => {
      it('reports each synced source with its document count and last sync, by name', async () => {
        await catalogue.commitVersion(document('leave'), 1, false);
        await catalogue.commitVersion(document('vpn'), 1, false);
        await catalogue.recordSync({ name: 'wiki', kind: 'confluence', location: '/exports/wiki.zip' }, report('wiki'), new Date('2025-03-01T03:00:00Z'));
        await catalogue.recordSync({ name: 'docs', kind: 'folder', location: '/docs' }, report('docs'), new Date('2025-03-01T03:05:00Z'));
        assert.deepEqual(await catalogue.sourceStatuses(), [
          { name: 'docs', kind: 'folder', location: '/docs', documents: 2, lastSyncAt: new Date('2025-03-01T03:05:00Z') },
          { name: 'wiki', kind: 'confluence', location: '/exports/wiki.zip', documents: 0, lastSyncAt: new Date('2025-03-01T03:00:00Z') },
        ]);
      });

      it('replaces a source\'s record with its latest sync', async () => {
        await catalogue.recordSync({ name: 'docs', kind: 'folder', location: '/old' }, report('docs'), new Date('2025-03-01T03:00:00Z'));
        await catalogue.recordSync({ name: 'docs', kind: 'folder', location: '/new' }, report('docs', 5), new Date('2025-03-02T03:00:00Z'));
        assert.deepEqual(await catalogue.sourceStatuses(), [{ name: 'docs', kind: 'folder', location: '/new', documents: 0, lastSyncAt: new Date('2025-03-02T03:00:00Z') }]);
      });
    });

    describe('sync runs and the lock', () => {
      it('records a run that takes the free lock as running, with who asked and for which sources', async () => {
        assert.equal(await catalogue.beginRun({ id: 'r1', requestedBy: 'slack:U123', sources: ['docs', 'wiki'] }, here, alive), null);
        const run = await catalogue.getRun('r1');
        assert.equal(run!.status, 'running');
        assert.equal(run!.requestedBy, 'slack:U123');
        assert.deepEqual(run!.sources, ['docs', 'wiki']);
        assert.ok(run!.startedAt instanceof Date);
        assert.equal(run!.finishedAt, null);
        assert.deepEqual(run!.reports, []);
      });

      it('gives a second request the running run while its holder is alive, and records nothing for it', async () => {
        await catalogue.beginRun({ id: 'r1', requestedBy: 'schedule', sources: ['docs'] }, here, alive);
        const running = await catalogue.beginRun({ id: 'r2', requestedBy: 'cli:bob', sources: ['docs'] }, there, alive);
        assert.equal(running!.id, 'r1');
        assert.equal(running!.requestedBy, 'schedule');
        assert.equal(running!.status, 'running');
        assert.equal(await catalogue.getRun('r2'), null);
      });

      it('asks about the holder with its pid, host and last heartbeat, which heartbeat moves forward', async () => {
        await catalogue.beginRun({ id: 'r1', requestedBy: 'schedule', sources: ['docs'] }, here, alive);
        const asked: Array<LockHolder & { heartbeatAt: Date }> = [];
        const ask = (holder: LockHolder & { heartbeatAt: Date }) => (asked.push(holder), true);
        await catalogue.beginRun({ id: 'r2', requestedBy: 'cli', sources: ['docs'] }, there, ask);
        subject.advance(30_000);
        await catalogue.heartbeat('r1');
        await catalogue.beginRun({ id: 'r3', requestedBy: 'cli', sources: ['docs'] }, there, ask);
        assert.deepEqual(
          asked.map(({ pid, host }) => ({ pid, host })),
          [here, here],
        );
        assert.equal(asked[1]!.heartbeatAt.getTime() - asked[0]!.heartbeatAt.getTime(), 30_000);
        assert.equal(asked[0]!.heartbeatAt.getTime(), (await catalogue.getRun('r1'))!.startedAt.getTime());
      });

      it('takes the lock from a holder that is not alive, and marks its run failed', async () => {
        await catalogue.beginRun({ id: 'r1', requestedBy: 'schedule', sources: ['docs'] }, here, alive);
        subject.advance(60_000);
        assert.equal(await catalogue.beginRun({ id: 'r2', requestedBy: 'cli', sources: ['docs'] }, there, dead), null);
        const abandoned = await catalogue.getRun('r1');
        assert.equal(abandoned!.status, 'failed');
        assert.equal(abandoned!.finishedAt!.getTime() - abandoned!.startedAt.getTime(), 60_000);
        assert.equal((await catalogue.getRun('r2'))!.status, 'running');
        // The new holder has the lock now.
        assert.equal((await catalogue.beginRun({ id: 'r3', requestedBy: 'cli', sources: ['docs'] }, here, alive))!.id, 'r2');
      });

      it('does not let a heartbeat of a run that lost the lock take it back', async () => {
        await catalogue.beginRun({ id: 'r1', requestedBy: 'schedule', sources: ['docs'] }, here, alive);
        await catalogue.beginRun({ id: 'r2', requestedBy: 'cli', sources: ['docs'] }, there, dead);
        await catalogue.heartbeat('r1');
        assert.equal((await catalogue.beginRun({ id: 'r3', requestedBy: 'cli', sources: ['docs'] }, here, alive))!.id, 'r2');
      });

      it('records the outcome and reports of a finished run, and frees the lock without asking about its holder', async () => {
        await catalogue.beginRun({ id: 'r1', requestedBy: 'schedule', sources: ['docs'] }, here, alive);
        subject.advance(5_000);
        await catalogue.finishRun('r1', 'succeeded', [report('docs', 7)]);
        const run = await catalogue.getRun('r1');
        assert.equal(run!.status, 'succeeded');
        assert.deepEqual(run!.reports, [report('docs', 7)]);
        assert.equal(run!.finishedAt!.getTime() - run!.startedAt.getTime(), 5_000);
        let asked = false;
        assert.equal(await catalogue.beginRun({ id: 'r2', requestedBy: 'cli', sources: ['docs'] }, there, () => (asked = true)), null);
        assert.equal(asked, false);
      });

      it('lists recent runs newest first, keeping the last 50 finished ones', async () => {
        for (let n = 1; n <= 53; n++) {
          await catalogue.beginRun({ id: `r${n}`, requestedBy: 'schedule', sources: ['docs'] }, here, alive);
          await catalogue.finishRun(`r${n}`, n % 2 === 0 ? 'succeeded' : 'failed', []);
          subject.advance(1000);
        }
        assert.deepEqual((await catalogue.recentRuns(3)).map((run) => run.id), ['r53', 'r52', 'r51']);
        assert.equal((await catalogue.recentRuns(100)).length, 50);
        assert.equal(await catalogue.getRun('r3'), null);
        assert.equal((await catalogue.getRun('r4'))!.status, 'succeeded');
      });

      it('knows no run it did not record', async () => {
        assert.equal(await catalogue.getRun('nope'), null);
        assert.deepEqual(await catalogue.recentRuns(5), []);
      });
    });

    describe('answers and feedback', () => {
      const answer = (messageId: string, conversationId = 'slack:C1', question = 'How many days of leave?') => ({
        messageId,
        platform: 'slack',
        conversationId,
        question,
        answer: 'Twenty-eight days [1].',
        citedDocumentIds: ['leave', 'holidays'],
      });

      it('stores feedback with the answer it rates: question, answer and cited documents', async () => {
        await catalogue.recordAnswer(answer('m1'));
        subject.advance(1000);
        assert.equal(await catalogue.recordFeedback({ messageId: 'm1', conversationId: 'slack:C1', userId: 'U1', reaction: 'dislike', comment: 'Out of date' }), true);
        const [stored] = await catalogue.recentFeedback(5);
        const { at, ...rest } = stored!;
        assert.deepEqual(rest, { ...answer('m1'), userId: 'U1', reaction: 'dislike', comment: 'Out of date' });
        assert.ok(at instanceof Date);
        assert.deepEqual(await catalogue.feedbackCounts(), { like: 0, dislike: 1 });
      });

      it('refuses feedback on an answer it does not know', async () => {
        assert.equal(await catalogue.recordFeedback({ messageId: 'unknown', conversationId: 'slack:C1', userId: 'U1', reaction: 'like', comment: null }), false);
        assert.equal(await catalogue.recordFeedback({ messageId: null, conversationId: 'slack:C1', userId: 'U1', reaction: 'like', comment: null }), false);
        assert.deepEqual(await catalogue.feedbackCounts(), { like: 0, dislike: 0 });
        assert.deepEqual(await catalogue.recentFeedback(5), []);
      });

      it('without a message id, rates the conversation\'s latest answer', async () => {
        await catalogue.recordAnswer(answer('m1', 'teams:c1', 'first'));
        subject.advance(1000);
        await catalogue.recordAnswer(answer('m2', 'teams:c1', 'second'));
        await catalogue.recordAnswer(answer('m3', 'teams:other', 'elsewhere'));
        assert.equal(await catalogue.recordFeedback({ messageId: null, conversationId: 'teams:c1', userId: 'U1', reaction: 'like', comment: null }), true);
        assert.deepEqual((await catalogue.recentFeedback(5)).map((f) => f.question), ['second']);
      });

      it('keeps one rating per person and answer, the latest, and counts them', async () => {
        await catalogue.recordAnswer(answer('m1'));
        await catalogue.recordFeedback({ messageId: 'm1', conversationId: 'slack:C1', userId: 'U1', reaction: 'like', comment: null });
        subject.advance(1000);
        await catalogue.recordFeedback({ messageId: 'm1', conversationId: 'slack:C1', userId: 'U1', reaction: 'dislike', comment: 'changed my mind' });
        await catalogue.recordFeedback({ messageId: 'm1', conversationId: 'slack:C1', userId: 'U2', reaction: 'like', comment: null });
        assert.deepEqual(await catalogue.feedbackCounts(), { like: 1, dislike: 1 });
        const feedback = await catalogue.recentFeedback(5);
        assert.deepEqual(
          feedback.map((f) => [f.userId, f.reaction, f.comment]).sort(),
          [
            ['U1', 'dislike', 'changed my mind'],
            ['U2', 'like', null],
          ],
        );
        assert.equal((await catalogue.recentFeedback(1)).length, 1);
      });

      it('lists feedback newest first', async () => {
        for (const id of ['m1', 'm2', 'm3']) await catalogue.recordAnswer(answer(id, `slack:${id}`, `question ${id}`));
        for (const id of ['m2', 'm1', 'm3']) {
          subject.advance(1000);
          await catalogue.recordFeedback({ messageId: id, conversationId: `slack:${id}`, userId: 'U1', reaction: 'like', comment: null });
        }
        assert.deepEqual((await catalogue.recentFeedback(2)).map((f) => f.messageId), ['m3', 'm1']);
      });
    });
  });
}
