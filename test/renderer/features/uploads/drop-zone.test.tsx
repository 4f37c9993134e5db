import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { DropZone, readDrop } from '../../../../renderer/features/uploads/drop-zone';

function file(name: string, content = 'x', relativePath?: string): File {
  const f = new File([content], name, { type: 'text/plain' });
  if (relativePath) Object.defineProperty(f, 'webkitRelativePath', { value: relativePath });
  return f;
}

/** jsdom has no DataTransfer: build the shape the drop handler reads (files + items with entries). */
function dataTransfer(entries: { file: File; directory?: boolean }[]) {
  const files = entries.map((e) => e.file);
  return {
    files,
    types: ['Files'],
    dropEffect: 'none',
    items: entries.map((e) => ({
      kind: 'file',
      type: e.file.type,
      getAsFile: () => e.file,
      webkitGetAsEntry: () => ({ isDirectory: !!e.directory, isFile: !e.directory, name: e.file.name }),
    })),
  };
}

function setup(active = true) {
  const props = { onFiles: vi.fn(async () => {}), onPickFolder: vi.fn(), onStartAccess: vi.fn() };
  render(<DropZone grantName="hr-upload" grantTitle="HR documents" active={active} {...props} />);
  const zone = screen.getByRole('button', { name: 'Add files to HR documents' });
  const input = screen.getByTestId('file-input-hr-upload') as HTMLInputElement;
  return { zone, input, ...props };
}

describe('DropZone', () => {
  it('uploads dropped files and says what was added', async () => {
    const { zone, onFiles } = setup();
    const a = file('contract.pdf');
    const b = file('offer.docx');
    await act(async () => {
      fireEvent.drop(zone, { dataTransfer: dataTransfer([{ file: a }, { file: b }]) });
    });
    expect(onFiles).toHaveBeenCalledWith([a, b]);
    expect(screen.getByRole('status')).toHaveTextContent('Added 2 files to the upload queue.');
  });

  it('passes a dropped folder through as its File and names it a folder', async () => {
    const { zone, onFiles } = setup();
    const folder = file('Onboarding', '');
    await act(async () => {
      fireEvent.drop(zone, { dataTransfer: dataTransfer([{ file: folder, directory: true }]) });
    });
    expect(onFiles).toHaveBeenCalledWith([folder]);
    expect(screen.getByRole('status')).toHaveTextContent('Added 1 folder to the upload queue.');
  });

  it('shows a visible drag state while something is dragged over it', () => {
    const { zone } = setup();
    fireEvent.dragEnter(zone, { dataTransfer: dataTransfer([]) });
    expect(zone).toHaveAttribute('data-dragging', 'true');
    expect(zone).toHaveClass('dropzone--dragging');
    expect(zone).toHaveTextContent('Drop to upload');
    fireEvent.dragLeave(zone);
    expect(zone).not.toHaveAttribute('data-dragging');
  });

  it('refuses drops while there is no upload access and offers to start it', async () => {
    const { zone, onFiles, onStartAccess } = setup(false);
    fireEvent.dragEnter(zone, { dataTransfer: dataTransfer([]) });
    expect(zone).toHaveTextContent('Start upload access first');
    await act(async () => {
      fireEvent.drop(zone, { dataTransfer: dataTransfer([{ file: file('a.txt') }]) });
    });
    expect(onFiles).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent('Start upload access to HR documents first');
    fireEvent.click(screen.getByRole('button', { name: 'Start upload access' }));
    expect(onStartAccess).toHaveBeenCalledTimes(1);
  });

  it.each(['{Enter}', ' '])('opens the file browser from the keyboard (%s)', async (key) => {
    const user = userEvent.setup();
    const { zone, input } = setup();
    const click = vi.spyOn(input, 'click');
    zone.focus();
    expect(zone).toHaveFocus();
    await user.keyboard(key);
    expect(click).toHaveBeenCalledTimes(1);
  });

  it('is reachable with Tab', async () => {
    const user = userEvent.setup();
    const { zone } = setup();
    await user.tab();
    expect(zone).toHaveFocus();
  });

  it('uploads files chosen in the browser', async () => {
    const user = userEvent.setup();
    const { input, onFiles } = setup();
    const a = file('scan.png');
    await user.upload(input, [a]);
    expect(onFiles).toHaveBeenCalledWith([a]);
    expect(input.value).toBe('');
  });

  it('asks main for a folder picker (keeps folder structure)', async () => {
    const user = userEvent.setup();
    const { onPickFolder } = setup();
    await user.click(screen.getByRole('button', { name: 'Choose a folder…' }));
    expect(onPickFolder).toHaveBeenCalledTimes(1);
  });

  it('does not open the browser without access; explains instead', async () => {
    const user = userEvent.setup();
    const { zone, input } = setup(false);
    const click = vi.spyOn(input, 'click');
    zone.focus();
    await user.keyboard('{Enter}');
    expect(click).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent('Start upload access to HR documents first');
  });
});

describe('readDrop', () => {
  it('counts folders from webkitRelativePath when files come from a folder picker', () => {
    const files = [file('a.txt', 'a', 'Payroll/a.txt'), file('b.txt', 'b', 'Payroll/2026/b.txt'), file('c.txt', 'c', 'Payroll/c.txt')];
    const result = readDrop({ files: files as unknown as FileList, items: undefined as unknown as DataTransferItemList });
    expect(result.files).toHaveLength(3);
    expect(result.folders).toBe(1);
  });

  it('falls back to items when files is empty', () => {
    const a = file('a.txt');
    const dt = dataTransfer([{ file: a }]);
    const result = readDrop({ files: [] as unknown as FileList, items: dt.items as unknown as DataTransferItemList });
    expect(result.files).toEqual([a]);
    expect(result.folders).toBe(0);
  });

  it('handles a null dataTransfer', () => {
    expect(readDrop(null)).toEqual({ files: [], folders: 0 });
  });
});
