// CSV export (RFC 4180): what the explorer's "Export CSV" buttons download.

export type Cell = string | number | boolean | null | undefined;

/** One field, quoted when it holds a comma, quote, CR or LF; a leading =, +, - or @ is
 * prefixed with ' so a spreadsheet does not run it as a formula. */
export function field(value: Cell): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of objects as CSV with the given columns, CRLF line ends. */
export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.map(field).join(",")];
  for (const row of rows) {
    lines.push(columns.map((c) => field(row[c] as Cell)).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Offer `text` as a file download. */
export function download(filename: string, text: string): void {
  const blob = new Blob([text], { type: "text/csv;charset=utf-8" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => {
    URL.revokeObjectURL(link.href);
  }, 1000);
}
