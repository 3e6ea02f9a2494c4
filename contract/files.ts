// Bytes of a file that cross the contract (uploads, dialogs, exports); its own module so that
// types.ts and projects.ts both use it without importing each other.
export interface FileBytes {
  name: string;
  data: Uint8Array;
}
