import { DEFAULT_MIN_PART_SIZE, MIB, partRange, planParts, S3_MAX_PART, S3_MAX_PARTS, S3_MIN_PART } from '../../../../main/services/uploads/part-size';

const TIB = 1024 * 1024 * MIB;

describe('planParts', () => {
  it('uses one PUT below the threshold (16 MiB by default) and multipart from it', () => {
    expect(planParts(0)).toEqual({ multipart: false, partSize: 0, parts: 1 });
    expect(planParts(16 * MIB - 1).multipart).toBe(false);
    expect(planParts(16 * MIB)).toEqual({ multipart: true, partSize: DEFAULT_MIN_PART_SIZE, parts: 2 });
  });

  it('grows the part size so every size S3 accepts stays under 10,000 parts of at most 5 GiB', () => {
    for (const size of [80 * 1024 * MIB, 100 * 1024 * MIB, TIB, 5 * TIB]) {
      const plan = planParts(size);
      expect(plan.parts, `${size}`).toBeLessThanOrEqual(S3_MAX_PARTS);
      expect(plan.partSize).toBeLessThanOrEqual(S3_MAX_PART);
      expect(plan.partSize % MIB).toBe(0);
      expect(plan.parts * plan.partSize).toBeGreaterThanOrEqual(size);
    }
    expect(planParts(5 * TIB).partSize).toBe(525 * MIB);
  });

  it('never plans parts below S3’s 5 MiB minimum, even when asked to', () => {
    expect(planParts(20 * MIB, { multipartThreshold: MIB, minPartSize: MIB }).partSize).toBe(S3_MIN_PART);
  });
});

describe('partRange', () => {
  it('gives [start, end) ranges with a short last part', () => {
    expect(partRange(1, 5, 12)).toEqual({ start: 0, end: 5 });
    expect(partRange(3, 5, 12)).toEqual({ start: 10, end: 12 });
  });
});
