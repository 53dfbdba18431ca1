import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { WarningList } from '../list';
import { WarningNotifier } from '../notifier';
import { WarningsSection } from '../section';
import { IWarningAction, IWarningFinding } from '../types';
import { NOW } from './fixtures';

function finding(title = 'GPU idle 15 min'): IWarningFinding {
  return {
    key: 'gpu-idle',
    rule: 'gpu-idle',
    severity: 'warning',
    title,
    detail: 'since 12:00',
    advice: 'check your code',
    actions: [
      {
        label: 'Insert GPU check',
        command: 'gpu-session:insert-template',
        args: { id: 'gpu-check' }
      }
    ]
  };
}

describe('WarningsSection', () => {
  it('lists warnings with their actions, snooze and dismiss', async () => {
    const list = new WarningList({ now: () => NOW });
    await list.restore();
    const ran: IWarningAction[] = [];
    const section = new WarningsSection({
      list,
      run: action => ran.push(action),
      snoozeMinutes: () => 30
    });
    expect(section.node.textContent).toContain('No warnings.');
    list.update('monitor', [finding()]);
    const item = section.node.querySelector('li')!;
    expect(item.textContent).toContain('GPU idle 15 min');
    expect(item.textContent).toContain('check your code');
    expect(section.node.dataset.count).toBe('1');
    const buttons = () =>
      Array.from(section.node.querySelectorAll('li button')) as HTMLElement[];
    expect(buttons().map(b => b.textContent)).toEqual([
      'Insert GPU check',
      'Snooze',
      'Dismiss'
    ]);
    buttons()[0].click();
    expect(ran[0].args).toEqual({ id: 'gpu-check' });
    buttons()[1].click();
    expect(section.node.querySelector('li')!.textContent).toContain(
      'Snoozed until'
    );
    expect(section.node.dataset.count).toBe('0');
    buttons()[1].click(); // Show again
    expect(section.node.dataset.count).toBe('1');
    buttons()[2].click(); // Dismiss
    expect(section.node.querySelector('li')!.textContent).toContain(
      'Dismissed until it clears'
    );
    section.dispose();
    list.update('monitor', []);
  });
});

describe('WarningNotifier', () => {
  it('notifies once, updates in place and dismisses when cleared or snoozed', async () => {
    Notification.dismiss();
    const list = new WarningList({ now: () => NOW });
    await list.restore();
    const notifier = new WarningNotifier({
      list,
      trans: nullTranslator.load('jupyterlab_gpu_session'),
      run: () => undefined,
      snoozeMinutes: () => 60,
      enabled: () => true
    });
    const mine = () =>
      Notification.manager.notifications.filter(n =>
        n.message.startsWith('GPU idle')
      );
    list.update('monitor', [finding()]);
    expect(mine()).toHaveLength(1);
    expect(mine()[0].options.actions?.map(a => a.label)).toEqual([
      'Insert GPU check',
      'Snooze'
    ]);
    list.update('monitor', [finding('GPU idle 16 min')]);
    expect(mine()).toHaveLength(1);
    expect(mine()[0].message).toBe('GPU idle 16 min');
    list.update('monitor', []);
    expect(mine()).toHaveLength(0);
    list.update('monitor', [finding()]);
    expect(mine()).toHaveLength(1);
    mine()[0].options.actions![1].callback(new MouseEvent('click'));
    expect(mine()).toHaveLength(0);
    expect(list.warnings[0].visible).toBe(false);
    notifier.dispose();
  });
});
