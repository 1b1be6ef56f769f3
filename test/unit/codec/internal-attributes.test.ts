import { signInternal, trustedAttributes } from '../../../src/codec/internal-attributes';
import { SIGNATURE_ATTRIBUTE } from '../../../src/codec/attributes';

const KEY = 'k'.repeat(32);
const OLD_KEY = 'o'.repeat(32);
const data = Buffer.from('{"notificationId":"n-1"}');
const attributes = { origin: 'orders', notifier_target: 'EMAIL:0a1b2c3d', notifier_routed_from: 'm-1' };

describe('signInternal / trustedAttributes', () => {
  test('when the notifier_* attributes are signed with the key, then all of them are trusted and the signature is not passed on', () => {
    expect(trustedAttributes(data, signInternal(data, attributes, KEY), [KEY])).toEqual({ attributes, ignored: [] });
  });

  test('when a key is being rotated, then a signature made with the previous key is still accepted', () => {
    expect(trustedAttributes(data, signInternal(data, attributes, OLD_KEY), [KEY, OLD_KEY]).ignored).toEqual([]);
  });

  test.each([
    ['unsigned', attributes],
    ['signed with another key', signInternal(data, attributes, 'x'.repeat(32))],
    ['with a value changed after signing', { ...signInternal(data, attributes, KEY), notifier_target: 'EMAIL:ffffffff' }],
    ['with an attribute added after signing', { ...signInternal(data, attributes, KEY), notifier_release_of: 'm-2' }],
    ['with a signature that is not one', { ...attributes, [SIGNATURE_ATTRIBUTE]: 'v1=' }],
  ])('when the attributes are %s, then every notifier_* one is ignored and the producer\'s kept', (_, given) => {
    const result = trustedAttributes(data, given, [KEY]);
    expect(result.attributes).toEqual({ origin: 'orders' });
    expect(result.ignored.sort()).toEqual(Object.keys(given).filter((k) => k.startsWith('notifier_') && k !== SIGNATURE_ATTRIBUTE).sort());
  });

  test('when signed attributes are put on other data, then they are ignored', () => {
    const signed = signInternal(data, attributes, KEY);
    expect(trustedAttributes(Buffer.from('{"notificationId":"n-2"}'), signed, [KEY]).ignored).toHaveLength(2);
  });

  test('when there is no notifier_* attribute, then nothing is signed and a stray signature is dropped', () => {
    expect(signInternal(data, { origin: 'orders' }, KEY)).toEqual({ origin: 'orders' });
    expect(trustedAttributes(data, { origin: 'orders', [SIGNATURE_ATTRIBUTE]: 'v1=x' }, [KEY])).toEqual({ attributes: { origin: 'orders' }, ignored: [] });
  });

  test('when the verifier has no key, then nothing is trusted', () => {
    expect(trustedAttributes(data, signInternal(data, attributes, KEY), []).ignored).toHaveLength(2);
  });
});
