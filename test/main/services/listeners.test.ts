import { Listeners } from '../../../main/services/listeners';

describe('Listeners', () => {
  it('calls every listener even when one throws, and stops calling one that unsubscribed', () => {
    const l = new Listeners<number>();
    const seen: number[] = [];
    l.add(() => {
      throw new Error('gone');
    });
    const off = l.add((n) => seen.push(n));
    l.emit(1);
    off();
    l.emit(2);
    expect(seen).toEqual([1]);
  });
});
