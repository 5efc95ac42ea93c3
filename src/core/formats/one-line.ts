// A value written as one `KEY=VALUE` line (+BUILD_INFO, +CONTENTS' comments,
// a lock file): its line breaks become spaces, so no value adds a line.

export function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
