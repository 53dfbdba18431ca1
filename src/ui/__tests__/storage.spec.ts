import { browserStorage } from '../storage';

describe('browserStorage', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reads and writes localStorage', () => {
    const store = browserStorage();
    store.setItem('gpu-session-test', 'a');
    expect(store.getItem('gpu-session-test')).toBe('a');
    store.removeItem('gpu-session-test');
    expect(store.getItem('gpu-session-test')).toBeNull();
  });

  it('keeps working when storage throws', () => {
    const refuse = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    jest.spyOn(Storage.prototype, 'getItem').mockImplementation(refuse);
    jest.spyOn(Storage.prototype, 'setItem').mockImplementation(refuse);
    jest.spyOn(Storage.prototype, 'removeItem').mockImplementation(refuse);
    const store = browserStorage();
    expect(() => store.setItem('k', 'v')).not.toThrow();
    expect(store.getItem('k')).toBeNull();
    expect(() => store.removeItem('k')).not.toThrow();
  });
});
