import { describe, expect, it } from 'vitest';
import { buildReport, formatNumber, formatTable, rateRow, targetMet, timingRow, type ResultRow } from '../../bench/report';

const meta = {
  timestamp: '2026-12-04T00:00:00.000Z',
  quick: false,
  machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 8, node: 'v20.0.0', platform: 'linux-x64' },
  loadAverage: { start: [1, 1, 1], end: [2, 1, 1] },
  durationSeconds: 12,
};

describe('result rows', () => {
  it('turns run times into a rate whose p99 is the rate of the slow run', () => {
    const row = rateRow('pipeline', 'images embedded', 'images/s', 100, [1000, 2000, 1000]);
    expect(row.median).toBe(100);
    expect(row.p99).toBeCloseTo(100_000 / 1980, 6);
  });

  it('leaves p99 out of a single run', () => {
    expect(timingRow('knn', 'build', [42]).p99).toBeUndefined();
  });
});

describe('targets', () => {
  const row = (median: number, target: ResultRow['target']): ResultRow => ({ section: 'knn', name: 'x', unit: 'x', median, runs: 1, ...(target && { target }) });

  it('checks >= and <= against the named statistic, the threshold itself counting as met', () => {
    expect(targetMet(row(10, { stat: 'median', op: '>=', threshold: 10 }))).toBe(true);
    expect(targetMet(row(9.99, { stat: 'median', op: '>=', threshold: 10 }))).toBe(false);
    expect(targetMet(timingRow('serving', 'search', [1, 2, 30], { target: { stat: 'p99', op: '<=', threshold: 10 } }))).toBe(false);
  });

  it('counts a target as missed when its statistic was not measured', () => {
    expect(targetMet(row(1, { stat: 'p99', op: '<=', threshold: 10 }))).toBe(false);
    expect(targetMet(row(1, undefined))).toBeUndefined();
  });

  it('lists every targeted row in the report with its value and verdict', () => {
    const report = buildReport(
      [row(12, { stat: 'median', op: '>=', threshold: 10 }), row(3, undefined), timingRow('serving', 'http', [40, 60], { target: { stat: 'p99', op: '<=', threshold: 50 } })],
      meta,
    );
    expect(report.targets).toEqual([
      { name: 'x', goal: 'median >= 10.0 x', value: 12, met: true },
      { name: 'http', goal: 'p99 <= 50.0 ms', value: 59.8, met: false },
    ]);
  });
});

describe('formatTable', () => {
  it('marks targets met or MISSED and names the machine and the load', () => {
    const report = buildReport(
      [
        timingRow('serving', 'in-process search', [1, 2, 3], { target: { stat: 'p99', op: '<=', threshold: 10 } }),
        timingRow('serving', 'HTTP search', [1, 2, 300], { target: { stat: 'p99', op: '<=', threshold: 50 }, note: 'loopback' }),
      ],
      meta,
    );
    const table = formatTable(report);
    expect(table).toMatch(/in-process search .* met$/m);
    expect(table).toMatch(/HTTP search .* MISSED$/m);
    expect(table).toMatch(/Test CPU, 2 cores, 8 GiB, node v20.0.0; load average 1 1 1 at start, 2 1 1 at end/);
    expect(table).toMatch(/targets met: 1 of 2/);
    expect(table).toMatch(/HTTP search: loopback/);
  });
});

describe('formatNumber', () => {
  it('keeps about three significant digits', () => {
    expect([formatNumber(51_883.2), formatNumber(123.4), formatNumber(12.34), formatNumber(1.234), formatNumber(0.01234), formatNumber(undefined)]).toEqual([
      '51,883',
      '123',
      '12.3',
      '1.23',
      '0.012',
      '-',
    ]);
  });
});
