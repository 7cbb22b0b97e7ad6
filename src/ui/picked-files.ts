// Files a user picked or dropped, with their paths relative to what was chosen: shared by
// every import (datasets, models) so folders arrive the same way from a picker or a drop.

export interface PickedFile {
  path: string;
  file: File;
}

/** From an <input type=file> (webkitRelativePath is "folder/sub/file" for folder pickers). */
export function filesFromInput(input: HTMLInputElement): PickedFile[] {
  const files = [...(input.files ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  input.value = '';
  return files;
}

/**
 * From a drop, walking dropped directories. The entries are taken synchronously because
 * the DataTransfer is emptied once the event handler returns.
 */
export function filesFromDrop(e: DragEvent): Promise<PickedFile[]> {
  const entries = [...(e.dataTransfer?.items ?? [])].map((i) => i.webkitGetAsEntry()).filter((x): x is FileSystemEntry => x !== null);
  return (async () => {
    const out: PickedFile[] = [];
    for (const entry of entries) await walk(entry, '', out);
    return out;
  })();
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ path: prefix + entry.name, file });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns batches (100 in Chrome) until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}
