import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { nullTranslator } from '@jupyterlab/translation';
import { CheckpointRequests } from '../requests';
import { CheckpointSection } from '../section';
import { parseSample } from '../../monitor/parser';
import { teslaT4Sample } from '../../__tests__/samples';

describe('CheckpointSection', () => {
  it('asks through its button and shows what became of the request', () => {
    const requests = new CheckpointRequests({ newId: () => 'r9' });
    const asked: string[] = [];
    const section = new CheckpointSection({
      requests,
      trans: nullTranslator.load('jupyterlab_gpu_session'),
      checkpointNow: () => {
        asked.push('now');
        requests.request('Checkpoint now', 'manual', ['/ckpt']);
      },
      hasFolders: () => false,
      answerMs: () => 300_000
    });
    Widget.attach(section, document.body);
    expect(section.node.textContent).toContain('No checkpoint folder is known');
    section.node.querySelector('button')!.click();
    expect(asked).toEqual(['now']);
    const raw = teslaT4Sample();
    raw.checkpoint = {
      patterns: ['/ckpt/*.pt'],
      newest_path: null,
      newest_mtime: null,
      newest_size_bytes: null,
      matched: 0,
      error: null,
      loops: [
        {
          directory: '/ckpt',
          state: 'running',
          step: 7,
          request: { id: 'r9', state: 'saved' },
          last_save: {
            path: '/ckpt/a.pt',
            bytes: 3 * 1024 ** 2,
            seconds: 2,
            copy: null
          }
        }
      ]
    };
    raw.checkpoint_request_result = {
      id: 'r9',
      directories: { '/ckpt': { ok: true, error: null } }
    };
    const parsed = parseSample(raw);
    requests.update(parsed.ok ? parsed.sample : (undefined as never));
    MessageLoop.flush();
    const state = section.node.querySelector('.jp-GpuSession-request')!;
    expect(state.getAttribute('data-phase')).toBe('saved');
    expect(state.textContent).toBe(
      'Checkpoint saved: /ckpt/a.pt (3.0 MiB in 2s); no persistent copy.'
    );
    expect(section.node.textContent).toContain(
      'Training loop in /ckpt: running, step 7.'
    );
    section.dispose();
    requests.dispose();
  });
});
