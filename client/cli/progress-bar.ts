/** A progress bar on stderr (redrawn in place on a terminal, every 10% otherwise). */
export function progressBar(label: string, enabled: boolean, unit = 'chunks') {
  let lastDecile = -1;
  return (done: number, total: number) => {
    if (!enabled || total === 0) return;
    const frac = done / total;
    const width = 30;
    const bar = `${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}`;
    const line = `${label} [${bar}] ${done}/${total} ${unit} (${Math.round(frac * 100)}%)`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (Math.floor(frac * 10) !== lastDecile) {
      lastDecile = Math.floor(frac * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}
