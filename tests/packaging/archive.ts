// A packaged app's resources/app.asar and app.asar.unpacked read as one tree, the way Electron's
// patched fs sees it: every path the archive's header lists, each either packed inside the archive
// or unpacked beside it (then it must really be in app.asar.unpacked/).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import asar from '@electron/asar';

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  size?: number;
  unpacked?: boolean;
  link?: string;
}

export interface ArchiveEntry {
  kind: 'file' | 'dir';
  size: number;
  unpacked: boolean;
}

export class ArchiveView {
  readonly entries = new Map<string, ArchiveEntry>();

  constructor(readonly resourcesDir: string) {
    const { header } = asar.getRawHeader(this.archive) as unknown as { header: HeaderNode };
    this.walk(header, '');
  }

  get archive(): string {
    return join(this.resourcesDir, 'app.asar');
  }

  get unpackedDir(): string {
    return join(this.resourcesDir, 'app.asar.unpacked');
  }

  private walk(node: HeaderNode, path: string): void {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const p = path ? `${path}/${name}` : name;
      if (child.files) {
        this.entries.set(p, { kind: 'dir', size: 0, unpacked: Boolean(child.unpacked) });
        this.walk(child, p);
      } else {
        this.entries.set(p, { kind: 'file', size: child.size ?? 0, unpacked: Boolean(child.unpacked) });
      }
    }
  }

  kind(path: string): 'file' | 'dir' | undefined {
    return path === '' ? 'dir' : this.entries.get(path)?.kind;
  }

  isUnpacked(path: string): boolean {
    return this.entries.get(path)?.unpacked === true && existsSync(join(this.unpackedDir, path));
  }

  read(path: string): Buffer {
    const entry = this.entries.get(path);
    if (entry?.kind !== 'file') throw new Error(`${path} is not a file in the archive`);
    return entry.unpacked ? readFileSync(join(this.unpackedDir, path)) : asar.extractFile(this.archive, path);
  }

  files(): string[] {
    return [...this.entries].filter(([, e]) => e.kind === 'file').map(([p]) => p);
  }

  /** Bytes on disk: the archive file plus everything unpacked beside it. */
  diskSize(): { archive: number; unpacked: number } {
    const unpacked = [...this.entries].filter(([, e]) => e.kind === 'file' && e.unpacked).reduce((sum, [p]) => sum + statSync(join(this.unpackedDir, p)).size, 0);
    return { archive: statSync(this.archive).size, unpacked };
  }
}
