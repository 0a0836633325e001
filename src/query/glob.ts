/** Shell-style globs (`*`, `?`, `[abc]`, `[!a-z]`) for name filters. */

const SPECIAL = /[.+^${}()|\\/]/;

/** Compile a glob to an anchored RegExp; undefined when the glob is malformed. */
export function globToRegExp(glob: string): RegExp | undefined {
  let src = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      // Inside a class only `\` and `]` (already excluded) are special to RegExp.
      src += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else src += SPECIAL.test(c) ? '\\' + c : c;
  }
  try {
    return new RegExp(src + '$', 's');
  } catch {
    return undefined;
  }
}
