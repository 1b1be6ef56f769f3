import { briefly } from '../../../src/cli/errors';

describe('briefly', () => {
  it('when a gax error lists its previous attempts, then the list is dropped and the rest kept', () => {
    const message =
      'Total timeout of API google.pubsub.v1.Publisher exceeded 60000 milliseconds retrying error Error: 14 UNAVAILABLE: ' +
      'No connection established. : Previous errors : [{message: 14 UNAVAILABLE: x, code: 14},\n{message: y}]. Run the same broadcast again.';
    expect(briefly(message)).toBe(
      'Total timeout of API google.pubsub.v1.Publisher exceeded 60000 milliseconds retrying error Error: 14 UNAVAILABLE: ' +
        'No connection established.. Run the same broadcast again.',
    );
  });

  it('when a message has no such list, then it is unchanged', () => {
    expect(briefly('5 NOT_FOUND: Topic not found')).toBe('5 NOT_FOUND: Topic not found');
  });
});
