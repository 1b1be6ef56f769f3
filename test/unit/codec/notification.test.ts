import { CHANNELS, channelName } from '../../../src/codec/notification';

describe('channelName', () => {
  test.each(Object.entries(CHANNELS))('when given the number of %s, then it returns that name', (name, value) => {
    expect(channelName(value)).toBe(name);
  });

  test.each([7, -1, 1.5, 42])('when given %p, which is not a channel, then it returns undefined', (value) => {
    expect(channelName(value)).toBeUndefined();
  });
});
