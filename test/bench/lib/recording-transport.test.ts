import { describeWaves, RecordingTransport, wavesAfterAuth } from '../../../bench/lib/recording-transport';
import { NOTARY_ORIGIN } from '../../../shared/notary/origin';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../../shared/registry/http';

/** Answers each URL with the status the test gives it, when the test says so (so ordering is under control). */
class ManualTransport implements HttpTransport {
  readonly pending = new Map<string, (response: HttpResponse) => void>();
  request(request: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve) => this.pending.set(request.url, resolve));
  }
  answer(url: string, status = 200): void {
    this.pending.get(url)?.({ status, headers: {}, body: new Uint8Array() });
    this.pending.delete(url);
  }
}

const tuf = (name: string) => `https://notary.test/v2/example.com/app/_trust/tuf/${name}`;
const get = (url: string): HttpRequest => ({ url, origin: NOTARY_ORIGIN, maxBytes: 1024, timeoutMs: 1_000 });
const HEX = 'f'.repeat(64);

describe('the recording transport of the bench', () => {
  describe('when requests go out together, then one after the other', () => {
    it('puts concurrent requests in one wave and each dependent request in the next', async () => {
      const manual = new ManualTransport();
      const recording = new RecordingTransport(manual);
      const root = recording.request(get(tuf('root.json')));
      const timestamp = recording.request(get(tuf('timestamp.json')));
      manual.answer(tuf('root.json'), 401);
      manual.answer(tuf('timestamp.json'), 401);
      await Promise.all([root, timestamp]);
      const token = recording.request(get('https://auth.test/token?scope=repository:example.com/app:pull'));
      manual.answer('https://auth.test/token?scope=repository:example.com/app:pull');
      await token;
      const snapshot = recording.request(get(tuf(`snapshot.${HEX}.json`)));
      manual.answer(tuf(`snapshot.${HEX}.json`));
      await snapshot;

      expect(recording.requests.map((r) => r.wave)).toEqual([0, 0, 1, 2]);
      expect(describeWaves(recording.requests)).toBe('root,timestamp (401) > token > snapshot.{sha256}');
    });
  });

  describe('when a delegated role is fetched', () => {
    it('names it by its role, slash included, not as a token request', async () => {
      const manual = new ManualTransport();
      const recording = new RecordingTransport(manual);
      const releases = recording.request(get(tuf('targets/releases.json')));
      manual.answer(tuf('targets/releases.json'), 404);
      await releases;
      expect(recording.requests).toEqual([{ what: 'targets/releases.json', status: 404, wave: 0 }]);
    });
  });

  describe('when an OCI registry is asked', () => {
    it('names manifests (HEAD or GET), referrers and blobs, and counts the waves after the token', async () => {
      const manual = new ManualTransport();
      const recording = new RecordingTransport(manual);
      const v2 = (rest: string) => `https://registry.test/v2/team/app/${rest}`;
      const digest = `sha256:${HEX}`;
      const first = [
        recording.request({ ...get(v2(`manifests/${digest}`)), method: 'HEAD' }),
        recording.request(get(v2(`referrers/${digest}`))),
      ];
      manual.answer(v2(`manifests/${digest}`), 401);
      manual.answer(v2(`referrers/${digest}`), 401);
      await Promise.all(first);
      const token = recording.request(get('https://registry.test/token?scope=repository:team/app:pull'));
      manual.answer('https://registry.test/token?scope=repository:team/app:pull');
      await token;
      const referrers = recording.request(get(v2(`referrers/${digest}`)));
      manual.answer(v2(`referrers/${digest}`));
      await referrers;
      const blob = recording.request(get(v2(`blobs/${digest}`)));
      manual.answer(v2(`blobs/${digest}`));
      await blob;

      expect(describeWaves(recording.requests)).toBe('HEAD manifest,referrers (401) > token > referrers > blob');
      expect(wavesAfterAuth(recording.requests)).toBe(2);
    });

    it('counts every wave as after auth when no token was fetched', async () => {
      const manual = new ManualTransport();
      const recording = new RecordingTransport(manual);
      const pending = recording.request(get('https://registry.test/v2/team/app/manifests/v1'));
      manual.answer('https://registry.test/v2/team/app/manifests/v1');
      await pending;
      expect(wavesAfterAuth(recording.requests)).toBe(1);
    });
  });

  describe('when a request fails', () => {
    it('records it with status 0 and passes the error on', async () => {
      const failing: HttpTransport = { request: () => Promise.reject(new Error('connection refused')) };
      const recording = new RecordingTransport(failing);
      await expect(recording.request(get(tuf('root.json')))).rejects.toThrow('connection refused');
      expect(recording.requests).toEqual([{ what: 'root.json', status: 0, wave: 0 }]);
    });
  });

  describe('after reset', () => {
    it('starts again from wave 0 with nothing recorded', async () => {
      const manual = new ManualTransport();
      const recording = new RecordingTransport(manual);
      const first = recording.request(get(tuf('root.json')));
      manual.answer(tuf('root.json'));
      await first;
      recording.reset();
      const second = recording.request(get(tuf('timestamp.json')));
      manual.answer(tuf('timestamp.json'));
      await second;
      expect(recording.requests).toEqual([{ what: 'timestamp.json', status: 200, wave: 0 }]);
    });
  });
});
