import { rolloutWaves } from '../../lib/bootstrap/waves';

const hosts = (spec: string) => spec.split(' ').map((s) => ({ name: s.replace('*', ''), manager: s.endsWith('*') }));

describe('rolloutWaves', () => {
  test.each([
    ['h1* h2 h3', 1, [['h1'], ['h2'], ['h3']]],
    ['h1* h2 h3', 2, [['h1', 'h2'], ['h3']]],
    ['h1* h2* h3* h4 h5', 3, [['h1'], ['h2'], ['h3', 'h4', 'h5']]],
    ['w1 m1* w2 m2* w3', 5, [['w1', 'm1*'.replace('*', ''), 'w2'], ['m2', 'w3']]],
    ['a b c d', 10, [['a', 'b', 'c', 'd']]],
  ])('%s in waves of %i', (spec, size, waves) => {
    expect(rolloutWaves(hosts(spec), size)).toEqual(waves);
  });

  test('no hosts, no waves', () => {
    expect(rolloutWaves([], 1)).toEqual([]);
  });
});
