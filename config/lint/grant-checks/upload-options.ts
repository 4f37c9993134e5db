// spec.upload: a usable maxFileSize, and onConflict not contradicting allowReplace.
import { S3_MAX_OBJECT_BYTES, parseSize } from '../../schema';
import { isRecord } from '../diagnostic';
import { rangeFor } from '../locate';
import type { GrantCheck } from './types';

export const checkUploadOptions: GrantCheck = ({ ctx, doc, spec }) => {
  const upload = isRecord(spec.upload) ? spec.upload : undefined;
  if (upload?.maxFileSize !== undefined && (typeof upload.maxFileSize === 'string' || typeof upload.maxFileSize === 'number')) {
    const bytes = parseSize(upload.maxFileSize);
    const path = ['spec', 'upload', 'maxFileSize'];
    if (bytes === null) ctx.add(rangeFor(doc, path), path, 'INVALID_SIZE', `maxFileSize "${String(upload.maxFileSize)}" is not a size; write e.g. 500MB or 5GiB`);
    else if (bytes === 0) ctx.add(rangeFor(doc, path), path, 'INVALID_SIZE', 'maxFileSize 0 would refuse every file');
    else if (bytes > S3_MAX_OBJECT_BYTES) ctx.add(rangeFor(doc, path), path, 'INVALID_SIZE', `maxFileSize ${String(upload.maxFileSize)} is larger than 5TiB, the largest object S3 stores`);
  }

  if (upload?.onConflict === 'replace' && upload.allowReplace === false) {
    ctx.add(rangeFor(doc, ['spec', 'upload', 'allowReplace']), ['spec', 'upload', 'allowReplace'], 'CONFLICTING_UPLOAD_OPTIONS', 'onConflict is "replace" but allowReplace is false; choose one');
  }
};
