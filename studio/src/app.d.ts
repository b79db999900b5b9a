// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface Error {
      message: string;
      /** Xylen's stable error code (RUN_NOT_FOUND, STORE_BUSY, …) when there is one. */
      code?: string;
      hint?: string;
      where?: string;
      /** STORE_BUSY because of the studio's own replay: its job, to link to its progress. */
      job?: { id: string; label: string };
    }
    interface Locals {
      /** The request carries the studio token (cookie or header): it may change state. */
      authorized: boolean;
    }
  }
}

export {};
