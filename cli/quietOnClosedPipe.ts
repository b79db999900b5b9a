/**
 * When the reader of a pipe goes away early (`xylen runs ls | head -3`), the next write fails with EPIPE, and Node
 * kills a process whose stream error nobody handles, with a stack trace. Output that nobody reads is dropped
 * instead: the command finishes as it would have (a replay still stores its run) and exits with its own status.
 * Any other stream error is thrown as before.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}
